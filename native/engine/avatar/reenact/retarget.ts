/**
 * Retargeting: one frame of driver landmarks → avatar head parameters (expression coefficients, jaw, eyes, rigid head
 * pose relative to the neutral). See README.md for the maths.
 */
import { choleskySolve, rodrigues, rotationToAxisAngle } from '../math';
import { similarityAlign } from '../open-head/expression-space';
import { mirrorCalibration, pointCount, faceWeights, type DriverCalibration, type DriverFrame } from './calibration';
import { FACE_POINTS, IRIS_POINTS, mirrorPoints, mirrorWeights, toModelAxes } from './landmark-frame';
import { applySimilarity, centroid, invert3 } from './rigid';

/** The avatar's per-subject expression space (`ExpressionSpace` or its stored JSON form). */
export interface AvatarExpressionSpace {
  /** 468 × 3 mean face, model space, metres. */
  mean: ArrayLike<number>;
  /** count × 468 × 3 components (coefficient 1 = one standard deviation). */
  basis: ArrayLike<number>;
  count: number;
  /** count × 2 clamp range [min, max] (seen in training + margin). */
  range: ArrayLike<number>;
  /**
   * The avatar's rest expression (the footage's most closed-mouthed frames, `learnExpressionSpace`), the default of
   * `RetargetOptions.avatarNeutral`; absent (spaces learnt before it was recorded): see `avatarRest`.
   */
  rest?: ArrayLike<number>;
}

export interface RetargetOptions {
  /** Scales the driver's expression change (1 = as driven, 0 = frozen at the avatar's neutral). Default 1. */
  intensity?: number;
  /** Follow the driver's head rotation and position (relative to the neutral). Default true. */
  followPose?: boolean;
  /** Drive as a mirror image (the driver's right side moves the avatar's left). Default false. */
  mirror?: boolean;
  /** Drive the eyes from the iris landmarks. Default true. */
  eyes?: boolean;
  /** Clamp coefficients to the space's range. Default true. */
  clamp?: boolean;
  /**
   * The avatar's own neutral in coefficients, which the driver's expression change is added to. Default: the space's
   * `rest` (its footage's closed-mouth frames), else all zero (the footage's mean face — half open when the footage
   * opened the mouth often, which left the driven mouth half open at rest and clamped it on opening).
   */
  avatarNeutral?: ArrayLike<number>;
  /** Transfer the deformation through the affine map between the two neutrals ('affine'), or as is ('none'). Default 'affine'. */
  transfer?: 'affine' | 'none';
  /** Assumed camera distance at the neutral (m), turning the change of face size into a depth change. Default 0.6. */
  distance?: number;
  /** Eye rotation limit (rad). Default 0.5. */
  maxEyeAngle?: number;
}

/** What drives the avatar for one frame. */
export interface AvatarHeadParams {
  /** Expression coefficients (clamped unless `clamp: false`). */
  expression: Float32Array;
  /** Jaw axis-angle: zero — the mouth's opening is carried by the expression space, learnt from landmarks that include it. */
  jaw: [number, number, number];
  /** Left eye then right eye axis-angles (model space). */
  eyes: [number, number, number, number, number, number];
  /** Head rotation relative to the neutral, axis-angle in model space (zero when pose follow is off). */
  rotation: [number, number, number];
  /** Head translation relative to the neutral, metres in model space (+x the subject's left, +y up, +z towards the camera). */
  translation: [number, number, number];
  /** How many coefficients hit the clamp. */
  clamped: number;
  /** RMS (mm) of the driver's deformation the expression space cannot express (after transfer): a quality signal. */
  residualMm: number;
}

/**
 * Least-squares projector onto a space's basis augmented with the 7 infinitesimal similarity motions of its mean face
 * (3 translations, 3 rotations, 1 scale): the similarity alignment to the driver's neutral absorbs part of every
 * expression (an opening mouth makes the face taller, so the alignment shrinks it a little); fitting those motions
 * alongside the components, and dropping them, makes the coefficients blind to it. Cached per space object.
 */
interface PreparedSpace {
  K: number;
  /** (K + 7) × 1404: (BᵀB + λI)⁻¹ Bᵀ of the augmented basis; the first K rows give the coefficients. */
  P: Float64Array;
  /** (K + 7) × 1404 augmented basis. */
  basis: Float64Array;
  mean: Float64Array;
  /** Centred mean face (for the affine transfer). */
  meanCentred: Float64Array;
}

const SIMILARITY_MOTIONS = 7;
const prepared = new WeakMap<object, PreparedSpace>();

