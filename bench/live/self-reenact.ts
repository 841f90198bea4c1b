/**
 * Real-data check of the retargeting (not a speed bench): an avatar's own tracked footage retargeted onto it.
 * `node --import tsx bench/live/self-reenact.ts PROJECT_CAPTURE_TRACKING_DIR` (a capture's `tracking/` folder: its
 * expression-space.json, cam0/landmarks.f32, cam0/fit.json). The driver is calibrated on all frames (its neutral = the
 * footage's mean face, which is the expression space's coefficient 0), then every frame is retargeted (no clamp, no
 * smoothing) and compared with the landmark fitter's own per-frame solution (fit.json): Pearson correlation of each
 * expression coefficient, and the angle between the two relative head rotations. Prints one JSON object.
 */
import fs from 'node:fs';
import path from 'node:path';
import { calibrateDriver, retarget } from '../../native/engine/avatar/reenact';
import { nearestRotation } from '../../native/engine/avatar/reenact/rigid';
import { mat3Mul, mat3Transpose, rodrigues, rotationAngleBetween } from '../../native/engine/avatar/math';

const dir = process.argv[2];
if (!dir) throw new Error('usage: self-reenact.ts <capture tracking folder>');
const space = JSON.parse(fs.readFileSync(path.join(dir, 'expression-space.json'), 'utf8'));
const fit = JSON.parse(fs.readFileSync(path.join(dir, 'cam0', 'fit.json'), 'utf8')) as { frames: { idx: number; rotation: number[]; expression: number[] }[] };
const raw = fs.readFileSync(path.join(dir, 'cam0', 'landmarks.f32'));
const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const P = 478 * 3;
const frames = fit.frames.map((f) => ({ idx: f.idx, landmarks: all.subarray(f.idx * P, (f.idx + 1) * P), fit: f }));
const cal = calibrateDriver(frames);
const K = space.count as number;
const got: number[][] = Array.from({ length: K }, () => []), want: number[][] = Array.from({ length: K }, () => []);
// the fitter's rotations relative to their mean orientation, in camera axes; ours in model axes → F R F
const F = [1, 0, 0, 0, -1, 0, 0, 0, -1];
const Rs = frames.map((f) => rodrigues(f.fit.rotation[0]!, f.fit.rotation[1]!, f.fit.rotation[2]!));
const meanR = nearestRotation(Rs.reduce((acc, R) => acc.map((v, i) => v + R[i]! / Rs.length), new Array(9).fill(0)));
const angles: number[] = [];
let clampedFrames = 0;
const t0 = performance.now();
for (const [i, f] of frames.entries()) {
  const p = retarget(f, cal, space, { clamp: false });
  const c = retarget(f, cal, space);
  if (c.clamped) clampedFrames++;
  for (let k = 0; k < K; k++) { got[k]!.push(p.expression[k]!); want[k]!.push(f.fit.expression[k] ?? 0); }
  const Rrel = mat3Mul(mat3Mul(F, rodrigues(...p.rotation)), F);
  // fitter: R_f ≈ R_rel_cam · R̄
  const fitRel = mat3Mul(Rs[i]!, mat3Transpose(meanR));
  angles.push((rotationAngleBetween(Rrel, fitRel) * 180) / Math.PI);
}
const ms = (performance.now() - t0) / frames.length / 2;
const corr = (a: number[], b: number[]) => {
  const ma = a.reduce((s, x) => s + x, 0) / a.length, mb = b.reduce((s, x) => s + x, 0) / b.length;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += (a[i]! - ma) * (b[i]! - mb); aa += (a[i]! - ma) ** 2; bb += (b[i]! - mb) ** 2; }
  return Number((ab / Math.sqrt(aa * bb)).toFixed(3));
};
const perComponent = got.map((g, k) => corr(g, want[k]!));
const sorted = [...angles].sort((a, b) => a - b);
console.log(JSON.stringify({
  frames: frames.length, components: K, calibrationSpreadMm: Number(cal.spreadMm.toFixed(2)),
  expressionCorrelationWithFit: { first8: perComponent.slice(0, 8), median: [...perComponent].sort((a, b) => a - b)[Math.floor(K / 2)] },
  headRotationDifferenceDeg: { p50: Number(sorted[Math.floor(sorted.length / 2)]!.toFixed(2)), p95: Number(sorted[Math.floor(sorted.length * 0.95)]!.toFixed(2)) },
  framesWithAClampedCoefficient: clampedFrames, retargetMsPerFrame: Number(ms.toFixed(2)),
}));
