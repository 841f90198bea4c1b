/**
 * Driver calibration: the driver's neutral face from N frames of landmarks ("hold a neutral face").
 *
 * The frames' 468 face landmarks (in model axes) are put through generalised Procrustes (similarity, weighted by
 * confidence, three rounds), the mean is normalised to the canonical face's size and placement — the same
 * normalisation `learnExpressionSpace` gives an avatar's mean face — and every frame is aligned to it once more to
 * measure the neutral head pose (rotation average), position, pixel scale, iris rest positions and how still the face
 * was (spread).
 */
import { canonicalFace } from '../open-head/build';
import { similarityAlign } from '../open-head/expression-space';
import { FACE_POINTS, IRIS_POINTS, mirrorPoints, toModelAxes } from './landmark-frame';
import { applySimilarity, centroid, nearestRotation } from './rigid';

/** One frame of driver landmarks: N × 3 (N = 468 or 478) in the detector's frame (x right, y down, pixels; z away). */
export interface DriverFrame {
  landmarks: ArrayLike<number>;
  /** N per-landmark confidences (0 = missing); default 1. */
  confidence?: ArrayLike<number>;
}

export interface DriverCalibration {
  /** 468 × 3 neutral face, model axes (+y up, +z towards the camera), metres, the canonical face's size and placement. */
  neutral: number[];
  /** 10 × 3 iris rest points in the neutral's frame (metres), or null when the frames had no iris points. */
  irisNeutral: number[] | null;
  /** Row-major 3×3: the neutral head's orientation in model axes (frame ≈ H · neutral, up to scale and shift). */
  headRotation: number[];
  /** Mean centroid of the 468 face landmarks, model axes, pixels. */
  centroid: [number, number, number];
  /** Metres per pixel at the neutral (the mean alignment scale). */
  metresPerPixel: number;
  frames: number;
  /** RMS distance (mm) of the aligned calibration frames from the neutral: large = the face moved or talked. */
  spreadMm: number;
}

/** Per-landmark alignment weights from a frame's confidences (468 face points). */
export function faceWeights(frame: DriverFrame): Float64Array | null {
  if (!frame.confidence) return null;
  const w = new Float64Array(FACE_POINTS);
  for (let i = 0; i < FACE_POINTS; i++) w[i] = Math.max(0, frame.confidence[i] ?? 0);
  return w;
}

export function pointCount(frame: DriverFrame): number {
  const n = Math.floor(frame.landmarks.length / 3);
  if (n < FACE_POINTS) throw new Error(`reenact: a driver frame needs at least ${FACE_POINTS} landmarks × 3, got ${frame.landmarks.length} numbers`);
  return n >= FACE_POINTS + IRIS_POINTS ? FACE_POINTS + IRIS_POINTS : FACE_POINTS;
}

/** Captures the driver's neutral from frames of a (roughly) neutral, still face. */
export function calibrateDriver(frames: DriverFrame[]): DriverCalibration {
  const good = frames.filter((f) => f && f.landmarks && f.landmarks.length >= FACE_POINTS * 3);
  if (good.length < 1) throw new Error('reenact: calibration needs at least one frame with landmarks');
  const N = FACE_POINTS, D = N * 3;
  const pts = good.map((f) => toModelAxes(f.landmarks, pointCount(f)));
  const weights = good.map(faceWeights);
  const canonical = Float64Array.from(canonicalFace());
  let target: Float64Array = canonical;
  const tmp = new Float64Array(D);
  for (let round = 0; round < 3; round++) {
    const mean = new Float64Array(D);
    for (let f = 0; f < pts.length; f++) {
      applySimilarity(similarityAlign(pts[f]!, target, weights[f]!, N), pts[f]!, N, tmp);
      for (let d = 0; d < D; d++) mean[d]! += tmp[d]! / pts.length;
    }
    target = applySimilarity(similarityAlign(mean, canonical, null, N), mean, N);
  }
  const H = new Float64Array(9);
  const c: [number, number, number] = [0, 0, 0];
  let scale = 0, spread = 0, irisCount = 0;
  const iris = new Float64Array(IRIS_POINTS * 3);
  const irisTmp = new Float64Array(IRIS_POINTS * 3);
  for (let f = 0; f < pts.length; f++) {
    const p = pts[f]!;
    const sim = similarityAlign(p, target, weights[f]!, N);
    applySimilarity(sim, p, N, tmp);
    for (let d = 0; d < D; d++) spread += (tmp[d]! - target[d]!) ** 2;
    // frame ≈ (1/s) Rᵀ (neutral − t): the head's orientation is Rᵀ
    for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) H[r * 3 + k]! += sim.R[k * 3 + r]! / pts.length;
    const cf = centroid(p, N);
    for (let k = 0; k < 3; k++) c[k] += cf[k] / pts.length;
    scale += sim.s / pts.length;
    if (p.length >= (N + IRIS_POINTS) * 3) {
      applySimilarity(sim, p.subarray(D, D + IRIS_POINTS * 3), IRIS_POINTS, irisTmp);
      for (let d = 0; d < IRIS_POINTS * 3; d++) iris[d]! += irisTmp[d]!;
      irisCount++;
    }
  }
  return {
    neutral: Array.from(target),
    irisNeutral: irisCount ? Array.from(iris, (v) => v / irisCount) : null,
    headRotation: Array.from(nearestRotation(H)),
    centroid: c,
    metresPerPixel: scale,
    frames: pts.length,
    spreadMm: 1000 * Math.sqrt(spread / (pts.length * N)),
  };
}

/** The calibration of the mirrored driver (x → −x, left/right landmarks swapped), so mirroring needs no recalibration. */
export function mirrorCalibration(cal: DriverCalibration): DriverCalibration {
  const neutral = Array.from(mirrorPoints(cal.neutral, FACE_POINTS));
  let irisNeutral: number[] | null = null;
  if (cal.irisNeutral) {
    const full = new Float64Array((FACE_POINTS + IRIS_POINTS) * 3);
    full.set(cal.irisNeutral, FACE_POINTS * 3);
    irisNeutral = Array.from(mirrorPoints(full, FACE_POINTS + IRIS_POINTS).subarray(FACE_POINTS * 3));
  }
  // H' = M H M with M = diag(−1, 1, 1): entries with exactly one index 0 change sign
  const headRotation = cal.headRotation.map((v, i) => ((Math.floor(i / 3) === 0) !== (i % 3 === 0) ? -v : v));
  return { ...cal, neutral, irisNeutral, headRotation, centroid: [-cal.centroid[0], cal.centroid[1], cal.centroid[2]] };
}

/** Collects frames for a calibration ("hold a neutral face" for N frames). */
export class CalibrationCollector {
  private readonly frames: DriverFrame[] = [];
  constructor(readonly needed: number) {
    if (!(needed >= 1)) throw new Error('reenact: calibration needs at least one frame');
  }
  add(frame: DriverFrame): void {
    if (this.frames.length < this.needed) this.frames.push({ landmarks: Float32Array.from(frame.landmarks as ArrayLike<number>), confidence: frame.confidence ? Float32Array.from(frame.confidence as ArrayLike<number>) : undefined });
  }
  get progress(): number {
    return this.frames.length / this.needed;
  }
  get done(): boolean {
    return this.frames.length >= this.needed;
  }
  finish(): DriverCalibration {
    return calibrateDriver(this.frames);
  }
}
