import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '@shared/api/errors';
import { ImportOptions } from '@shared/model/capture';
import type { JobDefinition } from '../../jobs/job-definition';
import { commitFolder } from '../fs/folder-commit';
import type { StudioServices } from '../studio-services';
import { captureDir, capturePartialDir, type ImportOutput, type ImportParams } from './import-capture.worker';

const Quality = z.object({ sharpness: z.number(), exposure: z.number(), clipped: z.number() }).nullable();
const Output = z.object({
  kind: z.enum(['video', 'images', 'photo', 'multiview']),
  name: z.string(),
  fps: z.number().nullable(),
  width: z.number().int(),
  height: z.number().int(),
  durationS: z.number(),
  source: z.object({
    names: z.array(z.string()),
    sha256: z.string(),
    codec: z.string().nullable(),
    fps: z.number().nullable(),
    width: z.number(),
    height: z.number(),
    rotation: z.number(),
    variableFrameRate: z.boolean(),
  }),
  cameras: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      sourceName: z.string(),
      width: z.number().int(),
      height: z.number().int(),
      intrinsics: z.object({ fx: z.number(), fy: z.number(), cx: z.number(), cy: z.number() }).nullable(),
      extrinsics: z.array(z.number()).nullable(),
      frames: z.array(
        z.object({
          idx: z.number().int(),
          timeS: z.number(),
          file: z.string(),
          thumb: z.string(),
          sha256: z.string(),
          size: z.number(),
          thumbSha256: z.string(),
          thumbSize: z.number(),
          quality: Quality,
        }),
      ),
    }),
  ),
  warnings: z.array(z.string()),
});

/** Default share of frames (the last ones in time) proposed as the test split. */
export const DEFAULT_TEST_FRACTION = 0.2;

export const importCaptureJob: JobDefinition<ImportParams, ImportOutput> = {
  kind: 'capture.import',
  params: z.object({
    projectId: z.string(),
    captureId: z.string(),
    name: z.string().nullable(),
    multiview: z.boolean(),
    sources: z.array(z.object({ file: z.string(), name: z.string() })).min(1),
    calibration: z.string().nullable(),
    options: ImportOptions,
  }),
  title: (p) => `Import ${p.sources.length === 1 ? `“${p.sources[0]!.name}”` : `${p.sources.length} files`}`,
  projectDir: (p, s) => s.projects.folderOf(p.projectId),
  commit(s: StudioServices, job, raw) {
    const out = Output.parse(raw);
    const p = job.params as ImportParams;
    const project = s.projects.get(p.projectId);
    const root = s.projects.folderOf(p.projectId);
    const partial = path.join(root, capturePartialDir(p.captureId));
    const final = path.join(root, captureDir(p.captureId));
    if (!fs.existsSync(partial)) throw new StudioError('INTERNAL', 'The extracted frames went missing before they could be recorded. Run the import again.');
    const dup = s.captures.findBySource(p.projectId, out.source.sha256);
    if (dup && !p.options.allowDuplicate) {
      // Refused for good (no Resume): the extracted frames are of no further use.
      fs.rmSync(partial, { recursive: true, force: true });
      throw new StudioError('CONFLICT', `This footage is already in the project as “${dup.name}”.`, { captureId: dup.id, final: true });
    }
    const now = Date.now();
    const frameCount = out.cameras[0]!.frames.length;
    commitFolder({
      partial,
      final,
      journal: s.library.commits,
      record: () => {
        s.library.db
          .prepare(
            `INSERT INTO captures (id, project_id, name, kind, source_name, source_sha256, fps, width, height, frame_count, duration_s, meta, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(p.captureId, p.projectId, out.name, out.kind, out.source.names.join(', '), out.source.sha256, out.fps, out.width, out.height, frameCount, out.durationS, JSON.stringify({ source: out.source, warnings: out.warnings }), now);
        const insertCamera = s.library.db.prepare(
          'INSERT INTO cameras (id, capture_id, idx, name, source_name, width, height, intrinsics, extrinsics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        );
        const insertFrame = s.library.db.prepare(
          `INSERT INTO frames (capture_id, camera_id, idx, time_s, blob_id, thumb_blob_id, width, height, split, sharpness, exposure, clipped)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'train', ?, ?, ?)`,
        );
        for (const [ci, cam] of out.cameras.entries()) {
          const camId = `${p.captureId}:${cam.id}`;
          insertCamera.run(camId, p.captureId, ci, cam.name, cam.sourceName, cam.width, cam.height, cam.intrinsics ? JSON.stringify(cam.intrinsics) : null, cam.extrinsics ? JSON.stringify(cam.extrinsics) : null);
          for (const f of cam.frames) {
            const blob = s.blobs.record(p.projectId, f.file, f.sha256, f.size);
            const thumb = s.blobs.record(p.projectId, f.thumb, f.thumbSha256, f.thumbSize);
            insertFrame.run(p.captureId, camId, f.idx, f.timeS, blob.id, thumb.id, cam.width, cam.height, f.quality?.sharpness ?? null, f.quality?.exposure ?? null, f.quality?.clipped ?? null);
          }
        }
        if (!project.thumbnail) {
          const mid = out.cameras[0]!.frames[Math.floor(frameCount / 2)]!;
          s.library.db.prepare('UPDATE projects SET thumbnail = ? WHERE id = ?').run(mid.thumb, p.projectId);
        }
        s.library.db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(now, p.projectId);
      },
    });
    s.captures.proposeSplit(p.captureId, DEFAULT_TEST_FRACTION);
    return { captureId: p.captureId, frames: frameCount, cameras: out.cameras.length, warnings: out.warnings };
  },
  discard(s, job) {
    const p = job.params as ImportParams;
    try {
      fs.rmSync(path.join(s.projects.folderOf(p.projectId), capturePartialDir(p.captureId)), { recursive: true, force: true });
    } catch {
      // the project is gone, and its folder with it
    }
  },
};
