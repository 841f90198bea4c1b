/** Synthetic captures with known ground truth: project a head model's embedded landmarks through a pinhole camera. */
import type { HeadModel } from '../head-model';
import { gaussian, makeRandom, mat3Mul, rodrigues } from '../math';
import type { FitFrame, Intrinsics } from './fit';

export interface SyntheticTruth {
  rotation: Float64Array; // 3 × 3 model → camera
  translation: [number, number, number];
  expression: number[];
  jaw: [number, number, number];
  eyes: [number, number, number, number]; // left x, y, right x, y
}

/** Projects all embedded landmarks into a 478 × 2 array (MediaPipe order), returning also camera-space depth. */
export function projectLandmarks(model: HeadModel, shape: ArrayLike<number>, truth: SyntheticTruth, K: Intrinsics): { uv: Float32Array; count: number } {
  const rot = new Float64Array(15);
  rot.set(truth.jaw, 6);
  rot[9] = truth.eyes[0]; rot[10] = truth.eyes[1]; rot[12] = truth.eyes[2]; rot[13] = truth.eyes[3];
  const v = model.evaluate({ shape, expression: truth.expression, jointRotations: rot });
  const lm = model.landmarks;
  const out = new Float32Array(478 * 2).fill(NaN);
  const R = truth.rotation, t = truth.translation;
  for (let l = 0; l < lm.landmarkIndex.length; l++) {
    const p = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      const vi = model.triangles[lm.triangle[l]! * 3 + k]!;
      for (let c = 0; c < 3; c++) p[c]! += lm.barycentric[l * 3 + k]! * v[vi * 3 + c]!;
    }
    const X = R[0]! * p[0]! + R[1]! * p[1]! + R[2]! * p[2]! + t[0];
    const Y = R[3]! * p[0]! + R[4]! * p[1]! + R[5]! * p[2]! + t[1];
    const Z = R[6]! * p[0]! + R[7]! * p[1]! + R[8]! * p[2]! + t[2];
    const m = lm.landmarkIndex[l]!;
    out[m * 2] = (K.fx * X) / Z + K.cx;
    out[m * 2 + 1] = (K.fy * Y) / Z + K.cy;
  }
  return { uv: out, count: lm.landmarkIndex.length };
}

/** Model → OpenCV camera rotation for a head with yaw/pitch/roll (radians) relative to facing the camera. */
export function headRotation(yaw: number, pitch: number, roll: number): Float64Array {
  const facing = new Float64Array([1, 0, 0, 0, -1, 0, 0, 0, -1]);
  const local = mat3Mul(rodrigues(0, 0, roll), mat3Mul(rodrigues(pitch, 0, 0), rodrigues(0, yaw, 0)));
  return mat3Mul(facing, local);
}

export interface SyntheticCaptureOptions {
  frames: number;
  width?: number;
  height?: number;
  K?: Intrinsics;
  noisePx?: number;
  seed?: number;
  shape?: number[];
  /** Yaw amplitude (radians) of the head's sweep. */
  yawAmplitude?: number;
  depth?: number;
}

export function syntheticCapture(model: HeadModel, o: SyntheticCaptureOptions): { frames: FitFrame[]; truths: SyntheticTruth[]; K: Intrinsics; shape: number[] } {
  const width = o.width ?? 512, height = o.height ?? 512;
  const K = o.K ?? { fx: 1.1 * width, fy: 1.1 * width, cx: width / 2, cy: height / 2 };
  const rand = makeRandom(o.seed ?? 1);
  const shape = o.shape ?? Array.from({ length: model.shapeCount }, () => 0.5 * gaussian(rand));
  const frames: FitFrame[] = [], truths: SyntheticTruth[] = [];
  const E = model.expressionCount;
  const amp = o.yawAmplitude ?? 0.5;
  for (let i = 0; i < o.frames; i++) {
    const ph = (i / Math.max(1, o.frames - 1)) * Math.PI * 2;
    const truth: SyntheticTruth = {
      rotation: headRotation(amp * Math.sin(ph), 0.2 * Math.sin(2 * ph + 0.3), 0.1 * Math.cos(ph)),
      translation: [0.03 * Math.sin(ph), -0.02 + 0.01 * Math.cos(ph), (o.depth ?? 0.6) + 0.05 * Math.sin(ph * 0.5)],
      expression: Array.from({ length: E }, (_, e) => Math.max(0, 0.6 * Math.sin(ph * (1 + (e % 3)) + e))),
      jaw: [0.12 * Math.max(0, Math.sin(ph * 1.5)), 0, 0],
      eyes: [0.15 * Math.sin(ph), 0.2 * Math.cos(ph), 0.15 * Math.sin(ph), 0.2 * Math.cos(ph)],
    };
    const { uv } = projectLandmarks(model, shape, truth, K);
    const noise = o.noisePx ?? 0.5;
    for (let k = 0; k < uv.length; k++) uv[k]! += noise * gaussian(rand);
    frames.push({ landmarks: uv, confidence: new Float32Array(478).fill(1), width, height });
    truths.push(truth);
  }
  return { frames, truths, K, shape };
}
