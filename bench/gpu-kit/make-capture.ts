/**
 * Pack-time half of the GPU kit's capture (run by pack.mjs with tsx; never bundled): a short clip generated from a face
 * photo that an npm package ships (the clip bench/train and the training tests use, only longer), imported and tracked
 * by the studio's own jobs in a temporary library (a StudioHost in this process, its jobs in worker processes), then
 * exported as exactly what the trainer is built from — the frames `loadFrames` gives the training job (image, matte
 * limited to the projected fitted head, camera, head parameters) — into OUT:
 *
 *   capture.json   { version, width, height, camera, expressionSpace, shape, frames: [{ idx, split, image, mask, head }] }
 *   frames/NNNNNN.jpg   the stored frame as imported (the bytes of the library's blob when it has the capture's size)
 *   masks/NNNNNN.png    8-bit matte × head region at the capture's size
 *
 * Usage: node --import tsx bench/gpu-kit/make-capture.ts OUT [--seconds 5] [--fps 10] [--size 512]
 * Prints one JSON line (frames, split, tracking summary, seconds) last.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import jpeg from 'jpeg-js';
import type { Job } from '../../src/shared/model/job';
import { StudioHost } from '../../src/main/host/studio-host';
import { openHeadFor, type StoredExpressionSpace } from '../../native/engine/avatar/open-head/stored-space';
import type { FitFile } from '../../native/engine/avatar/head-rig';
import { loadFrames, readCapture } from '../../src/main/services/training/frame-loading';
import { captureTrackingDir } from '../../src/main/services/training/training-types';
import { decodeImage, encodeMaskPng } from '../../src/main/services/tracking/image';
import type { KitCapture } from './kit/capture';

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: { seconds: { type: 'string', default: '5' }, fps: { type: 'string', default: '10' }, size: { type: 'string', default: '512' } },
});
const out = positionals[0];
if (!out) throw new Error('usage: make-capture.ts OUT [--seconds 5] [--fps 10] [--size 512]');
const SECONDS = Number(o.seconds), FPS = Number(o.fps), SIZE = Number(o.size);
const log = (m: string) => process.stderr.write(`[capture] ${m}\n`);
const t0 = performance.now();

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-kit-capture-'));
const photo = path.resolve(import.meta.dirname, '../../node_modules/@vladmandic/face-api/demo/sample3.jpg');
if (!fs.existsSync(photo)) throw new Error(`${photo} is missing: run npm install (devDependency @vladmandic/face-api)`);
const clip = path.join(work, 'face.mp4');
// bench/train's generatedClip(), longer: a 600² window moving over the photo, scaled to SIZE².
execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', photo, '-vf', `crop=600:600:'1180+20*sin(t*2)':'150+10*cos(t*2)',scale=${SIZE}:${SIZE}`, '-t', String(SECONDS), '-r', String(FPS), '-pix_fmt', 'yuv420p', clip]);

const host = StudioHost.open({ libraryDir: path.join(work, 'lib'), frontDoor: 'cli' });
async function call(method: string, params: unknown): Promise<unknown> {
  const r = await host.dispatch(method, params);
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
  return r.result;
}
async function runJob(name: string, method: string, params: unknown): Promise<Job> {
  const started = (await call(method, params)) as Job;
  const job = await host.jobs.waitFor(started.id);
  if (job.status !== 'completed') throw new Error(`${name} ${job.status}: ${job.error?.message ?? ''}`);
  log(`${name} done (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return job;
}

try {
  const projectId = host.services.projects.create('GPU kit').id;
  const imported = await runJob('import', 'captures.import', { projectId, sources: [{ path: clip }], options: { longSide: 1024, allowDuplicate: false } });
  const captureId = (imported.result as { captureId: string }).captureId;
  let capture = host.services.captures.get(captureId);
  if (capture.splitCounts.test === 0) capture = (await call('captures.proposeSplit', { captureId, testFraction: 0.2 })) as typeof capture;
  await runJob('track', 'tracking.start', { captureId });
  const summary = host.services.tracking.summary(captureId);

  // What the training job loads (frame-loading.ts), at the stored size.
  const libraryDir = path.join(work, 'lib');
  const projectDir = host.services.projects.folderOf(projectId);
  const trackingDir = path.join(projectDir, captureTrackingDir(captureId));
  const space = JSON.parse(fs.readFileSync(path.join(trackingDir, 'expression-space.json'), 'utf8')) as StoredExpressionSpace;
  const model = openHeadFor(space);
  const cameras = readCapture(libraryDir, captureId);
  if (cameras.length !== 1) throw new Error(`expected a single-camera capture, got ${cameras.length} cameras`);
  const cam = cameras[0]!;
  const camKey = cam.id.split(':').at(-1)!;
  const fit = JSON.parse(fs.readFileSync(path.join(trackingDir, camKey, 'fit.json'), 'utf8')) as FitFile;
  const loaded = loadFrames(model, cameras, { projectDir, trackingDir, imageLongSide: Math.max(cam.width, cam.height), frameSubject: false, holdOutCamera: null, throwIfCancelled: () => undefined });
  const size = loaded.size!;
  const files = new Map(cam.frames.map((f) => [f.idx, f.file]));

  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, 'frames'), { recursive: true });
  fs.mkdirSync(path.join(out, 'masks'), { recursive: true });
  const frames: KitCapture['frames'] = [];
  const all = [...loaded.train.map((f) => ({ f, split: 'train' as const })), ...loaded.test.map((f) => ({ f, split: 'test' as const }))].sort((a, b) => a.f.idx - b.f.idx);
  let camera: KitCapture['camera'] | null = null;
  for (const { f, split } of all) {
    const name = String(f.idx).padStart(6, '0');
    const blob = fs.readFileSync(path.join(projectDir, files.get(f.idx)!));
    const decoded = decodeImage(blob);
    const isJpeg = blob[0] === 0xff && blob[1] === 0xd8;
    // The stored frame's bytes when they are the training image (same size, JPEG); else the loaded pixels re-encoded.
    const bytes = isJpeg && decoded.width === size.w && decoded.height === size.h ? blob : jpeg.encode({ data: Buffer.from(f.frame.image), width: size.w, height: size.h }, 95).data;
    fs.writeFileSync(path.join(out, 'frames', `${name}.jpg`), bytes);
    fs.writeFileSync(path.join(out, 'masks', `${name}.png`), encodeMaskPng({ width: size.w, height: size.h, data: f.frame.mask as Uint8Array }));
    const c = f.frame.camera;
    camera ??= { fx: c.fx, fy: c.fy, cx: c.cx, cy: c.cy };
    const h = f.frame.head;
    frames.push({
      idx: f.idx,
      split,
      image: `frames/${name}.jpg`,
      mask: `masks/${name}.png`,
      head: { expression: Array.from(h.expression ?? []), jointRotations: Array.from(h.jointRotations ?? []), rotation: Array.from(h.rotation ?? []), translation: Array.from(h.translation ?? []) },
    });
  }
  const doc: KitCapture = {
    version: 1,
    source: 'node_modules/@vladmandic/face-api/demo/sample3.jpg, a moving 600² crop, imported and tracked by the studio',
    width: size.w,
    height: size.h,
    camera: camera!,
    expressionSpace: space,
    shape: Array.from(fit.shape ?? []),
    frames,
  };
  fs.writeFileSync(path.join(out, 'capture.json'), JSON.stringify(doc));
  const bytes = fs.readdirSync(out, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).reduce((s, d) => s + fs.statSync(path.join(d.parentPath, d.name)).size, 0);
  console.log(
    JSON.stringify({
      frames: frames.length,
      train: loaded.train.length,
      test: loaded.test.length,
      untracked: loaded.untracked,
      size: `${size.w}x${size.h}`,
      tracked: summary ? `${summary.tracked}/${summary.frames}` : null,
      meanFitErrorPx: summary?.meanFitErrorPx ?? null,
      bytes,
      seconds: +((performance.now() - t0) / 1000).toFixed(1),
    }),
  );
} finally {
  await host.close();
  fs.rmSync(work, { recursive: true, force: true });
}
