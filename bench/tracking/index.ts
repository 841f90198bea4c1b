/**
 * Tracking benchmark: frames/s at 512 × 512 for detection + face mesh (+ iris) + person mask, on this CPU.
 * Frames: 512² windows sliding across a package photo (@vladmandic/face-api demo sample1), so the face moves.
 * Modes: "full" runs the detector on every frame (detection + landmarks + mask, as the target states);
 * "tracking" runs it only when tracking is lost or every 30 frames (what the capture.track job does).
 * Then the fitting the job does next, on the tracked landmarks: the subject's expression space, then the open head
 * (focal length estimated, shape, per-frame pose/expression/jaw/eyes): ms a frame.
 * Prints one JSON object last (medians over runs). Usage: npm run bench:tracking -- [frames=60] [runs=3]
 */
import path from 'node:path';
import { buildModels, DEFAULT_MODELS_DIR } from '../../native/models/build';
import { fitCaptureSync } from '../../native/engine/avatar/fitting/fit';
import { learnExpressionSpace } from '../../native/engine/avatar/open-head/expression-space';
import { openHeadFor } from '../../native/engine/avatar/open-head/stored-space';
import { readImage } from '../../src/main/services/tracking/image';
import { Tracker } from '../../src/main/services/tracking/tracker';
import type { RgbImage } from '../../native/tracking/types';

const n = Number(process.argv[2] ?? 60);
const runs = Number(process.argv[3] ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

buildModels(DEFAULT_MODELS_DIR);
const photo = readImage(path.resolve(import.meta.dirname, '../../node_modules/@vladmandic/face-api/demo/sample1.jpg'));
function window512(x0: number, y0: number): RgbImage {
  const data = new Uint8Array(512 * 512 * 3);
  for (let y = 0; y < 512; y++) data.set(photo.data.subarray(((y0 + y) * photo.width + x0) * 3, ((y0 + y) * photo.width + x0 + 512) * 3), y * 512 * 3);
  return { width: 512, height: 512, data, channels: 3 };
}
// the face drifts ±40 px horizontally and ±20 px vertically over the clip
const frames = Array.from({ length: n }, (_, i) => window512(Math.round(260 + 40 * Math.sin(i / 8)), Math.round(250 + 20 * Math.cos(i / 11))));

const result: Record<string, unknown> = { bench: 'tracking', size: '512x512', frames: n, runs, cpus: (await import('node:os')).availableParallelism() };
for (const mode of ['full', 'tracking'] as const) {
  for (const withIris of [true, false]) {
    const fps: number[] = [];
    let tracked = 0;
    for (let r = 0; r < runs; r++) {
      const tracker = await Tracker.create({ detectEveryFrame: mode === 'full', iris: withIris, mask: true });
      await tracker.track(frames[0]!, 0, 0); // warm-up
      tracker.reset();
      const t = performance.now();
      tracked = 0;
      for (let i = 0; i < n; i++) if ((await tracker.track(frames[i]!, i, i / 30)).tracked) tracked++;
      fps.push(n / ((performance.now() - t) / 1000));
      await tracker.dispose();
    }
    const key = `${mode}${withIris ? '' : '_noIris'}`;
    result[`${key}_fps`] = Number(median(fps).toFixed(1));
    result[`${key}_fps_runs`] = fps.map((f) => Number(f.toFixed(1)));
    result[`${key}_tracked`] = tracked / n;
    console.error(`tracking: ${key}: ${median(fps).toFixed(1)} frames/s (${fps.map((f) => f.toFixed(1)).join(', ')})`);
  }
}
// the job's fitting pass on these landmarks (smoothing on, as the job tracks)
const landmarks: Float32Array[] = [];
{
  const tracker = await Tracker.create({ mask: false });
  for (let i = 0; i < n; i++) { const t = await tracker.track(frames[i]!, i, i / 30); if (t.tracked && t.landmarks) landmarks.push(t.landmarks); }
  await tracker.dispose();
}
const fitMs: number[] = [], calibratedMs: number[] = [];
let fitError = NaN;
const fitFrames = landmarks.map((l) => ({ landmarks: l, width: 512, height: 512 }));
const temporal = { rotation: 0.5, translation: 0.5, expression: 0.2 };
for (let r = 0; r < runs; r++) {
  const t = performance.now();
  const model = openHeadFor(learnExpressionSpace(landmarks.map((l) => ({ landmarks: l }))));
  const fit = fitCaptureSync(model, fitFrames, { stride: 3, temporal });
  fitMs.push((performance.now() - t) / landmarks.length);
  fitError = median(fit.frames.map((f) => f.reprojectionErrorPx).filter(Number.isFinite));
  // a calibrated camera (the focal length given): no focal search, which is a fixed cost per capture
  const t2 = performance.now();
  fitCaptureSync(model, fitFrames, { stride: 3, temporal, intrinsics: fit.intrinsics });
  calibratedMs.push((performance.now() - t2) / landmarks.length);
}
result.fit_ms_per_frame = Number(median(fitMs).toFixed(1));
result.fit_ms_per_frame_runs = fitMs.map((x) => Number(x.toFixed(1)));
result.fit_calibrated_ms_per_frame = Number(median(calibratedMs).toFixed(1));
result.fit_frames = landmarks.length;
result.fit_error_px_median = Number(fitError.toFixed(2));
console.error(`tracking: fitting (expression space + open head, focal estimated): ${median(fitMs).toFixed(1)} ms a frame over ${landmarks.length} frames, median error ${fitError.toFixed(2)} px`);
result.target_fps = 30;
result.meets_target = (result.full_fps as number) >= 30;
console.log(JSON.stringify(result));
