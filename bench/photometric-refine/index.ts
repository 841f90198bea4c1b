/**
 * Photometric refinement benchmark: cost of `PhotometricRefiner` (native/engine/avatar/fitting) per frame at 512²,
 * on whatever adapter `createNodeDevice` finds (SwiftShader on the CI machines). Frames: the open head with a smooth
 * procedural skin pattern rendered by the engine at known poses; each frame starts from its truth perturbed by
 * (2°, 5 mm); the appearance comes from a frontal keyframe at its true pose. Both pose gradients ('warp', 'engine').
 * Prints one JSON object last (ms for the appearance, median ms a frame, renders a frame, errors after).
 * Usage: node bench/run.mjs photometric-refine [frames=4]
 */
import os from 'node:os';
import { headRotation, projectLandmarks } from '../../native/engine/avatar/fitting/synthetic';
import { PhotometricRefiner, type RefineFrame } from '../../native/engine/avatar/fitting/photometric-refine';
import { mat3Mul, rodrigues, rotationAngleBetween, rotationToAxisAngle } from '../../native/engine/avatar/math';
import { createOpenHead } from '../../native/engine/avatar/open-head/build';
import { headGaussians, identityCamera, placeSurfaceGaussians, toRgb8 } from '../../native/engine/avatar/synthetic-render';
import { createNodeDevice } from '../../native/engine/gpu/node-device';
import { adapterFields } from '../lib/adapter';
import { ForwardRenderer, GaussianScene, readForwardImages } from '../../native/engine/splat';

const n = Number(process.argv[2] ?? 4);
const SIZE = 512, K = { fx: 560, fy: 560, cx: 256, cy: 256 }, D2R = Math.PI / 180;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const engine = await createNodeDevice({ label: 'bench-photometric' });
const device = engine.device;
const head = createOpenHead();
const rest = head.evaluate({});
const surface = placeSurfaceGaussians(head, { faceDensity: 5e5, otherDensity: 5e4, sigmaFactor: 0.85, seed: 3 });
for (let i = 0; i < surface.count; i++) {
  const p = [0, 0, 0];
  for (let k = 0; k < 3; k++) for (let c = 0; c < 3; c++) p[c]! += surface.barycentric[i * 3 + k]! * rest[head.triangles[surface.triangle[i]! * 3 + k]! * 3 + c]!;
  surface.colour[i * 3] = 0.55 + 0.3 * Math.sin(80 * p[0]!) * Math.cos(70 * p[1]!);
  surface.colour[i * 3 + 1] = 0.45 + 0.25 * Math.sin(60 * p[1]! + 1);
  surface.colour[i * 3 + 2] = 0.4 + 0.2 * Math.cos(90 * p[0]! + 50 * p[2]!);
}
const centre = [0, 1, 2].map((k) => { let a = 0; for (let v = 0; v < 468; v++) a += rest[v * 3 + k]!; return a / 468; });

async function frameAt(yaw: number, pitch: number, roll: number): Promise<{ frame: RefineFrame; R: Float64Array; t: number[] }> {
  const R = headRotation(yaw * D2R, pitch * D2R, roll * D2R);
  const t = [0, 1, 2].map((r) => (r === 2 ? 0.42 : 0) - (R[r * 3]! * centre[0]! + R[r * 3 + 1]! * centre[1]! + R[r * 3 + 2]! * centre[2]!));
  const scene = GaussianScene.fromData(device, headGaussians(head, surface, { rotation: R, translation: t }), { shDegree: 0 });
  const renderer = new ForwardRenderer(device);
  const state = await renderer.render(scene, identityCamera(SIZE, SIZE, K.fx, K.fy, K.cx, K.cy), { background: [0.42, 0.45, 0.5] });
  const image = toRgb8((await readForwardImages(device, state)).rgb, SIZE, SIZE);
  renderer.destroy();
  scene.destroy();
  const landmarks = projectLandmarks(head, [0, 0, 0], { rotation: R, translation: t as [number, number, number], expression: [], jaw: [0, 0, 0], eyes: [0, 0, 0, 0] }, K).uv;
  const aa = rotationToAxisAngle(R);
  return { frame: { image, landmarks, stride: 2, pose: { rotation: aa, translation: t as [number, number, number] }, params: {} }, R, t };
}

const key = await frameAt(3, 2, 0);
const frames = [];
for (let i = 0; i < n; i++) {
  const f = await frameAt(-18 + (36 * i) / Math.max(1, n - 1), 8 * Math.sin(i), 3 * Math.cos(i));
  const R0 = mat3Mul(rodrigues(1.2 * D2R, -1.4 * D2R, 0.6 * D2R), f.R);
  const aa = rotationToAxisAngle(R0);
  frames.push({ ...f, start: { ...f.frame, pose: { rotation: aa, translation: [f.t[0]! + 0.003, f.t[1]! - 0.002, f.t[2]! + 0.003] as [number, number, number] } } });
}

const result: Record<string, unknown> = { bench: 'photometric-refine', size: `${SIZE}x${SIZE}`, frames: n, ...adapterFields(engine), cpus: os.availableParallelism(), loadavg: os.loadavg()[0] };
for (const gradient of ['warp', 'engine'] as const) {
  const refiner = new PhotometricRefiner(device, head, { intrinsics: K, gradient });
  let t = performance.now();
  await refiner.buildAppearance([key.frame]);
  result[`${gradient}_appearance_ms`] = Math.round(performance.now() - t);
  const ms: number[] = [], renders: number[] = [], rot: number[] = [], trans: number[] = [];
  for (const f of frames) {
    t = performance.now();
    const r = await refiner.refine(f.start);
    ms.push(performance.now() - t);
    renders.push(r.renders);
    rot.push(rotationAngleBetween(rodrigues(...r.pose.rotation), f.R) / D2R);
    trans.push(Math.hypot(...r.pose.translation.map((x, k) => x - f.t[k]!)) * 1000);
  }
  result[`${gradient}_ms_per_frame`] = Math.round(median(ms));
  result[`${gradient}_renders_per_frame`] = median(renders);
  result[`${gradient}_rotation_error_deg_max`] = Number(Math.max(...rot).toFixed(2));
  result[`${gradient}_translation_error_mm_max`] = Number(Math.max(...trans).toFixed(2));
  console.error(`photometric-refine: ${gradient}: ${median(ms).toFixed(0)} ms a frame, rotation ≤ ${Math.max(...rot).toFixed(2)}°, translation ≤ ${Math.max(...trans).toFixed(1)} mm`);
  refiner.destroy();
}
result.start_error = { rotationDeg: 2, translationMm: 4.7 };
engine.destroy();
console.log(JSON.stringify(result));
