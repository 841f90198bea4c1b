/**
 * Synthetic ground truth through the whole pipeline: the open head, textured from a real face photo, rendered by the
 * engine's forward renderer (Gaussians on the mesh, CPU WebGPU adapter in CI) with known pose, expression and camera;
 * the rendered frames go through the real tracker (BlazeFace + face mesh + iris, ONNX) and the landmark fitter; the
 * recovered head pose is compared with the renderer's.
 *
 * Honesty: the tracker sees only 8-bit images; the fitter is given the true intrinsics (a calibrated camera) and the
 * same head model that was rendered (canonical open head with the procedural expression basis; it still fits shape,
 * expression, jaw and eyes). The truth is the rigid pose the renderer used (`p_cam = R · v + t`).
 *
 * The texture: the photo warped through its own tracked face mesh onto the face vertices (which are MediaPipe
 * landmarks), then registered once on a calibration render (frontal, neutral; not one of the test poses) so the
 * photo's own detector error is not baked into the texture (see `registerPhotoLandmarks`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModels } from '../../../../native/models/build';
import { testDevice } from '@engine/gpu/test-device';
import { ForwardRenderer, GaussianScene, readForwardImages } from '@engine/splat';
import { createOpenHead } from '@engine/avatar/open-head/build';
import { proceduralExpressionBasis } from '@engine/avatar/open-head/procedural-expressions';
import { FACE_OVAL, fitCaptureSync, type FitFrame } from '@engine/avatar/fitting/fit';
import { headRotation, projectLandmarks, type SyntheticTruth } from '@engine/avatar/fitting/synthetic';
import { rodrigues, rotationAngleBetween } from '@engine/avatar/math';
import { headGaussians, identityCamera, registerPhotoLandmarks, texturedHeadFromPhoto, toRgb8, type SurfaceGaussians } from '@engine/avatar/synthetic-render';
import { chooseKeyframes, PhotometricRefiner, type RefineFrame } from '@engine/avatar/fitting/photometric-refine';
import { encodeRgbPng, readImage } from './image';
import { JOB_TEST_TIMEOUT } from '../../testing/job-wait';
import { Tracker } from './tracker';
import type { RgbImage } from '@tracking/types';

const gpu = await testDevice();

const SIZE = 512;
const K = { fx: 560, fy: 560, cx: SIZE / 2, cy: SIZE / 2 };
const DEPTH = 0.42; // metres from the camera to the face centre
const BACKGROUND: [number, number, number] = [0.42, 0.45, 0.5];
const D2R = Math.PI / 180;
/** ≈ 26 000 Gaussians: ≈ 1.4 mm apart on the face (≈ 1.9 px at this depth), σ 0.85 × spacing; ≈ 3 s a frame on SwiftShader. */
const TEXTURE = { faceDensity: 5e5, otherDensity: 5e4, sigmaFactor: 0.85 };
/**
 * The targets: after the photometric refinement rotation and translation (asserted). The landmark reprojection is
 * settled as the quality issue decided: its acceptance figure is the fit's landmark residual on real footage
 * (≤ 1.5 px; `meanFitErrorPx` in bench/train and bench/tracking JSON), and on these renders — where the detector itself
 * is 2.1–2.7 px off (see the note above the last test) — the fitted model against the true projections
 * (`modelVsTruthPx`) is a regression bound at its measured level (REFINED_REGRESSION). Against the detector's
 * landmarks (`reprojectionPx`) it is reported too.
 */
const TARGET = { rotationDeg: 2, translationPct: 2 };
/** Texture registration rounds on the calibration render (more do not help: the detector's error there stays ≈ 2.5–2.8 px). */
const REGISTRATION_ROUNDS = 1;
/**
 * The landmark fit alone. Measured (sample6 texture): rotation 1.5–4.6° (9.2° at pitch −10°: the detector's mouth),
 * translation 0.5–2.0 %, reprojection against the detector 1.8–2.7 px, model against truth 1.8–4.4 px (shape prior
 * scaled by the model's population spread and the residuals' neighbour correlation, H9; before: translation 0.6–3.5 %).
 */
