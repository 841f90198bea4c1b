import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '@shared/api/errors';
import type { JobDefinition } from '../../jobs/job-definition';
import { commitFolder } from '../fs/folder-commit';
import { newId } from '../library/ids';
import { PROJECTS_DIR } from '../library/library';
import type { StudioServices } from '../studio-services';
import { partialFolder, type DuplicateOutput, type DuplicateParams } from './duplicate-project.worker';
import type { EmptyTrashParams } from './empty-trash.worker';

const DuplicateOutputSchema = z.object({ files: z.array(z.object({ path: z.string(), sha256: z.string(), size: z.number() })) });

export const duplicateProjectJob: JobDefinition<DuplicateParams, DuplicateOutput> = {
  kind: 'project.duplicate',
  params: z.object({ sourceId: z.string(), targetId: z.string(), name: z.string() }),
  title: (p) => `Duplicate as “${p.name}”`,
  projectDir: (p, s) => s.projects.folderOf(p.sourceId),
  commit(s: StudioServices, job, rawOutput) {
    const output = DuplicateOutputSchema.parse(rawOutput);
    const p = job.params as DuplicateParams;
    const source = s.projects.get(p.sourceId);
    const finalRel = `${PROJECTS_DIR}/${p.targetId}`;
    const partial = partialFolder(s.library.dir, p.targetId);
    if (!fs.existsSync(partial)) throw new StudioError('INTERNAL', 'The copied files went missing before they could be recorded. Run the duplicate again.');
    // Captures get new ids, and their folders (named by id) follow before the copy becomes visible.
    const captureIds = new Map<string, string>();
    for (const { id } of s.library.db.prepare('SELECT id FROM captures WHERE project_id = ?').all(p.sourceId) as { id: string }[]) {
      const next = newId();
      captureIds.set(id, next);
      const from = path.join(partial, 'captures', id);
      if (fs.existsSync(from)) fs.renameSync(from, path.join(partial, 'captures', next));
    }
    const remap = (rel: string | null) => {
      if (!rel) return rel;
      const m = /^captures\/([0-9a-f]{32})(\/.*)?$/.exec(rel);
      return m && captureIds.has(m[1]!) ? `captures/${captureIds.get(m[1]!)}${m[2] ?? ''}` : rel;
    };
    const now = Date.now();
    commitFolder({
      partial,
      final: s.library.projectDir(finalRel),
      journal: s.library.commits,
      record: () => {
        s.library.db
          .prepare('INSERT INTO projects (id, name, folder, created_at, updated_at, thumbnail) VALUES (?, ?, ?, ?, ?, ?)')
          .run(p.targetId, p.name, finalRel, now, now, remap(source.thumbnail));
        const blobIds = new Map<string, number>();
        for (const f of output.files) blobIds.set(f.path, s.blobs.record(p.targetId, remap(f.path)!, f.sha256, f.size).id);
        copyCaptureRows(s, p.sourceId, p.targetId, captureIds, (oldBlobPath) => blobIds.get(oldBlobPath) ?? null);
      },
    });
    return { projectId: p.targetId };
  },
  discard(s, job) {
    const p = job.params as DuplicateParams;
    fs.rmSync(partialFolder(s.library.dir, p.targetId), { recursive: true, force: true });
  },
};

export const emptyTrashJob: JobDefinition<EmptyTrashParams, { deleted: number }> = {
  kind: 'trash.empty',
  params: z.object({ folders: z.array(z.string()) }),
  title: (p) => `Empty trash (${p.folders.length} ${p.folders.length === 1 ? 'project' : 'projects'})`,
  commit: (_s, _job, output) => output,
};

/**
 * Detaches every trashed project from the database (one transaction: they vanish from the trash at once) and
 * renames their folders to `*.purging`, which the job then deletes.
 */
export function detachTrashedProjects(s: StudioServices): string[] {
  s.library.assertWritable();
  const trashed = s.projects.list({ trashed: true });
  const folders: string[] = [];
  for (const p of trashed) {
    const from = s.projects.folderOf(p.id);
    const rel = `trash/${p.id}.purging`;
    if (fs.existsSync(from)) fs.renameSync(from, s.library.projectDir(rel));
    folders.push(rel);
  }
  s.library.db.transaction(() => {
    for (const p of trashed) s.projects.deleteRow(p.id);
  })();
  return folders;
}

/** Copies capture, camera and frame rows of one project to another, with new capture ids and the copied blobs. */
function copyCaptureRows(s: StudioServices, fromProject: string, toProject: string, captureIds: Map<string, string>, blobFor: (oldPath: string) => number | null): void {
  const db = s.library.db;
  const blobPath = db.prepare('SELECT path FROM blobs WHERE id = ?').pluck();
  for (const [oldId, nextId] of captureIds) {
    db.prepare(
      `INSERT INTO captures (id, project_id, name, kind, source_name, source_sha256, fps, width, height, frame_count, duration_s, meta, created_at)
       SELECT ?, ?, name, kind, source_name, source_sha256, fps, width, height, frame_count, duration_s, meta, created_at FROM captures WHERE id = ? AND project_id = ?`,
    ).run(nextId, toProject, oldId, fromProject);
    const cameraIds = new Map<string, string>();
    for (const cam of db.prepare('SELECT * FROM cameras WHERE capture_id = ?').all(oldId) as Record<string, unknown>[]) {
      const camId = `${nextId}:${String(cam.id).split(':').at(-1)}`;
      cameraIds.set(String(cam.id), camId);
      db.prepare('INSERT INTO cameras (id, capture_id, idx, name, source_name, width, height, intrinsics, extrinsics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        camId, nextId, cam.idx, cam.name, cam.source_name, cam.width, cam.height, cam.intrinsics, cam.extrinsics,
      );
    }
    const insertFrame = db.prepare(
      `INSERT INTO frames (capture_id, camera_id, idx, time_s, blob_id, thumb_blob_id, width, height, split, sharpness, exposure, clipped)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const f of db.prepare('SELECT * FROM frames WHERE capture_id = ?').all(oldId) as Record<string, any>[]) {
      const blob = blobFor(blobPath.get(f.blob_id) as string);
      if (blob === null) throw new StudioError('INTERNAL', 'A frame file was not copied; the duplicate was not recorded. Run it again.');
      const thumb = f.thumb_blob_id === null ? null : blobFor(blobPath.get(f.thumb_blob_id) as string);
      insertFrame.run(nextId, f.camera_id === null ? null : cameraIds.get(f.camera_id), f.idx, f.time_s, blob, thumb, f.width, f.height, f.split, f.sharpness, f.exposure, f.clipped);
    }
  }
}
