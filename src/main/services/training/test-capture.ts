/**
 * Test fixture: a capture imported for real (ffmpeg test pattern, one or several cameras) with crafted tracking
 * output — an open head facing each camera at 0.5 m, no expression — so training jobs can be exercised in seconds
 * without running the tracker. The images do not show that head: the metrics mean nothing, the mechanics do.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Capture } from '@shared/model/capture';
import type { Job } from '@shared/model/job';
import { canonicalFace } from '@engine/avatar/open-head/build';
import type { StudioHost } from '../../host/studio-host';
import { makeVideo } from '../../testing/media-fixtures';
import { captureTrackingDir } from './training-types';

export interface CraftOptions {
  cameras?: number;
  /** Frames per camera (10 fps). */
  frames?: number;
  /** Frame indices left without a fit (as if the tracker lost the face there). */
  untracked?: number[];
  /** Frame indices marked as test split (all others train). */
  test?: number[];
  /** Frame size 'WxH' (default 96x96). */
  size?: string;
  /** Head distance from the camera in metres (default 0.5: the head fills a 96² frame). */
  distance?: number;
}

export async function craftTrackedCapture(host: StudioHost, projectId: string, mediaDir: string, o: CraftOptions = {}): Promise<Capture> {
  const cameras = o.cameras ?? 1;
  const frames = o.frames ?? 12;
  const sources = Array.from({ length: cameras }, (_, c) => ({ path: makeVideo(mediaDir, `cam${c}.mp4`, { size: o.size ?? '96x96', rate: 10, seconds: frames / 10 }) }));
  const started = await host.dispatch('captures.import', { projectId, sources, multiview: cameras > 1, options: { longSide: Math.max(...(o.size ?? '96x96').split('x').map(Number)), allowDuplicate: true } });
  if (!started.ok) throw new Error(started.error.message);
  const job: Job = await host.jobs.waitFor((started.result as Job).id);
  if (job.status !== 'completed') throw new Error(`import ${job.status}: ${job.error?.message}`);
  const capture = host.services.captures.get((job.result as { captureId: string }).captureId);
  // The import proposes its own test split; make it exactly `test`.
  host.services.captures.setSplit(capture.id, [{ from: 0, to: frames - 1 }], 'train');
  for (const idx of o.test ?? []) host.services.captures.setSplit(capture.id, [{ from: idx, to: idx }], 'test');

  const dir = path.join(host.services.projects.folderOf(projectId), captureTrackingDir(capture.id));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'expression-space.json'), JSON.stringify({ mean: [...canonicalFace()], basis: [], count: 0, sigma: [], varianceKept: 1, range: [] }));
  const untracked = new Set(o.untracked ?? []);
  const listed = host.services.captures.frames(capture.id, { offset: 0, limit: 5000 });
  for (const [c, cam] of capture.cameras.entries()) {
    const camDir = path.join(dir, cam.id.split(':').at(-1)!);
    fs.mkdirSync(camDir, { recursive: true });
    const idxs = listed.frames.filter((f) => f.cameraId === cam.id && !untracked.has(f.idx)).map((f) => f.idx);
    const fit = {
      headModel: 'open-head',
      shape: [],
      intrinsics: { fx: cam.width * 1.5, fy: cam.width * 1.5, cx: cam.width / 2 - 0.5, cy: cam.height / 2 - 0.5 },
      // Model (y up, face towards +z) → OpenCV camera (y down, looking along +z): a half turn about x (axis tilted a
      // little towards y per camera, so the views differ).
      frames: idxs.map((idx) => ({ idx, rotation: [Math.PI, 0.15 * c, 0], translation: [0, 0, o.distance ?? 0.5], expression: [], jaw: [0, 0, 0], eyes: [0, 0, 0, 0, 0, 0], errorPx: 1 })),
    };
    fs.writeFileSync(path.join(camDir, 'fit.json'), JSON.stringify(fit));
  }
  const db = host.services.library.db;
  const meta = JSON.parse((db.prepare('SELECT meta FROM captures WHERE id = ?').pluck().get(capture.id) as string) ?? '{}');
  meta.tracking = { frames: frames * cameras, tracked: frames * cameras - untracked.size * cameras, headModel: 'open-head', meanFitErrorPx: 1, untracked: {}, warnings: {}, trackedAt: Date.now(), pick: null, messages: [] };
  db.prepare('UPDATE captures SET meta = ? WHERE id = ?').run(JSON.stringify(meta), capture.id);
  return host.services.captures.get(capture.id);
}
