import fs from 'node:fs';
import { z } from 'zod';
import { StudioError } from '@shared/api/errors';
import type { JobDefinition } from '../../jobs/job-definition';
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
    fs.renameSync(partial, s.library.projectDir(finalRel));
    const now = Date.now();
    try {
      s.library.db.transaction(() => {
        s.library.db
          .prepare('INSERT INTO projects (id, name, folder, created_at, updated_at, thumbnail) VALUES (?, ?, ?, ?, ?, ?)')
          .run(p.targetId, p.name, finalRel, now, now, source.thumbnail);
        for (const f of output.files) s.blobs.record(p.targetId, f.path, f.sha256, f.size);
      })();
    } catch (err) {
      fs.renameSync(s.library.projectDir(finalRel), partial);
      throw err;
    }
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