export function prepareSpace(space: AvatarExpressionSpace): PreparedSpace {
  const hit = prepared.get(space);
  if (hit) return hit;
  const K = space.count, D = FACE_POINTS * 3, M = K + SIMILARITY_MOTIONS;
  if (!(K >= 0) || space.basis.length < K * D || space.mean.length < D) throw new Error(`reenact: the expression space is malformed (${K} components, ${space.basis.length} basis numbers, ${space.mean.length} mean numbers)`);
  const mean = Float64Array.from({ length: D }, (_, i) => space.mean[i]!);
  const c = centroid(mean, FACE_POINTS);
  const meanCentred = Float64Array.from(mean, (v, i) => v - c[i % 3]!);
  const basis = new Float64Array(M * D);
  for (let i = 0; i < K * D; i++) basis[i] = space.basis[i]!;
  // similarity motions at the mean face, scaled to a few millimetres so the ridge treats them like the components
  const u = 0.005, r = 1 / 0.08;
  for (let i = 0; i < FACE_POINTS; i++) {
    const x = meanCentred[i * 3]!, y = meanCentred[i * 3 + 1]!, z = meanCentred[i * 3 + 2]!;
    for (let k = 0; k < 3; k++) basis[(K + k) * D + i * 3 + k] = u;
    // e_k × p
    const rot = [[0, -z, y], [z, 0, -x], [-y, x, 0]];
    for (let k = 0; k < 3; k++) for (let m = 0; m < 3; m++) basis[(K + 3 + k) * D + i * 3 + m] = u * r * rot[k]![m]!;
    basis[(K + 6) * D + i * 3] = u * r * x; basis[(K + 6) * D + i * 3 + 1] = u * r * y; basis[(K + 6) * D + i * 3 + 2] = u * r * z;
  }
  const G = new Float64Array(M * M);
  for (let a = 0; a < M; a++)
    for (let b = a; b < M; b++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += basis[a * D + d]! * basis[b * D + d]!;
      G[a * M + b] = G[b * M + a] = s;
    }
  let maxDiag = 0;
  for (let a = 0; a < M; a++) maxDiag = Math.max(maxDiag, G[a * M + a]!);
  for (let a = 0; a < M; a++) G[a * M + a]! += 1e-7 * maxDiag + 1e-30;
  // G⁻¹ column by column (M is a few dozen)
  const Ginv = new Float64Array(M * M);
  for (let col = 0; col < M; col++) {
    const e = new Float64Array(M);
    e[col] = 1;
    if (!choleskySolve(Float64Array.from(G), e, M)) throw new Error('reenact: the expression basis is degenerate');
    for (let row = 0; row < M; row++) Ginv[row * M + col] = e[row]!;
  }
  const P = new Float64Array(M * D);
  for (let a = 0; a < M; a++)
    for (let b = 0; b < M; b++) {
      const g = Ginv[a * M + b]!;
      if (g === 0) continue;
      for (let d = 0; d < D; d++) P[a * D + d]! += g * basis[b * D + d]!;
    }
  const out = { K, P, basis, mean, meanCentred };
  prepared.set(space, out);
  return out;
}

/**
 * The 3×3 linear part A of the least-squares affine map from the driver's neutral to the avatar's mean face; a
 * displacement d at the driver becomes A·d at the avatar (a wider driver face makes smaller sideways motion count).
 */
export function transferMatrix(driverNeutral: ArrayLike<number>, avatarMeanCentred: ArrayLike<number>): Float64Array {
  const n = FACE_POINTS;
  const c = centroid(driverNeutral, n);
  const Sxx = new Float64Array(9), Syx = new Float64Array(9);
  for (let i = 0; i < n; i++) {
    const x = [0, 1, 2].map((k) => driverNeutral[i * 3 + k]! - c[k]!);
    for (let r = 0; r < 3; r++)
      for (let k = 0; k < 3; k++) {
        Sxx[r * 3 + k]! += x[r]! * x[k]!;
        Syx[r * 3 + k]! += avatarMeanCentred[i * 3 + r]! * x[k]!;
      }
  }
  const inv = invert3(Sxx);
  if (!inv) return Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const A = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) for (let m = 0; m < 3; m++) A[r * 3 + k]! += Syx[r * 3 + m]! * inv[m * 3 + k]!;
  return A;
}

const transfers = new WeakMap<object, WeakMap<object, Float64Array>>();
const mirrored = new WeakMap<DriverCalibration, DriverCalibration>();

function cachedTransfer(cal: DriverCalibration, space: AvatarExpressionSpace, ps: PreparedSpace): Float64Array {
  let bySpace = transfers.get(cal);
  if (!bySpace) transfers.set(cal, (bySpace = new WeakMap()));
  let A = bySpace.get(space);
  if (!A) bySpace.set(space, (A = transferMatrix(cal.neutral, ps.meanCentred)));
  return A;
}