const REGRESSION = { rotationDeg: 11, translationPct: 3, reprojectionPx: 3.2 };
/**
 * After the photometric refinement (keyframe 'yaw +5°', 'warp' gradient, joint expression + jaw stage `NON_RIGID`).
 * Measured: rotation 0.59–1.36°, translation 0.42–1.17 %, reprojection against the detector 1.9–6.0 px (it grows: the
 * refined fit leaves the detector's biased landmarks), model against truth 1.94–3.01 px. History of the same five
 * frames: rigid pose only → joint stage → oval weight 0.1 / Huber 2 px (H8) → anthropometric, correlation-aware shape
 * prior (H9): rotation 0.58–5.38° → 0.99–1.56° → 0.80–1.32° → 0.59–1.36°; translation 1.36–3.79 % → 1.65–3.61 % →
 * 0.95–2.85 % → 0.42–1.17 %; model against truth 2.25–4.14 → 2.11–3.02 → 2.09–3.03 → 1.94–3.01 px.
 */
const REFINED_REGRESSION = { rotationDeg: 2, translationPct: 2, reprojectionPx: 7, modelVsTruthPx: 3.4 };

/** The photometric step's joint expression + jaw stage (null: rigid pose only, as before). */
const NON_RIGID = process.env.SYNTHETIC_RIGID_ONLY ? null : { iterations: 3 };

interface PoseCase { name: string; yaw: number; pitch: number; roll: number; jaw?: number; expression?: Record<number, number> }
const CASES: PoseCase[] = [
  { name: 'yaw −20°', yaw: -20, pitch: 0, roll: 0 },
  { name: 'yaw +15°, jaw open', yaw: 15, pitch: 0, roll: 0, jaw: 0.15 },
  { name: 'pitch +10°, roll 5°', yaw: 5, pitch: 10, roll: 5 },
  { name: 'pitch −10°, smile', yaw: -8, pitch: -10, roll: 0, expression: { 0: 0.8 } },
  { name: 'yaw +5°', yaw: 5, pitch: 3, roll: -3 },
];

const head = createOpenHead({ expression: proceduralExpressionBasis() });
const rest = head.evaluate({});
const faceCentre = [0, 1, 2].map((c) => { let s = 0; for (let v = 0; v < 468; v++) s += rest[v * 3 + c]!; return s / 468; });

