/**
 * `npm run bench:live -- [VIDEO] [--library DIR --avatar ID] [--size 512] [--frames 120] [--smoothing 0.3]`
 *
 * Drives an avatar frame by frame through the studio's reenactment path (`DrivePipeline`: the tracker on
 * onnxruntime-node → `Reenactor` (calibration on the first 10 frames, retarget, clamp, One Euro) → the avatar posed by
 * `HeadRig` → the engine's forward renderer on Node Dawn, colour read back) and prints one JSON object: fps and the
 * p50 / p95 latency (ms) of tracking, retargeting, rendering and the total per frame (capture → rendered pixels on
 * the CPU; the camera's own delay and the decode of the video file are not part of it — decode is reported apart).
 *
 * VIDEO: a driving clip (default: generated — the photo-textured open head opening and closing its mouth, 224², see
 * services/drive/synthetic-driver-clip.ts). Avatar: `--library DIR --avatar ID` opens a library (work on a COPY: the
 * studio may migrate it) and drives that trained avatar; default: a synthetic avatar (the open head with the
 * procedural expression space, Gaussians from its UV layout at 96², ≈ 18 k).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initFromUvLayout } from '../../native/engine/avatar/binding/init';
import { canonicalFace } from '../../native/engine/avatar/open-head/build';
import { proceduralExpressionBasis } from '../../native/engine/avatar/open-head/procedural-expressions';
import { createNodeDevice } from '../../native/engine/gpu/node-device';
import { buildModels, DEFAULT_MODELS_DIR } from '../../native/models/build';
import { StudioHost } from '../../src/main/host/studio-host';
import { localGpuJobs } from '../../native/engine/host/gpu-jobs';
import { DrivePipeline } from '../../src/main/services/drive/drive-pipeline';
import { openVideoSource } from '../../src/main/services/drive/frame-source';
import { makeDriverClip } from '../../src/main/services/drive/synthetic-driver-clip';
import { readVideoInputs, type VideoInputs } from '../../src/main/services/export/video-export';
import { avatarWithFiles } from '../../src/main/services/training/avatar-files';
import { serializeBound } from '@engine/avatar/binding/avatar-file';
import { openHeadFor, type StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1]!.startsWith('--')));
const size = Number(flag('size') ?? 512);
const maxFrames = Number(flag('frames') ?? 120);
const smoothing = Number(flag('smoothing') ?? 0.3);
const log = (s: string) => process.stderr.write(`[bench:live] ${s}\n`);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!.toFixed(2));
};
const summary = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), mean: Number((xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2)) });

buildModels(DEFAULT_MODELS_DIR, { only: ['blazeface', 'facemesh', 'iris'] });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-live-'));

let video = positional[0];
if (!video) {
  log('generating the driving clip (photo-textured open head, 224², 48 frames)…');
  const engine = await createNodeDevice({ label: 'bench-live-clip' });
  try {
    video = (await makeDriverClip({ device: engine.device, file: path.join(tmp, 'driver.mp4'), size: 224, frames: 48 })).file;
  } finally {
    engine.destroy();
  }
}

let inputs: VideoInputs;
let avatarLabel: string;
let host: StudioHost | null = null;
const library = flag('library'), avatarId = flag('avatar');
if (library && avatarId) {
  host = StudioHost.open({ libraryDir: path.resolve(library), frontDoor: 'cli' });
  const info = avatarWithFiles(host.services, avatarId);
  inputs = readVideoInputs(host.services.projects.folderOf(info.avatar.projectId), { avatar: info.files.avatar, expressionSpace: info.files.expressionSpace!, fit: info.files.fits[0]?.path ?? null, headTuning: info.files.headTuning });
  avatarLabel = `${info.avatar.name} (${avatarId})`;
} else {
  const gen = proceduralExpressionBasis();
  const space: StoredExpressionSpace = { mean: [...canonicalFace()], basis: [...gen.basis], count: gen.count, sigma: new Array(gen.count).fill(0.003), varianceKept: 1, range: [...gen.range] };
  const model = openHeadFor(space);
  const d = initFromUvLayout({ vertices: model.evaluate({}), triangles: model.triangles }, model.uv!, { resolution: 96 }).data;
  for (let i = 0; i < d.count; i++) d.opacities[i] = 3;
  inputs = { avatarBin: serializeBound(d), space, fit: null, headTuning: null };
  avatarLabel = `synthetic open head (procedural expressions, ${d.count} Gaussians)`;
}

const gpu = localGpuJobs(() => createNodeDevice({ label: 'bench-live' }));
const pipeline = await DrivePipeline.create(inputs, { size, smoothing, autoCalibrate: true, calibrationFrames: 10 }, gpu);
const source = await openVideoSource(video, { maxFrames, maxSide: 640 });
const t = { decode: [] as number[], tracking: [] as number[], retargeting: [] as number[], rendering: [] as number[], total: [] as number[] };
let frames = 0, tracked = 0, driven = 0, clamped = 0;
const WARMUP = 3;
const it = source.frames();
const wall0 = performance.now();
let steady0 = 0;
for (;;) {
  const d0 = performance.now();
  const next = await it.next();
  if (next.done) break;
  const d1 = performance.now();
  const r = await pipeline.step(next.value.image, next.value.index, next.value.time);
  frames++;
  if (r.landmarks) tracked++;
  if (r.step.phase === 'driving') { driven++; clamped += r.step.params.clamped; }
  if (frames === WARMUP) steady0 = performance.now();
  if (frames <= WARMUP) continue; // first frames: shader compilation, the detector's first run
  t.decode.push(d1 - d0);
  t.tracking.push(r.timings.trackMs);
  t.retargeting.push(r.timings.retargetMs);
  t.rendering.push(r.timings.renderMs);
  t.total.push(r.timings.totalMs);
  if (frames % 10 === 0) log(`${frames} frames, ${r.timings.totalMs.toFixed(0)} ms last`);
}
const wall = (performance.now() - steady0) / 1000;
await pipeline.destroy();
await gpu.close();
await host?.close();
fs.rmSync(tmp, { recursive: true, force: true });
const totalMean = t.total.reduce((a, b) => a + b, 0) / t.total.length;
const trackMean = t.tracking.reduce((a, b) => a + b, 0) / t.tracking.length;
console.log(
  JSON.stringify({
    bench: 'live',
    video: positional[0] ?? 'generated (synthetic-driver-clip.ts, 224², 48 frames)',
    avatar: avatarLabel,
    size,
    smoothing,
    frames,
    measured: t.total.length,
    warmup: WARMUP,
    tracked,
    clampedPerDrivenFrame: driven ? Number((clamped / driven).toFixed(2)) : null,
    fps: Number((1000 / totalMean).toFixed(2)),
    trackingFps: Number((1000 / trackMean).toFixed(1)),
    wallFpsWithDecode: Number((t.total.length / wall).toFixed(2)),
    latencyMs: { tracking: summary(t.tracking), retargeting: summary(t.retargeting), rendering: summary(t.rendering), total: summary(t.total) },
    decodeMs: summary(t.decode),
    machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((x) => Number(x.toFixed(1))) },
  }),
);