export function cachedMirror(cal: DriverCalibration): DriverCalibration {
  let m = mirrored.get(cal);
  if (!m) mirrored.set(cal, (m = mirrorCalibration(cal)));
  return m;
}

export const EYEBALL_RADIUS_M = 0.012;

/** The coefficients the driver's change is added to: `avatarNeutral`, else the space's `rest`, else zero. */
function restOf(space: AvatarExpressionSpace, avatarNeutral?: ArrayLike<number>): ArrayLike<number> | undefined {
  if (avatarNeutral) return avatarNeutral;
  return space.rest && space.rest.length >= space.count ? space.rest : undefined;
}

/** Neutral parameters for a space (the avatar at rest). */
export function neutralParams(space: AvatarExpressionSpace, avatarNeutral?: ArrayLike<number>): AvatarHeadParams {
  avatarNeutral = restOf(space, avatarNeutral);
  return {
    expression: Float32Array.from({ length: space.count }, (_, k) => avatarNeutral?.[k] ?? 0),
    jaw: [0, 0, 0], eyes: [0, 0, 0, 0, 0, 0], rotation: [0, 0, 0], translation: [0, 0, 0], clamped: 0, residualMm: 0,
  };
}

/** Retargets one frame of driver landmarks onto the avatar. Pure (caches only derived constants per object). */
export function retarget(frame: DriverFrame, calibration: DriverCalibration, space: AvatarExpressionSpace, options: RetargetOptions = {}): AvatarHeadParams {
  const intensity = options.intensity ?? 1;
  const N = FACE_POINTS, D = N * 3;
  const ps = prepareSpace(space);
  const count = pointCount(frame);
  let pts = toModelAxes(frame.landmarks, count);
  let w = faceWeights(frame);
  let cal = calibration;
  if (options.mirror) {
    pts = mirrorPoints(pts, count);
    if (w) w = mirrorWeights(w, N);
    cal = cachedMirror(calibration);
  }
  const A = options.transfer === 'none' ? null : cachedTransfer(cal, space, ps);
  const K = ps.K;
  // pass 1: rigid alignment to the neutral (neutral ≈ s R frame + t), coefficients of the deformation
  let sim = similarityAlign(pts, cal.neutral, w, N);
  let fit = projectDeformation(applySimilarity(sim, pts, N), cal.neutral, A, ps);
  // pass 2: re-align to the neutral wearing that expression (in the driver's frame), so the expression no longer
  // tilts or shifts the head pose; then the final coefficients
  const Ainv = A ? invert3(A) : null;
  const target = Float64Array.from(cal.neutral);
  for (let i = 0; i < N; i++) {
    const e = [0, 0, 0];
    for (let k = 0; k < K; k++) {
      const c = fit.coefficients[k]!;
      if (c === 0) continue;
      for (let m = 0; m < 3; m++) e[m]! += c * ps.basis[k * D + i * 3 + m]!;
    }
    for (let m = 0; m < 3; m++) target[i * 3 + m]! += Ainv ? Ainv[m * 3]! * e[0]! + Ainv[m * 3 + 1]! * e[1]! + Ainv[m * 3 + 2]! * e[2]! : e[m]!;
  }
  sim = similarityAlign(pts, target, w, N);
  fit = projectDeformation(applySimilarity(sim, pts, N), cal.neutral, A, ps);
  const raw = fit.coefficients;
  const expression = new Float32Array(K);
  const rest = restOf(space, options.avatarNeutral);
  let clamped = 0;
  for (let k = 0; k < K; k++) {
    let c = (rest?.[k] ?? 0) + intensity * raw[k]!;
    if (options.clamp !== false) {
      const lo = space.range[k * 2] ?? -3, hi = space.range[k * 2 + 1] ?? 3;
      if (c < lo) { c = lo; clamped++; } else if (c > hi) { c = hi; clamped++; }
    }
    expression[k] = c;
  }
  // eyes: iris centre shift in the neutral's frame → rotation about the eyeball centre
  const eyes: AvatarHeadParams['eyes'] = [0, 0, 0, 0, 0, 0];
  if (options.eyes !== false && cal.irisNeutral && count >= N + IRIS_POINTS) {
    const iris = applySimilarity(sim, pts.subarray(D, D + IRIS_POINTS * 3), IRIS_POINTS);
    const lim = options.maxEyeAngle ?? 0.5;
    const angle = (x: number) => Math.max(-lim, Math.min(lim, Math.asin(Math.max(-1, Math.min(1, x / EYEBALL_RADIUS_M)))));
    // points 473 (left eye) and 468 (right eye) are the iris centres; eyes[] is left then right
    for (const [slot, p] of [[0, 5], [1, 0]] as const) {
      const dx = iris[p * 3]! - cal.irisNeutral[p * 3]!, dy = iris[p * 3 + 1]! - cal.irisNeutral[p * 3 + 1]!;
      // +y rotation turns the front pole towards +x; +x rotation turns it towards −y
      eyes[slot * 3] = -angle(dy);
      eyes[slot * 3 + 1] = angle(dx);
    }
  }
  let rotation: AvatarHeadParams['rotation'] = [0, 0, 0];
  let translation: AvatarHeadParams['translation'] = [0, 0, 0];
  if (options.followPose !== false) {
    // frame orientation H = Rᵀ; relative to the neutral's H₀: R_rel = H H₀ᵀ
    const H0 = cal.headRotation;
    const Rrel = new Float64Array(9);
    for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) { let s = 0; for (let m = 0; m < 3; m++) s += sim.R[m * 3 + r]! * H0[k * 3 + m]!; Rrel[r * 3 + k] = s; }
    rotation = rotationToAxisAngle(Rrel);
    const c = centroid(pts, N);
    const mpp = sim.s;
    const dist = options.distance ?? 0.6;
    translation = [(c[0] - cal.centroid[0]) * mpp, (c[1] - cal.centroid[1]) * mpp, dist * (1 - mpp / cal.metresPerPixel)];
  }
  return { expression, jaw: [0, 0, 0], eyes, rotation, translation, clamped, residualMm: fit.residualMm };
}

