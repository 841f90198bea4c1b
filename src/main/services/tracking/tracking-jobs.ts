import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '@shared/api/errors';
import { TrackedFrame } from '@shared/model/tracking';
import type { JobDefinition } from '../../jobs/job-definition';
import { commitFolder } from '../fs/folder-commit';
import type { StudioServices } from '../studio-services';
import type { TrackOutput, TrackParams } from './track-capture.worker';
import { trackingDir, trackingPartialDir } from './tracking-paths';

const Output = z.object({
  cameras: z.array(z.object({ cameraId: z.string(), frames: z.array(TrackedFrame), files: z.array(z.object({ path: z.string(), sha256: z.string(), size: z.number() })) })),
  headModel: z.string(),
  summary: z.object({
    frames: z.number(),
    tracked: z.number(),
    untracked: z.record(z.string(), z.number()),
    warnings: z.record(z.string(), z.number()),
    meanFitErrorPx: z.number().nullable(),
  }),
  messages: z.array(z.string()),
});

export const trackCaptureJob: JobDefinition<TrackParams, TrackOutput> = {
  kind: 'capture.track',
  params: z.object({ projectId: z.string(), captureId: z.string(), mask: z.boolean(), fit: z.boolean(), pick: z.object({ x: z.number(), y: z.number() }).optional(), headModel: z.enum(['open-head', 'flame']).optional(), flame: z.object({ modelPath: z.string(), embeddingPath: z.string() }).optional(), photometricRefine: z.boolean().optional() }),
  title: (p, s) => `Track “${s.captures.get(p.captureId).name}”`,
  projectDir: (p, s) => s.projects.folderOf(p.projectId),
  commit(s: StudioServices, job, raw) {
    const out = Output.parse(raw);
    const p = job.params as TrackParams;
    const root = s.projects.folderOf(p.projectId);
    const partial = path.join(root, trackingPartialDir(p.captureId));
    const final = path.join(root, trackingDir(p.captureId));
    if (!fs.existsSync(partial)) throw new StudioError('INTERNAL', 'The tracking results went missing before they could be recorded. Track the capture again.');
    const db = s.library.db;
    const now = Date.now();
    // The previous tracking stays aside until the new rows are written, and comes back if they are not.
    commitFolder({
      partial,
      final,
      journal: s.library.commits,
      record: () => {
        db.prepare(`DELETE FROM tracks WHERE frame_id IN (SELECT id FROM frames WHERE capture_id = ?)`).run(p.captureId);
        db.prepare(`DELETE FROM blobs WHERE project_id = ? AND path LIKE ? ESCAPE '\\'`).run(p.projectId, `${trackingDir(p.captureId)}/%`);
        const frameId = db.prepare('SELECT id FROM frames WHERE capture_id = ? AND camera_id = ? AND idx = ?').pluck();
        const insert = db.prepare('INSERT INTO tracks (frame_id, head_model, data, confidence, fit_error, created_at) VALUES (?, ?, ?, ?, ?, ?)');
        for (const cam of out.cameras) {
          for (const f of cam.frames) {
            const id = frameId.get(p.captureId, cam.cameraId, f.idx) as number | undefined;
            if (id === undefined) continue;
            insert.run(id, out.headModel, JSON.stringify(f), f.confidence, f.fitErrorPx, now);
          }
          for (const file of cam.files) s.blobs.record(p.projectId, file.path, file.sha256, file.size);
        }
        const meta = JSON.parse((db.prepare('SELECT meta FROM captures WHERE id = ?').pluck().get(p.captureId) as string) ?? '{}');
        meta.tracking = { ...out.summary, headModel: out.headModel, trackedAt: now, messages: out.messages, pick: p.pick ?? null };
        db.prepare('UPDATE captures SET meta = ? WHERE id = ?').run(JSON.stringify(meta), p.captureId);
      },
    });
    return { captureId: p.captureId, ...out.summary, messages: out.messages };
  },
  discard(s, job) {
    const p = job.params as TrackParams;
    try {
      fs.rmSync(path.join(s.projects.folderOf(p.projectId), trackingPartialDir(p.captureId)), { recursive: true, force: true });
    } catch {
      // the project is gone
    }
  },
};