let tmp: string;
let tracker: Tracker;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synthetic-recovery-'));
  const modelsDir = path.join(tmp, 'models');
  const res = buildModels(modelsDir, { only: ['blazeface', 'facemesh', 'iris'] });
  expect(res.every((r) => r.status !== 'missing')).toBe(true);
  tracker = await Tracker.create({ modelsDir, mask: false, smoothing: false });
});
afterAll(async () => {
  await tracker?.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function truthFor(c: PoseCase): SyntheticTruth {
  const R = headRotation(c.yaw * D2R, c.pitch * D2R, c.roll * D2R);
  // the face centre on the optical axis at DEPTH
  const t = [0, 1, 2].map((r) => (r === 2 ? DEPTH : 0) - (R[r * 3]! * faceCentre[0]! + R[r * 3 + 1]! * faceCentre[1]! + R[r * 3 + 2]! * faceCentre[2]!)) as [number, number, number];
  const expression = Array.from({ length: head.expressionCount }, (_, e) => c.expression?.[e] ?? 0);
  return { rotation: R, translation: t, expression, jaw: [c.jaw ?? 0, 0, 0], eyes: [0, 0, 0, 0] };
}

async function render(surface: SurfaceGaussians, truth: SyntheticTruth): Promise<RgbImage> {
  const device = gpu.device!;
  const jointRotations = new Float64Array(15);
  jointRotations.set(truth.jaw, 6);
  const data = headGaussians(head, surface, { rotation: truth.rotation, translation: truth.translation, params: { expression: truth.expression, jointRotations } });
  const scene = GaussianScene.fromData(device, data, { shDegree: 0 });
  try {
    const renderer = new ForwardRenderer(device);
    const state = await renderer.render(scene, identityCamera(SIZE, SIZE, K.fx, K.fy, K.cx, K.cy), { background: BACKGROUND });
    const img = await readForwardImages(device, state);
    return toRgb8(img.rgb, SIZE, SIZE);
  } finally {
    scene.destroy();
  }
}

async function trackOne(img: RgbImage): Promise<Float32Array> {
  tracker.reset(); // every frame is an independent pose: detect afresh, no smoothing
  const t = await tracker.track(img, 0, 0);
  expect(t.tracked, `tracker: ${t.reason}`).toBe(true);
  return t.landmarks!;
}

const OVAL = new Set(FACE_OVAL);
/** RMS over a subset of landmark indices. */
function rmsOf(a: ArrayLike<number>, sa: number, b: ArrayLike<number>, sb: number, which: (m: number) => boolean): number {
  let s = 0, n = 0;
  for (let m = 0; m < 478; m++) if (which(m)) { s += (a[m * sa]! - b[m * sb]!) ** 2 + (a[m * sa + 1]! - b[m * sb + 1]!) ** 2; n++; }
  return Math.sqrt(s / n);
}
const inner = (m: number) => !OVAL.has(m);
function rms(a: ArrayLike<number>, sa: number, b: ArrayLike<number>, sb: number, from: number, to: number): number {
  let s = 0;
  for (let m = from; m < to; m++) s += (a[m * sa]! - b[m * sb]!) ** 2 + (a[m * sa + 1]! - b[m * sb + 1]!) ** 2;
  return Math.sqrt(s / (to - from));
}

interface Row { pose: string; rotationDeg: number; translationPct: number; reprojectionPx: number; modelVsTruthPx: number }
let results: Row[] = [];
/** What the photometric refinement needs from the landmark test: the rendered frames, their detections, fits and truths. */
let capture: { images: RgbImage[]; frames: FitFrame[]; truths: SyntheticTruth[]; fit: ReturnType<typeof fitCaptureSync> } | null = null;

describe.skipIf(!gpu.device)('synthetic ground truth: engine render → tracker → fit', () => {
  it('recovers the head pose of rendered frames through tracker and fitter (measured level: regression bounds)', async () => {
    const t0 = performance.now();
    // the photo: a frontal, evenly lit face from an npm package's demo images (1920 px group photo, the woman on the
    // right), cropped around the face. (sample3, turned and tilted with hair over the face and blue light, gave a
    // calibration error of 3.75 px against 2.76 px here, and translation errors 2–7 % against 1–4 % with this fitter.)
    const full = readImage(path.resolve(__dirname, '../../../../node_modules/@vladmandic/face-api/demo/sample6.jpg'));
    const S = 600, x0 = 1305, y0 = 150;
    const crop = new Uint8Array(S * S * 3);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) crop[(y * S + x) * 3 + c] = full.data[((y0 + y) * full.width + x0 + x) * full.channels + c]!;
    const photo: RgbImage = { width: S, height: S, data: crop, channels: 3 };
    let photoLm = await trackOne(photo);
    let photoStride: 2 | 3 = 3;

    // texture, registered on a frontal neutral calibration render
    const calib = truthFor({ name: 'calibration', yaw: 0, pitch: 0, roll: 0 });
    const calibUv = projectLandmarks(head, [0, 0, 0], calib, K).uv;
    let surface = texturedHeadFromPhoto(head, photo, photoLm, photoStride, TEXTURE);
    const calibRms: number[] = [];
    for (let r = 0; r <= REGISTRATION_ROUNDS; r++) {
      const calibDetected = await trackOne(await render(surface, calib));
      calibRms.push(rms(calibDetected, 3, calibUv, 2, 0, 468));
      if (r === REGISTRATION_ROUNDS) break;
      photoLm = registerPhotoLandmarks(photoLm, photoStride, calibDetected, 3, calibUv, 2) as Float32Array;
      photoStride = 3;
      surface = texturedHeadFromPhoto(head, photo, photoLm, photoStride, TEXTURE);
    }
    console.log(`[synthetic] ${surface.count} Gaussians; calibration render: detector vs truth RMS by registration round ${calibRms.map((x) => x.toFixed(2)).join(' → ')} px`);

    const frames: FitFrame[] = [];
    const images: RgbImage[] = [];
    const truths: SyntheticTruth[] = [];
    const detectorRms: number[] = [];
    for (const [i, c] of CASES.entries()) {
      const truth = truthFor(c);
      const img = await render(surface, truth);
      images.push(img);
      if (i === 0 || process.env.SYNTHETIC_PNG_DIR) fs.writeFileSync(path.join(process.env.SYNTHETIC_PNG_DIR ?? os.tmpdir(), `synthetic-recovery-${i}.png`), encodeRgbPng(img));
      const lm = await trackOne(img);
      detectorRms.push(rms(lm, 3, projectLandmarks(head, [0, 0, 0], truth, K).uv, 2, 0, 478));
      frames.push({ landmarks: lm, width: SIZE, height: SIZE });
      truths.push(truth);
    }
    // SYNTHETIC_DUMP=file.json: the detections and truths, to try fitter variants without rendering again
    if (process.env.SYNTHETIC_DUMP) fs.writeFileSync(process.env.SYNTHETIC_DUMP, JSON.stringify({ K, frames: frames.map((f) => Array.from(f.landmarks)), truths }));
    const res = fitCaptureSync(head, frames, { intrinsics: K, stride: 3 });
    capture = { images, frames, truths, fit: res };
    // without the intrinsics: the focal length is estimated too (reported; monocular depth then scales with it)
    const uncal = fitCaptureSync(head, frames, { stride: 3, keyframes: CASES.length });
    const rigid = fitCaptureSync(head, frames, { intrinsics: K, stride: 3, fitShape: false });
    const noShape = (i: number) => {
      const fr = rigid.frames[i]!, tr = truths[i]!;
      return {
        rotationDegNoShape: +((rotationAngleBetween(rodrigues(...fr.rotation), tr.rotation) * 180) / Math.PI).toFixed(2),
        translationPctNoShape: +((100 * Math.hypot(fr.translation[0] - tr.translation[0], fr.translation[1] - tr.translation[1], fr.translation[2] - tr.translation[2])) / tr.translation[2]).toFixed(2),
      };
    };
    const rows = res.frames.map((fr, i) => {
      const tr = truths[i]!;
      const rot = (rotationAngleBetween(rodrigues(...fr.rotation), tr.rotation) * 180) / Math.PI;
      const trans = Math.hypot(fr.translation[0] - tr.translation[0], fr.translation[1] - tr.translation[1], fr.translation[2] - tr.translation[2]) / tr.translation[2];
      // the fitted model's landmarks against their true projections (what the fit gets right, not how well it follows the detector)
      const fitted: SyntheticTruth = { rotation: rodrigues(...fr.rotation), translation: fr.translation, expression: Array.from(fr.expression), jaw: fr.jaw, eyes: [fr.eyes[0], fr.eyes[1], fr.eyes[3], fr.eyes[4]] };
      const modelVsTruthPx = rms(projectLandmarks(head, res.shape, fitted, K).uv, 2, projectLandmarks(head, [0, 0, 0], tr, K).uv, 2, 0, 478);
      const un = uncal.frames[i]!;
      return {
        pose: CASES[i]!.name, rotationDeg: +rot.toFixed(2), translationPct: +(trans * 100).toFixed(2), reprojectionPx: +fr.reprojectionErrorPx.toFixed(2),
        detectorVsTruthPx: +detectorRms[i]!.toFixed(2), modelVsTruthPx: +modelVsTruthPx.toFixed(2),
        innerDetVsTruth: +rmsOf(frames[i]!.landmarks, 3, projectLandmarks(head, [0, 0, 0], tr, K).uv, 2, inner).toFixed(2),
        innerFitVsDet: +rmsOf(projectLandmarks(head, res.shape, fitted, K).uv, 2, frames[i]!.landmarks, 3, inner).toFixed(2),
        innerModelVsTruth: +rmsOf(projectLandmarks(head, res.shape, fitted, K).uv, 2, projectLandmarks(head, [0, 0, 0], tr, K).uv, 2, inner).toFixed(2), jaw: +fr.jaw[0].toFixed(3), ...noShape(i),
        rotationDegUncalibrated: +((rotationAngleBetween(rodrigues(...un.rotation), tr.rotation) * 180) / Math.PI).toFixed(2),
      };
    });
    console.log(`[synthetic] fitted shape ${Array.from(res.shape, (x) => x.toFixed(2)).join(', ')} (landmark noise ${res.landmarkNoisePx?.toFixed(2)} px, neighbour correlation ${res.landmarkCorrelation?.toFixed(2)}); focal estimated without intrinsics ${uncal.intrinsics.fx.toFixed(0)} (true ${K.fx}); ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.table(rows);
    for (const r of rows) {
      expect(r.rotationDeg, r.pose).toBeLessThan(REGRESSION.rotationDeg);
      expect(r.translationPct, r.pose).toBeLessThan(REGRESSION.translationPct);
      expect(r.reprojectionPx, r.pose).toBeLessThanOrEqual(REGRESSION.reprojectionPx);
    }
  }, JOB_TEST_TIMEOUT); // tracking and GPU refinement in this process, as slow as the machine's load makes them

  it('photometric refinement through the engine: appearance from the most frontal frame, pose + expression + jaw per frame (measured level)', async () => {
    expect(capture, 'the landmark test above ran').not.toBeNull();
    const { images, frames, truths, fit } = capture!;
    const t0 = performance.now();
    const paramsOf = (fr: (typeof fit.frames)[number]) => {
      const j = new Float64Array(15);
      j.set(fr.jaw, 6);
      j[9] = fr.eyes[0]; j[10] = fr.eyes[1]; j[12] = fr.eyes[3]; j[13] = fr.eyes[4];
      return { shape: fit.shape, expression: fr.expression, jointRotations: j };
    };
    const refineFrames: RefineFrame[] = fit.frames.map((fr, i) => ({ image: images[i]!, landmarks: frames[i]!.landmarks, stride: 3, pose: { rotation: fr.rotation, translation: fr.translation }, params: paramsOf(fr) }));
    const refiner = new PhotometricRefiner(gpu.device!, head, { intrinsics: K, nonRigid: NON_RIGID });
    try {
      const keys = chooseKeyframes(fit.frames, 1);
      const appearance = await refiner.buildAppearance(keys.map((k) => refineFrames[k]!));
      const tApp = performance.now() - t0;
      const rows: (Row & Record<string, number | string>)[] = [];
      const perFrameMs: number[] = [];
      for (const [i, rf] of refineFrames.entries()) {
        const r = await refiner.refine(rf);
        perFrameMs.push(r.ms);
        const tr = truths[i]!, fr = fit.frames[i]!;
        const R = rodrigues(...r.pose.rotation);
        const jr = r.params.jointRotations!;
        const posed: SyntheticTruth = { rotation: R, translation: r.pose.translation, expression: Array.from(r.params.expression!), jaw: [jr[6]!, jr[7]!, jr[8]!], eyes: [fr.eyes[0], fr.eyes[1], fr.eyes[3], fr.eyes[4]] };
        const uv = projectLandmarks(head, fit.shape, posed, K).uv;
        rows.push({
          pose: CASES[i]!.name,
          rotationDeg: +((rotationAngleBetween(R, tr.rotation) * 180) / Math.PI).toFixed(2),
          translationPct: +((100 * Math.hypot(r.pose.translation[0] - tr.translation[0], r.pose.translation[1] - tr.translation[1], r.pose.translation[2] - tr.translation[2])) / tr.translation[2]).toFixed(2),
          reprojectionPx: +rms(uv, 2, frames[i]!.landmarks, 3, 0, 478).toFixed(2),
          rotationDegLandmarks: +((rotationAngleBetween(rodrigues(...fr.rotation), tr.rotation) * 180) / Math.PI).toFixed(2),
          translationPctLandmarks: +((100 * Math.hypot(fr.translation[0] - tr.translation[0], fr.translation[1] - tr.translation[1], fr.translation[2] - tr.translation[2])) / tr.translation[2]).toFixed(2),
          reprojectionPxLandmarks: +fr.reprojectionErrorPx.toFixed(2),
          modelVsTruthPx: +rms(uv, 2, projectLandmarks(head, [0, 0, 0], tr, K).uv, 2, 0, 478).toFixed(2),
          innerModelVsTruth: +rmsOf(uv, 2, projectLandmarks(head, [0, 0, 0], tr, K).uv, 2, inner).toFixed(2),
          ovalModelVsTruth: +rmsOf(uv, 2, projectLandmarks(head, [0, 0, 0], tr, K).uv, 2, (m) => OVAL.has(m)).toFixed(2),
          innerVsDet: +rmsOf(uv, 2, frames[i]!.landmarks, 3, inner).toFixed(2),
          loss: `${r.lossBefore.toFixed(4)} → ${r.lossAfter.toFixed(4)}`,
          renders: r.renders,
          mouthOpen: +(r.params.expression![0]! as number).toFixed(2),
          mouthOpenLandmarks: +fr.expression[0]!.toFixed(2),
        });
      }
      console.log(`[synthetic] photometric refinement: keyframe ${keys.join(', ')} (${appearance.seen}/${appearance.count} Gaussians seen), appearance ${(tApp / 1000).toFixed(1)} s, per frame ${perFrameMs.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s`);
      console.table(rows);
      results = rows;
      for (const r of rows) {
        expect(r.rotationDeg, r.pose).toBeLessThan(REFINED_REGRESSION.rotationDeg);
        expect(r.translationPct, r.pose).toBeLessThan(REFINED_REGRESSION.translationPct);
        expect(r.reprojectionPx, r.pose).toBeLessThanOrEqual(REFINED_REGRESSION.reprojectionPx);
        expect(r.modelVsTruthPx, r.pose).toBeLessThanOrEqual(REFINED_REGRESSION.modelVsTruthPx);
      }
      // the refinement's point: the worst rotation error of the landmark fit comes down
      expect(Math.max(...rows.map((r) => r.rotationDeg))).toBeLessThan(Math.max(...rows.map((r) => r.rotationDegLandmarks as number)));
    } finally {
      refiner.destroy();
    }
  }, JOB_TEST_TIMEOUT); // tracking and GPU refinement in this process, as slow as the machine's load makes them

  // Where the figures come from. The face-mesh detector's landmarks on these renders are 2.2–5.9 px RMS from the true
  // projections (the face oval 6–10 px, mostly inwards: the chin 10–16 px high; inner points 2.5–4.5 px), and that
  // error is a bias, not noise: it moves whole features (the residuals of neighbouring landmarks correlate at ρ ≈ 0.76;
  // 0 for independent noise), differs by pose (mean inner-point offset −2.3…+2.0 px) and survives averaging the mesh
  // over 9 jittered and 9 mirrored crops (keyframe 2.24 → 2.27 px) and MediaPipe's attention mesh
  // (facemesh-attention-pinto, run through TF.js: lips better on two frames, eyes worse, overall 4.1–5.9 px).
  // Rotation of the landmark fit is the detector's: every pose comes out pitched ≈ 1–3° less than rendered and
  // pitch −10° with the mouth open by ≈ 9°.
  // Translation: monocular footage cannot tell a wider head from a farther one, so depth follows the fitted face width.
  // The shape prior is in units of the model's population spread (open head: width and depth σ 5 %) and weighs the
  // residuals' neighbour correlation (effective sample size N·(1 − ρ)/(1 + ρ)): the biased detector no longer makes the
  // head 3 % wider (width 0.31 → 0.10), while the clean synthetic capture in fit.test.ts recovers its width better
  // than before (0.31 → 0.32 of 0.39). Translation after the refinement 0.95–2.85 % → 0.42–1.17 % (target met).
  // The photometric refinement (the second test) aligns every frame to the appearance of one keyframe, removing the
  // frame-to-frame part of the landmark error; the joint stage (expression + jaw with the pose, H8) finds the open mouth
  // the landmark fit misses (0.56 of 0.8). Rotation after it: 0.59–1.36° (target met).
  // Reprojection (settled as a bound, see TARGET). The refined model's landmarks against the true projections are 1.94–3.01 px. What is left
  // is the keyframe's own landmark-fit error, which every frame inherits (the texture is sampled through it): its
  // rotation (1.5°, ≈ 1 px), and an expression offset the detector's bias puts in every frame's fit alike (mouth open
  // −0.2, smile −0.4, pucker −0.3 where the truth is 0: ≈ 1.5 px on its own). Against the detector's landmarks the
  // figure cannot drop below ≈ 1.9 px without fitting their bias. Measured and not adopted (H9): the summed refined
  // loss over the other frames does favour a keyframe rotated towards its truth (0.00321 at the landmark fit, 0.00317
  // halfway or all the way to the truth, 0.00327 the other way; the other frames' rotation 0.16–0.82° at halfway), so a
  // multi-view anchor of the keyframe's rotation is there to be found, but it costs ≈ 10 refinement passes over the
  // capture and leaves the expression offset; the summed loss does not pick the true shape (it prefers the wider
  // head, 0.00498 at width 0.31 against 0.00508 at 0), nor the keyframe's true depth (H8). A bound: with the keyframe
  // given its true pose, expression and shape (an oracle no tracker has) the refined frames reach 0.54–1.83 px
  // (rotation 0.37–0.98°; yaw −20° stays at 1.83 px, 25° from the keyframe), and its true pose alone gives
  // 1.59–2.31 px; even the keyframe, refined against its own appearance, moves 0.5° (rigid) to 1.0° (joint stage)
  // from the pose its texture was sampled at (10 colour-fit iterations instead of 3 cut that to 0.13°, but on the
  // landmark-anchored pipeline rotation went 0.59–1.36° → 0.59–1.46° and reprojection 1.94–3.01 → 2.07–3.02 px: not
  // adopted). So the target needs both a better anchor than the detector and a refinement that holds within ≈ 0.5°
  // over 25° of yaw. The detector's own floor on these renders: re-registering the texture for up to 5 rounds (damped
  // or not) leaves its inner points 2.1–2.7 px RMS from the truth at the calibration pose and the keyframe's, and
  // denser or sharper splats (85 000 Gaussians, σ 0.6 × spacing) do not change it (2.4–2.7 px). On real footage the
  // same detector sits far closer to the model (d9: robust landmark noise 0.3 px, fit error 0.69 px median): the
  // render — a photo's face warped onto the mean face, on a bald untextured head — is what the detector finds odd.
  // Projecting the photo frontally onto the rest of the head too (skull, ears, neck; 47 000 Gaussians) takes the
  // calibration error 2.76 → 2.06 px and the refined reprojection to 1.36–2.59 px, but the keyframe's landmark
  // rotation to 2.4° and the refined rotations to 1.37–1.98°: measured (H9), not adopted.
  // Measured in H10, not adopted: a subject face built from the photo's own tracked mesh (its landmarks aligned to the
  // canonical face by a similarity and taken back into model space, so the photo is the surface's exact texture seen
  // from its own view; the mesh's depth or the canonical depth) reads worse: calibration 4.74 → 3.98 px instead of
  // 3.65 → 2.76, landmark-fit rotation up to 12.7°. The whole-head projection again (with the rest of the head at 4×
  // the density) moved the keyframe choice to pitch +10° and the refined figures to 1.17–2.10° and 1.79–3.55 px.
  // Split by region (inner points: all but the 36 face-oval contour points, which detectors slide along the
  // silhouette): the landmark fit's residual against the detections is 1.66–2.63 px on the inner points alone (the
  // model cannot follow the detector's biased landmarks either), and the refined model against the truth 1.93–2.95 px
  // inner, 2.10–3.66 px oval: the gap is not the contour.
  // Earlier attempts (rigid-only era, H7–H8): two keyframes, 128² only, a 64² level first, re-fitting the non-rigid
  // parameters to the landmarks at the refined pose and a second pass, re-anchoring all refined poses by the robust
  // mean offset to their landmark fits — none better.
  it('meets the issue rotation and translation targets after the photometric refinement: rotation < 2°, translation < 2 % of depth in every case', () => {
    expect(results.length).toBe(CASES.length);
    for (const r of results) {
      expect(r.rotationDeg, r.pose).toBeLessThan(TARGET.rotationDeg);
      expect(r.translationPct, r.pose).toBeLessThan(TARGET.translationPct);
    }
  });
  it('holds the refined landmarks at their measured distance from the true projections (the reprojection bound)', () => {
    expect(results.length).toBe(CASES.length);
    for (const r of results) expect(r.modelVsTruthPx, r.pose).toBeLessThanOrEqual(REFINED_REGRESSION.modelVsTruthPx);
  });
});