/**
 * Aligned driver points → coefficients: d = A (aligned − neutral), transferred to the avatar's face; least squares on
 * the augmented basis; the residual (mm RMS per point) is what neither the components nor a similarity explain.
 */
function projectDeformation(aligned: Float64Array, neutral: ArrayLike<number>, A: Float64Array | null, ps: PreparedSpace): { coefficients: Float64Array; residualMm: number } {
  const N = FACE_POINTS, D = N * 3, M = ps.K + SIMILARITY_MOTIONS;
  const d = new Float64Array(D);
  for (let i = 0; i < N; i++) {
    const dx = aligned[i * 3]! - neutral[i * 3]!, dy = aligned[i * 3 + 1]! - neutral[i * 3 + 1]!, dz = aligned[i * 3 + 2]! - neutral[i * 3 + 2]!;
    if (!A) { d[i * 3] = dx; d[i * 3 + 1] = dy; d[i * 3 + 2] = dz; continue; }
    for (let r = 0; r < 3; r++) d[i * 3 + r] = A[r * 3]! * dx + A[r * 3 + 1]! * dy + A[r * 3 + 2]! * dz;
  }
  const coef = new Float64Array(M);
  for (let k = 0; k < M; k++) {
    let s = 0;
    const row = k * D;
    for (let j = 0; j < D; j++) s += ps.P[row + j]! * d[j]!;
    coef[k] = s;
  }
  for (let k = 0; k < M; k++) {
    const c = coef[k]!, row = k * D;
    for (let j = 0; j < D; j++) d[j]! -= c * ps.basis[row + j]!;
  }
  let res = 0;
  for (let j = 0; j < D; j++) res += d[j]! ** 2;
  return { coefficients: coef.subarray(0, ps.K), residualMm: 1000 * Math.sqrt(res / N) };
}

/** Rotation matrix of a params' relative head rotation (row-major). */
export function headRotationMatrix(p: Pick<AvatarHeadParams, 'rotation'>): Float64Array {
  return rodrigues(p.rotation[0], p.rotation[1], p.rotation[2]);
}

/**
 * The params' rigid pose as an OpenCV-camera pose around a frontal base pose (what fit.json frames hold and the
 * viewport's HeadRig and the trainer's renderer take): R = F · R_rel, t = t_base + F · t_rel, F = diag(1, −1, −1).
 */
export function cameraPose(p: Pick<AvatarHeadParams, 'rotation' | 'translation'>, baseTranslation: ArrayLike<number>): { rotation: [number, number, number]; translation: [number, number, number] } {
  const R = headRotationMatrix(p);
  const C = Float64Array.from([R[0]!, R[1]!, R[2]!, -R[3]!, -R[4]!, -R[5]!, -R[6]!, -R[7]!, -R[8]!]);
  return {
    rotation: rotationToAxisAngle(C),
    translation: [baseTranslation[0]! + p.translation[0], baseTranslation[1]! - p.translation[1], baseTranslation[2]! - p.translation[2]],
  };
}
