/**
 * Landmark fitting of a head model to a capture: per frame the head pose (rotation, translation in OpenCV camera space),
 * expression, jaw and eyes; shape shared across the capture (alternating with the per-frame fits over keyframes);
 * intrinsics given, or estimated once per capture (focal by a 1-D search, principal point at the image centre).
 * Each solve is Levenberg–Marquardt on confidence-weighted (times a per-landmark reliability), Huber-robust 2D
 * reprojection residuals with coefficient priors and temporal smoothness to the previous frame. The shape prior scales
 * with the model's population spread, the measured landmark noise and how correlated that noise is between
 * neighbouring landmarks (see `FitOptions.shapePrior`), so detector bias does not become face depth/width.
 * Jacobians: analytic for pose, translation, expression and shape (the model is affine in its blend coefficients for
 * fixed joint rotations), forward differences for jaw and eyes.
 */
import { landmarkSubset, SkinnedHeadModel, SubsetEvaluator, type HeadModel, JOINT_COUNT } from '../head-model';
import { choleskySolve, mat3Mul, rodrigues, rotationToAxisAngle } from '../math';
import { CANONICAL_FACE_TRIANGLES } from '../open-head/canonical-face';

export interface FitFrame {
  /** N × 2 or N × 3 (x, y in pixels; a third coordinate is ignored), N = 468 or 478, MediaPipe order. */
  landmarks: ArrayLike<number>;
  /** N confidences in [0, 1]; 0 = missing. Default 1. */
  confidence?: ArrayLike<number>;
  width: number;
  height: number;
}

export interface Intrinsics { fx: number; fy: number; cx: number; cy: number }

export interface FitOptions {
  intrinsics?: Intrinsics;
  /** Coordinates per landmark in `landmarks` (2 or 3); inferred when absent. */
  stride?: 2 | 3;
  keyframes?: number; // frames used for shape (and focal) estimation; default 8
  shapeRounds?: number; // default 3
  fitShape?: boolean; // default true
  iterations?: number; // LM iterations per frame; default 12 (first frame 25)
  huberPx?: number; // default 2 (3 before: the detector's biased points pulled more)
  expressionPrior?: number; // default 0.5 (px² per unit coefficient²)
  /**
   * Shape prior relative to the landmark noise: per landmark observation, the prior on the shape coefficients (in
   * units of the model's `shapeSigma`) weighs `shapePrior × σ̂² × (1 + ρ)/(1 − ρ)` px² per unit², where σ̂² is the
   * robust mean squared landmark error left after a first, nearly free shape fit over the keyframes (median of the
   * squared errors × 2 / ln 4, a 2-D Gaussian's mean) and ρ (0..0.9) the correlation of those residuals between
   * mesh-neighbour landmarks. (1 − ρ)/(1 + ρ) is the effective share of independent observations among correlated
   * ones: independent noise (ρ ≈ 0) leaves the shape nearly free, while a detector's bias, which moves whole features
   * (ρ ≈ 0.75 on our renders, σ̂ ≈ 1.7 px), cannot turn into extra face width, which would move the head's distance.
   * Default 0.08.
   */
  shapePrior?: number;
  /** Floor of the shape prior, px² per unit² per landmark observation (applies in the first, free shape round too). Default 0.01. */
  shapePriorFloor?: number;
  /**
   * Per-landmark reliability (MediaPipe index, 468 or 478 entries), multiplied into the confidences.
   * Default `DEFAULT_LANDMARK_WEIGHTS`; pass null for uniform weights.
   */
  landmarkWeights?: ArrayLike<number> | null;
  /**
   * Prior on the focal length when it is estimated: log-normal around `factor` × max(width, height) with `logSigma`.
   * Its cost is `weight × observations × (ln(f / f₀) / logSigma)²` px² (`weight` px² per landmark at 1 σ): it decides
   * where the landmarks barely constrain the focal length (the cost curve is flat) and gives way where they do (a
   * distant or flat subject that clearly wants a long lens). Default none: on our renders the estimate is ≈ 15–20 %
   * short with or without a weak prior, and a prior strong enough to matter there (e.g. { factor: 1, logSigma: 0.5,
   * weight: 0.3 }) doubles the fit error on weak-perspective footage (a panned photo: 1.14 → 1.7 px).
   */
  focalPrior?: { factor: number; logSigma: number; weight?: number } | null;
  /**
   * The focal-length search (when intrinsics are not given), a fixed cost per capture: keyframes fitted at each
   * candidate (default 4, spread over the capture's keyframes; 8 found the same focal length on real footage and a
   * clean synthetic capture in twice the time) and golden-section steps after the 6-point grid (default 8; 4 moved
   * the clean synthetic estimate 560 → 543, true 563).
   */
  focalSearch?: { keyframes?: number; iterations?: number; grid?: number[] };
  jawPrior?: number; // default 50 (per rad²)
  eyePrior?: number; // default 20
  temporal?: { rotation?: number; translation?: number; expression?: number; jaw?: number }; // defaults 0 (off)
  /** Clamp expression coefficients to the model's range after each frame. Default true. */
  clamp?: boolean;
}

export interface FrameFitResult {
  /** Axis-angle of the model→camera rotation (OpenCV camera: x right, y down, z forward). */
  rotation: [number, number, number];
  /** Camera-space translation of the model origin, metres. */
  translation: [number, number, number];
  expression: Float32Array;
  jaw: [number, number, number];
  /** Left eye then right eye axis-angles (roll is 0). */
  eyes: [number, number, number, number, number, number];
  /** RMS distance between projected model landmarks and the observed ones (px, confident landmarks only). */
  reprojectionErrorPx: number;
  landmarksUsed: number;
}

export interface CaptureFitResult {
  frames: FrameFitResult[];
  shape: Float32Array;
  intrinsics: Intrinsics;
  msPerFrame: number;
  /** Robust RMS landmark error over the keyframes after the free shape round (px); it sets the shape prior's weight. */
  landmarkNoisePx?: number;
  /** Correlation of the landmark residuals between mesh neighbours after the free shape round (0..0.9); it scales the shape prior. */
  landmarkCorrelation?: number;
  /** The focal-length search's evaluations (factor × max(width, height), cost with the prior), by factor; none when given. */
  focalCosts?: { factor: number; cost: number }[];
}

export type FitProgress = (fraction: number, message: string) => void;

interface FrameState {
  R: Float64Array; // 9
  t: Float64Array; // 3
  expr: Float64Array;
  jaw: Float64Array; // 3
  eyes: Float64Array; // 4 (left x,y, right x,y)
}

const EYE_PARAMS = 4;

/** MediaPipe's face oval (36 points, from the forehead round the right side, chin, left side). */
export const FACE_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109];
/** Iris contour points (4 per eye, 469–472 and 474–477); the centres are 468 and 473. */
export const IRIS_CONTOUR = [469, 470, 471, 472, 474, 475, 476, 477];

/**
 * Default per-landmark reliability (478, MediaPipe order):
 * - face oval 0.1: the detector puts these on the visible face boundary (silhouette, hair line, jaw/neck edge),
 *   not on fixed surface points; on our renders they are 6–10 px RMS off their vertices, mostly inwards (the chin
 *   10–16 px high), which makes the face look shorter, so the head comes out wider and farther. From 0.5 to 0.1 (with
 *   Huber 2 px): the synthetic recovery test's landmark depth error 1.7–4.3 → 0.9–3.5 %, rotation 0.1–0.3° worse
 *   (the photometric refinement corrects rotation, not the keyframe's depth). Kept above 0 as a weak silhouette term.
 * - iris contour 0.25: they carry only the iris radius (fixed in the model) and the gaze the centre already gives;
 *   their order also differs between the eyes (the left eye's crop is mirrored in the detector).
 * - everything else 1.
 */
export const DEFAULT_LANDMARK_WEIGHTS: Float32Array = (() => {
  const w = new Float32Array(478).fill(1);
  for (const m of FACE_OVAL) w[m] = 0.1;
  for (const m of IRIS_CONTOUR) w[m] = 0.25;
  return w;
})();

function inferStride(frame: FitFrame, options: FitOptions): 2 | 3 {
  if (options.stride) return options.stride;
  const n = frame.landmarks.length;
  if (n === 468 * 2 || n === 478 * 2) return 2;
  if (n === 468 * 3 || n === 478 * 3) return 3;
  throw new Error(`fitting: landmark array of length ${n} is neither 468/478 × 2 nor × 3`);
}

/** The fitting context: one model, its landmark subset evaluator and reusable buffers. */
export class LandmarkFitter {
  readonly ev: SubsetEvaluator;
  readonly slots: Int32Array;
  readonly bary: Float64Array;
  readonly lmIndex: Int32Array;
  readonly L: number;
  readonly E: number;
  readonly S: number;
  shape: Float64Array;
  /** 1 / σ² of each shape coefficient (the model's population spread; 1 where it gives none). */
  readonly shapePrecision: Float64Array;
  private exprJac: Float64Array;
  private shapeJac: Float64Array;

  constructor(readonly model: HeadModel, readonly opts: FitOptions = {}) {
    if (!(model instanceof SkinnedHeadModel)) throw new Error('fitting: the head model must be a SkinnedHeadModel');
    const { vertices, slots } = landmarkSubset(model);
    this.ev = new SubsetEvaluator(model, vertices);
    this.slots = slots;
    this.bary = Float64Array.from(model.landmarks.barycentric);
    this.lmIndex = model.landmarks.landmarkIndex;
    this.L = this.lmIndex.length;
    this.E = model.expressionCount;
    this.S = model.shapeCount;
    this.shape = new Float64Array(this.S);
    const sigma = model.data.shapeSigma;
    this.shapePrecision = Float64Array.from({ length: this.S }, (_, k) => 1 / (sigma?.[k] ?? 1) ** 2);
    this.exprJac = new Float64Array(this.ev.n * 3 * Math.max(1, this.E));
    this.shapeJac = new Float64Array(this.ev.n * 3 * Math.max(1, this.S));
  }

  private edges: Int32Array | null = null;
  /** Pairs of fitter slots whose MediaPipe landmarks share a face-mesh edge (flat [a, b, a, b, …]). */
  neighbourEdges(): Int32Array {
    if (this.edges) return this.edges;
    const slotOf = new Map<number, number>();
    for (let l = 0; l < this.L; l++) slotOf.set(this.lmIndex[l]!, l);
    const seen = new Set<number>(), out: number[] = [];
    const T = CANONICAL_FACE_TRIANGLES;
    for (let t = 0; t < T.length; t += 3)
      for (let k = 0; k < 3; k++) {
        const a = slotOf.get(T[t + k]!), b = slotOf.get(T[t + ((k + 1) % 3)]!);
        if (a === undefined || b === undefined) continue;
        const key = Math.min(a, b) * 100000 + Math.max(a, b);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(a, b);
      }
    return (this.edges = Int32Array.from(out));
  }

  jointRotations(s: FrameState): Float64Array {
    const r = new Float64Array(JOINT_COUNT * 3);
    r.set(s.jaw, 6);
    r[9] = s.eyes[0]!; r[10] = s.eyes[1]!;
    r[12] = s.eyes[2]!; r[13] = s.eyes[3]!;
    return r;
  }

  /** Model-space landmark points (L × 3) from subset vertex positions. */
  landmarksFrom(points: Float64Array, out = new Float64Array(this.L * 3)): Float64Array {
    for (let l = 0; l < this.L; l++)
      for (let c = 0; c < 3; c++) {
        let x = 0;
        for (let k = 0; k < 3; k++) x += this.bary[l * 3 + k]! * points[this.slots[l * 3 + k]! * 3 + c]!;
        out[l * 3 + c] = x;
      }
    return out;
  }

  /** Model-space landmarks for a state (also leaves the evaluator posed for Jacobians). */
  modelLandmarks(s: FrameState): { M: Float64Array; points: Float64Array; tf: ReturnType<SubsetEvaluator['pose']>['tf'] } {
    this.ev.blend(this.shape, s.expr);
    const { points, tf } = this.ev.pose(this.jointRotations(s));
    return { M: this.landmarksFrom(points), points: Float64Array.from(points), tf };
  }

  /**
   * Residuals and (optionally) the normal equations for parameters:
   * [δrot 3, t 3, expr E, jaw 3, eyes 4] (+ shape S when withShape).
   */
  linearise(s: FrameState, obs: Float64Array, w: Float64Array, K: Intrinsics, withShape: boolean, build: boolean, huber: number): { cost: number; JtJ?: Float64Array; Jtr?: Float64Array; n: number; sq: number; used: number; J?: Float64Array } {
    const E = this.E, S = withShape ? this.S : 0;
    const P = 6 + E + 3 + EYE_PARAMS + S;
    const { M, tf } = this.modelLandmarks(s);
    let dM: Float64Array | null = null; // L × 3 × (E + 7 + S) in model space for the non-rigid params
    const NR = E + 3 + EYE_PARAMS + S;
    if (build) {
      dM = new Float64Array(this.L * 3 * NR);
      const n = this.ev.n;
      const vJ = new Float64Array(n * 3 * NR);
      if (E > 0) {
        this.ev.blendJacobian('expression', 0, E, tf, this.exprJac);
        for (let r = 0; r < n * 3; r++) for (let e = 0; e < E; e++) vJ[r * NR + e] = this.exprJac[r * E + e]!;
      }
      if (S > 0) {
        this.ev.blendJacobian('shape', 0, S, tf, this.shapeJac);
        for (let r = 0; r < n * 3; r++) for (let k = 0; k < S; k++) vJ[r * NR + E + 7 + k] = this.shapeJac[r * S + k]!;
      }
      // jaw and eyes by forward differences (blend is cached in the evaluator)
      const base = this.ev.pose(this.jointRotations(s)).points.slice();
      const h = 1e-4;
      const rot = this.jointRotations(s);
      const slots = [6, 7, 8, 9, 10, 12, 13];
      slots.forEach((slot, q) => {
        const r2 = Float64Array.from(rot);
        r2[slot]! += h;
        const p = this.ev.pose(r2).points;
        for (let r = 0; r < n * 3; r++) vJ[r * NR + E + q] = (p[r]! - base[r]!) / h;
      });
      for (let l = 0; l < this.L; l++)
        for (let c = 0; c < 3; c++)
          for (let k = 0; k < 3; k++) {
            const b = this.bary[l * 3 + k]!;
            if (b === 0) continue;
            const src = (this.slots[l * 3 + k]! * 3 + c) * NR, dst = (l * 3 + c) * NR;
            for (let q = 0; q < NR; q++) dM[dst + q]! += b * vJ[src + q]!;
          }
    }
    const JtJ = build ? new Float64Array(P * P) : undefined;
    const Jtr = build ? new Float64Array(P) : undefined;
    const row = new Float64Array(P);
    const row2 = new Float64Array(P);
    let cost = 0, sq = 0, used = 0;
    const R = s.R, t = s.t;
    for (let l = 0; l < this.L; l++) {
      const wl = w[l]!;
      if (!(wl > 0)) continue;
      const mx = M[l * 3]!, my = M[l * 3 + 1]!, mz = M[l * 3 + 2]!;
      const rx = R[0]! * mx + R[1]! * my + R[2]! * mz, ry = R[3]! * mx + R[4]! * my + R[5]! * mz, rz = R[6]! * mx + R[7]! * my + R[8]! * mz;
      const X = rx + t[0]!, Y = ry + t[1]!, Z = rz + t[2]!;
      if (!(Z > 1e-4)) { cost += wl * 1e6; continue; }
      const u = K.fx * X / Z + K.cx, v = K.fy * Y / Z + K.cy;
      const eu = u - obs[l * 2]!, evv = v - obs[l * 2 + 1]!;
      const e2 = eu * eu + evv * evv;
      sq += e2; used++;
      const e = Math.sqrt(e2);
      const hw = e <= huber ? 1 : huber / e; // IRLS Huber weight
      const W = wl * hw;
      cost += wl * (e <= huber ? e2 : 2 * huber * e - huber * huber);
      if (!build) continue;
      // d(u,v)/dX
      const a0 = K.fx / Z, a2 = -K.fx * X / (Z * Z), b1 = K.fy / Z, b2 = -K.fy * Y / (Z * Z);
      // rotation (left perturbation): dX/dδ = −[RM]×
      // [RM]× = [[0,−rz,ry],[rz,0,−rx],[−ry,rx,0]] → −[RM]× columns
      const dXd = [[0, rz, -ry], [-rz, 0, rx], [ry, -rx, 0]]; // dXd[i][j] = d X_i / d δ_j
      for (let j = 0; j < 3; j++) {
        row[j] = a0 * dXd[0]![j]! + a2 * dXd[2]![j]!;
        row2[j] = b1 * dXd[1]![j]! + b2 * dXd[2]![j]!;
      }
      row[3] = a0; row[4] = 0; row[5] = a2;
      row2[3] = 0; row2[4] = b1; row2[5] = b2;
      for (let q = 0; q < NR; q++) {
        const d0 = dM![(l * 3) * NR + q]!, d1 = dM![(l * 3 + 1) * NR + q]!, d2 = dM![(l * 3 + 2) * NR + q]!;
        const X0 = R[0]! * d0 + R[1]! * d1 + R[2]! * d2, X1 = R[3]! * d0 + R[4]! * d1 + R[5]! * d2, X2 = R[6]! * d0 + R[7]! * d1 + R[8]! * d2;
        row[6 + q] = a0 * X0 + a2 * X2;
        row2[6 + q] = b1 * X1 + b2 * X2;
      }
      for (let i = 0; i < P; i++) {
        const ri = row[i]!, r2i = row2[i]!;
        Jtr![i]! += W * (ri * eu + r2i * evv);
        if (ri === 0 && r2i === 0) continue;
        for (let j = i; j < P; j++) JtJ![i * P + j]! += W * (ri * row[j]! + r2i * row2[j]!);
      }
    }
    if (JtJ) for (let i = 0; i < P; i++) for (let j = 0; j < i; j++) JtJ[i * P + j] = JtJ[j * P + i]!;
    return { cost, JtJ, Jtr, n: P, sq, used };
  }
}

function cloneState(s: FrameState): FrameState {
  return { R: Float64Array.from(s.R), t: Float64Array.from(s.t), expr: Float64Array.from(s.expr), jaw: Float64Array.from(s.jaw), eyes: Float64Array.from(s.eyes) };
}

interface Priors {
  expr: number; jaw: number; eye: number; shape: number;
  prev: FrameState | null;
  temporal: { rotation: number; translation: number; expression: number; jaw: number };
  depthScale: number; // px per metre of translation for the temporal term
}

/** Adds prior/temporal terms (cost, gradient, Hessian) for state s. */
function addPriors(s: FrameState, f: LandmarkFitter, pr: Priors, JtJ: Float64Array | undefined, Jtr: Float64Array | undefined, P: number): number {
  let cost = 0;
  const E = f.E;
  const add = (idx: number, value: number, weight: number): void => {
    cost += weight * value * value;
    if (JtJ && Jtr) { JtJ[idx * P + idx]! += weight; Jtr[idx]! += weight * value; }
  };
  for (let e = 0; e < E; e++) add(6 + e, s.expr[e]!, pr.expr);
  for (let k = 0; k < 3; k++) add(6 + E + k, s.jaw[k]!, pr.jaw * (k === 0 ? 1 : 10));
  for (let k = 0; k < EYE_PARAMS; k++) add(6 + E + 3 + k, s.eyes[k]!, pr.eye);
  const p = pr.prev;
  if (p) {
    const T = pr.temporal;
    if (T.rotation > 0) {
      const rel = mat3Mul(s.R, [p.R[0]!, p.R[3]!, p.R[6]!, p.R[1]!, p.R[4]!, p.R[7]!, p.R[2]!, p.R[5]!, p.R[8]!]);
      const w = rotationToAxisAngle(rel);
      for (let k = 0; k < 3; k++) add(k, w[k]!, T.rotation);
    }
    if (T.translation > 0) for (let k = 0; k < 3; k++) add(3 + k, s.t[k]! - p.t[k]!, T.translation * pr.depthScale * pr.depthScale);
    if (T.expression > 0) for (let e = 0; e < E; e++) add(6 + e, s.expr[e]! - p.expr[e]!, T.expression);
    if (T.jaw > 0) for (let k = 0; k < 3; k++) add(6 + E + k, s.jaw[k]! - p.jaw[k]!, T.jaw);
  }
  return cost;
}

function applyStep(s: FrameState, d: Float64Array, E: number): FrameState {
  const n = cloneState(s);
  const dR = rodrigues(-d[0]!, -d[1]!, -d[2]!);
  mat3Mul(dR, s.R, n.R);
  for (let k = 0; k < 3; k++) n.t[k] = s.t[k]! - d[3 + k]!;
  for (let e = 0; e < E; e++) n.expr[e] = s.expr[e]! - d[6 + e]!;
  for (let k = 0; k < 3; k++) n.jaw[k] = s.jaw[k]! - d[6 + E + k]!;
  for (let k = 0; k < EYE_PARAMS; k++) n.eyes[k] = s.eyes[k]! - d[6 + E + 3 + k]!;
  return n;
}

interface Observation { obs: Float64Array; w: Float64Array; count: number; weight: number }

function observation(f: LandmarkFitter, frame: FitFrame, stride: number, weights: ArrayLike<number> | null): Observation {
  const N = frame.landmarks.length / stride;
  const obs = new Float64Array(f.L * 2), w = new Float64Array(f.L);
  let count = 0, weight = 0;
  for (let l = 0; l < f.L; l++) {
    const m = f.lmIndex[l]!;
    if (m >= N) continue;
    const x = frame.landmarks[m * stride]!, y = frame.landmarks[m * stride + 1]!;
    const c = (frame.confidence ? frame.confidence[m]! : 1) * (weights && m < weights.length ? weights[m]! : 1);
    if (!(c > 0) || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    obs[l * 2] = x; obs[l * 2 + 1] = y; w[l] = c; count++; weight += c;
  }
  return { obs, w, count, weight };
}

/** Levenberg–Marquardt on one frame (the shape is the fitter's, fixed here). */
function solveFrame(f: LandmarkFitter, o: Observation, K: Intrinsics, init: FrameState, pr: Priors, iterations: number, huber: number, mask?: { rigidOnly?: boolean }): { s: FrameState; cost: number } {
  let s = cloneState(init);
  const E = f.E;
  let mu = 1e-3;
  const evalCost = (st: FrameState): number => f.linearise(st, o.obs, o.w, K, false, false, huber).cost + addPriors(st, f, pr, undefined, undefined, 0);
  let cur = f.linearise(s, o.obs, o.w, K, false, true, huber);
  let cost = cur.cost + addPriors(s, f, pr, cur.JtJ, cur.Jtr, cur.n);
  for (let it = 0; it < iterations; it++) {
    const P = cur.n;
    const H = cur.JtJ!, g = cur.Jtr!;
    if (mask?.rigidOnly) for (let i = 6; i < P; i++) { for (let j = 0; j < P; j++) { H[i * P + j] = 0; H[j * P + i] = 0; } H[i * P + i] = 1; g[i] = 0; }
    let accepted = false;
    for (let tries = 0; tries < 6 && !accepted; tries++) {
      const A = Float64Array.from(H);
      for (let i = 0; i < P; i++) A[i * P + i] = H[i * P + i]! * (1 + mu) + 1e-9;
      const d = Float64Array.from(g);
      if (!choleskySolve(A, d, P)) { mu *= 10; continue; }
      const next = applyStep(s, d, E);
      const c = evalCost(next);
      if (c < cost) {
        accepted = true;
        const rel = (cost - c) / Math.max(cost, 1e-12);
        s = next; cost = c; mu = Math.max(1e-7, mu / 3);
        if (rel < 1e-7) return { s, cost };
      } else mu *= 8;
    }
    if (!accepted) break;
    cur = f.linearise(s, o.obs, o.w, K, false, true, huber);
    addPriors(s, f, pr, cur.JtJ, cur.Jtr, cur.n);
  }
  return { s, cost };
}

/** Joint LM over the shared shape and all keyframe states (bundle adjustment over the keyframes). */
function solveJoint(f: LandmarkFitter, obs: Observation[], K: Intrinsics, states: FrameState[], pr: Priors, iterations: number, huber: number, shapePerObservation: number): FrameState[] {
  const S = f.S, E = f.E, P0 = 6 + E + 3 + EYE_PARAMS, F = states.length, D = S + F * P0;
  const noPrev: Priors = { ...pr, prev: null };
  const shapeW = shapePerObservation * obs.reduce((a, o) => a + o.weight, 0);
  const total = (sts: FrameState[], sh: Float64Array): number => {
    const keep = f.shape; f.shape = sh;
    let c = 0;
    sts.forEach((st, i) => { c += f.linearise(st, obs[i]!.obs, obs[i]!.w, K, false, false, huber).cost + addPriors(st, f, noPrev, undefined, undefined, 0); });
    f.shape = keep;
    for (let k = 0; k < S; k++) c += shapeW * f.shapePrecision[k]! * sh[k]! ** 2;
    return c;
  };
  let cost = total(states, f.shape);
  let mu = 1e-3;
  for (let it = 0; it < iterations; it++) {
    const H = new Float64Array(D * D), g = new Float64Array(D);
    states.forEach((st, i) => {
      const lin = f.linearise(st, obs[i]!.obs, obs[i]!.w, K, true, true, huber);
      addPriors(st, f, noPrev, lin.JtJ, lin.Jtr, lin.n);
      const P = lin.n; // P0 + S
      const map = (q: number): number => (q < P0 ? S + i * P0 + q : q - P0);
      for (let a = 0; a < P; a++) {
        g[map(a)]! += lin.Jtr![a]!;
        for (let b = 0; b < P; b++) H[map(a) * D + map(b)]! += lin.JtJ![a * P + b]!;
      }
    });
    for (let k = 0; k < S; k++) { const w = shapeW * f.shapePrecision[k]!; H[k * D + k]! += w; g[k]! += w * f.shape[k]!; }
    let accepted = false;
    for (let tries = 0; tries < 6 && !accepted; tries++) {
      const A = Float64Array.from(H);
      for (let i = 0; i < D; i++) A[i * D + i] = H[i * D + i]! * (1 + mu) + 1e-9;
      const d = Float64Array.from(g);
      if (!choleskySolve(A, d, D)) { mu *= 10; continue; }
      const sh = Float64Array.from(f.shape, (x, k) => x - d[k]!);
      const next = states.map((st, i) => applyStep(st, d.subarray(S + i * P0, S + (i + 1) * P0), E));
      const c = total(next, sh);
      if (c < cost) { const rel = (cost - c) / cost; f.shape = sh; states = next; cost = c; accepted = true; mu = Math.max(1e-7, mu / 3); if (rel < 1e-8) return states; } else mu *= 8;
    }
    if (!accepted) break;
  }
  return states;
}

/** Observed minus projected landmark, per fitter slot (L × 2; NaN where the landmark is not used). */
function residuals(f: LandmarkFitter, s: FrameState, o: Observation, K: Intrinsics, out: Float64Array): void {
  const { M } = f.modelLandmarks(s);
  const R = s.R, t = s.t;
  out.fill(NaN);
  for (let l = 0; l < f.L; l++) {
    if (!(o.w[l]! > 0)) continue;
    const mx = M[l * 3]!, my = M[l * 3 + 1]!, mz = M[l * 3 + 2]!;
    const X = R[0]! * mx + R[1]! * my + R[2]! * mz + t[0]!, Y = R[3]! * mx + R[4]! * my + R[5]! * mz + t[1]!, Z = R[6]! * mx + R[7]! * my + R[8]! * mz + t[2]!;
    if (!(Z > 1e-4)) continue;
    out[l * 2] = o.obs[l * 2]! - (K.fx * X / Z + K.cx);
    out[l * 2 + 1] = o.obs[l * 2 + 1]! - (K.fy * Y / Z + K.cy);
  }
}

/**
 * Correlation of the landmark residuals (from `residuals`, one L × 2 array per fit) between mesh neighbours (MediaPipe
 * topology): ≈ 0 for independent noise, ≈ 0.8 for a detector whose bias moves whole features. Residuals are clipped
 * at 3 × the robust RMS so a few outliers do not decide it.
 */
function neighbourCorrelation(f: LandmarkFitter, res: Float64Array[], noise: number): number {
  const edges = f.neighbourEdges();
  const clip = 3 * Math.sqrt(Math.max(noise, 1e-12));
  let sab = 0, saa = 0, sbb = 0;
  const scale = new Float64Array(f.L);
  for (const r of res) {
    for (let l = 0; l < f.L; l++) { const n = Math.hypot(r[l * 2]!, r[l * 2 + 1]!); scale[l] = n > clip ? clip / n : 1; }
    for (let e = 0; e < edges.length; e += 2) {
      const a = edges[e]!, b = edges[e + 1]!;
      if (Number.isNaN(r[a * 2]!) || Number.isNaN(r[b * 2]!)) continue;
      const ax = r[a * 2]! * scale[a]!, ay = r[a * 2 + 1]! * scale[a]!, bx = r[b * 2]! * scale[b]!, by = r[b * 2 + 1]! * scale[b]!;
      sab += ax * bx + ay * by;
      saa += ax * ax + ay * ay;
      sbb += bx * bx + by * by;
    }
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Robust mean squared landmark error (px²) of residuals: the median of the squared errors scaled to a 2-D Gaussian's mean. */
function robustNoise(res: Float64Array[]): number {
  const e: number[] = [];
  for (const r of res) for (let l = 0; l < r.length >> 1; l++) if (!Number.isNaN(r[l * 2]!)) e.push(r[l * 2]! ** 2 + r[l * 2 + 1]! ** 2);
  if (e.length === 0) return 0;
  e.sort((a, b) => a - b);
  return (e[e.length >> 1]! * 2) / Math.log(4);
}

/** Candidate focal lengths of the search, × max(width, height), before its golden-section steps. */
export const FOCAL_GRID = [0.6, 0.9, 1.3, 1.9, 2.8, 4];

function defaultIntrinsics(width: number, height: number, focalFactor: number): Intrinsics {
  const f = focalFactor * Math.max(width, height);
  return { fx: f, fy: f, cx: width / 2, cy: height / 2 };
}

/** Initial rigid pose: the best of a few yaw guesses, each aligned by a short rigid-only LM. */
function initialState(f: LandmarkFitter, o: Observation, K: Intrinsics, pr: Priors, huber: number): FrameState {
  const E = f.E;
  const base: FrameState = { R: new Float64Array([1, 0, 0, 0, -1, 0, 0, 0, -1]), t: new Float64Array(3), expr: new Float64Array(E), jaw: new Float64Array(3), eyes: new Float64Array(EYE_PARAMS) };
  const { M } = f.modelLandmarks(base);
  // model extent vs image extent → depth; image centroid → x, y
  let mx = 0, my = 0, n = 0, ux = 0, uy = 0;
  for (let l = 0; l < f.L; l++) if (o.w[l]! > 0) { mx += M[l * 3]!; my += M[l * 3 + 1]!; ux += o.obs[l * 2]!; uy += o.obs[l * 2 + 1]!; n++; }
  mx /= n; my /= n; ux /= n; uy /= n;
  let sm = 0, su = 0;
  for (let l = 0; l < f.L; l++) if (o.w[l]! > 0) { sm += Math.hypot(M[l * 3]! - mx, M[l * 3 + 1]! - my); su += Math.hypot(o.obs[l * 2]! - ux, o.obs[l * 2 + 1]! - uy); }
  const z = (K.fx * sm) / Math.max(su, 1e-6);
  let best: { s: FrameState; cost: number } | null = null;
  const noPrev: Priors = { ...pr, prev: null };
  for (const yaw of [0, -0.6, 0.6, -1.1, 1.1]) {
    for (const pitch of [0]) {
      const s0 = cloneState(base);
      mat3Mul(rodrigues(pitch, yaw, 0), base.R, s0.R);
      s0.t[0] = ((ux - K.cx) * z) / K.fx - (s0.R[0]! * mx + s0.R[1]! * my);
      s0.t[1] = ((uy - K.cy) * z) / K.fy - (s0.R[3]! * mx + s0.R[4]! * my);
      s0.t[2] = z;
      const r = solveFrame(f, o, K, s0, noPrev, 8, huber * 3, { rigidOnly: true });
      if (!best || r.cost < best.cost) best = r;
    }
  }
  return best!.s;
}

function toResult(f: LandmarkFitter, s: FrameState, o: Observation, K: Intrinsics): FrameFitResult {
  const lin = f.linearise(s, o.obs, o.w, K, false, false, Infinity);
  const aa = rotationToAxisAngle(s.R);
  return {
    rotation: [aa[0], aa[1], aa[2]],
    translation: [s.t[0]!, s.t[1]!, s.t[2]!],
    expression: Float32Array.from(s.expr),
    jaw: [s.jaw[0]!, s.jaw[1]!, s.jaw[2]!],
    eyes: [s.eyes[0]!, s.eyes[1]!, 0, s.eyes[2]!, s.eyes[3]!, 0],
    reprojectionErrorPx: lin.used ? Math.sqrt(lin.sq / lin.used) : NaN,
    landmarksUsed: lin.used,
  };
}

function clampState(f: LandmarkFitter, s: FrameState): void {
  const r = f.model.expressionRange;
  for (let e = 0; e < f.E; e++) s.expr[e] = Math.min(r[e * 2 + 1]!, Math.max(r[e * 2]!, s.expr[e]!));
}

class Cancelled extends Error {
  constructor() { super('Fitting was cancelled.'); this.name = 'AbortError'; }
}

/**
 * Fits a capture. Synchronous core with cooperative progress and cancellation (checked between frames);
 * run it in a worker/job.
 */
export function fitCaptureSync(model: HeadModel, frames: FitFrame[], options: FitOptions = {}, onProgress?: FitProgress, signal?: AbortSignal): CaptureFitResult {
  const start = performance.now();
  if (frames.length === 0) throw new Error('fitting: the capture has no frames');
  const f = new LandmarkFitter(model, options);
  const stride = inferStride(frames[0]!, options);
  const huber = options.huberPx ?? 2;
  const T = options.temporal ?? {};
  const pr: Priors = {
    expr: options.expressionPrior ?? 0.5, jaw: options.jawPrior ?? 50, eye: options.eyePrior ?? 20, shape: options.shapePrior ?? 0.08,
    prev: null, temporal: { rotation: T.rotation ?? 0, translation: T.translation ?? 0, expression: T.expression ?? 0, jaw: T.jaw ?? 0 }, depthScale: 1,
  };
  const iters = options.iterations ?? 12;
  const weights = options.landmarkWeights === undefined ? DEFAULT_LANDMARK_WEIGHTS : options.landmarkWeights;
  const obs = frames.map((fr) => observation(f, fr, stride, weights));
  const check = (): void => { if (signal?.aborted) throw new Cancelled(); };
  const W = frames[0]!.width, H = frames[0]!.height;

  // keyframes: evenly spaced among frames with enough landmarks
  const good = obs.map((o, i) => (o.count >= 30 ? i : -1)).filter((i) => i >= 0);
  if (good.length === 0) throw new Error('fitting: no frame has enough confident landmarks (30 or more)');
  const nKey = Math.min(options.keyframes ?? 8, good.length);
  const keys = Array.from({ length: nKey }, (_, k) => good[Math.floor(((k + 0.5) * good.length) / nKey)]!);

  const shapeFloor = options.shapePriorFloor ?? 0.01;
  let lastNoise = 0, lastCorrelation = 0;
  const fitKeys = (K: Intrinsics, rounds: number, keys: number[]): { cost: number; states: FrameState[] } => {
    f.shape.fill(0);
    let states = keys.map((i) => solveFrame(f, obs[i]!, K, initialState(f, obs[i]!, K, pr, huber), pr, 25, huber).s);
    let cost = 0;
    const doShape = options.fitShape !== false && f.S > 0;
    const keyObs = keys.map((i) => obs[i]!);
    // a first, nearly free shape round measures the landmark noise that sets the shape prior's strength
    if (doShape) states = solveJoint(f, keyObs, K, states, pr, 10, huber, shapeFloor);
    const res = doShape ? states.map((st, k) => { const r = new Float64Array(f.L * 2); residuals(f, st, keyObs[k]!, K, r); return r; }) : [];
    const noise = doShape ? robustNoise(res) : 0;
    const rho = doShape ? Math.min(0.9, Math.max(0, neighbourCorrelation(f, res, noise))) : 0;
    lastNoise = noise; lastCorrelation = rho;
    // effective sample size of correlated residuals: N·(1 − ρ)/(1 + ρ) — the prior weighs (1 + ρ)/(1 − ρ) per observation
    const shapeWeight = shapeFloor + pr.shape * noise * ((1 + rho) / (1 - rho));
    for (let r = 0; r < (doShape ? rounds : 1); r++) {
      if (doShape) states = solveJoint(f, keyObs, K, states, pr, 10, huber, shapeWeight);
      cost = 0;
      states = states.map((s, k) => { const res = solveFrame(f, obs[keys[k]!]!, K, s, pr, iters, huber); cost += res.cost; return res.s; });
      check();
    }
    return { cost, states };
  };

  // intrinsics
  let K: Intrinsics;
  let focalCosts: { factor: number; cost: number }[] | undefined;
  if (options.intrinsics) K = options.intrinsics;
  else {
    onProgress?.(0, 'Estimating the focal length');
    const costAt = new Map<number, number>();
    const fp = options.focalPrior ?? null;
    // the search compares whole keyframe fits at each focal length: a subset of the keyframes is enough for that
    const searchCount = Math.min(nKey, options.focalSearch?.keyframes ?? 4);
    const searchKeys = Array.from({ length: searchCount }, (_, k) => keys[Math.floor(((k + 0.5) * nKey) / searchCount)]!);
    const keyWeight = searchKeys.reduce((a, i) => a + obs[i]!.weight, 0);
    const evalF = (lf: number): number => {
      const c = costAt.get(lf);
      if (c !== undefined) return c;
      const v = fitKeys(defaultIntrinsics(W, H, Math.exp(lf)), 2, searchKeys).cost + (fp ? (fp.weight ?? 0.1) * keyWeight * ((lf - Math.log(fp.factor)) / fp.logSigma) ** 2 : 0);
      costAt.set(lf, v);
      check();
      return v;
    };
    const grid = (options.focalSearch?.grid ?? FOCAL_GRID).map(Math.log);
    let bi = 0;
    grid.forEach((g, i) => { if (evalF(g) < evalF(grid[bi]!)) bi = i; });
    let lo = grid[Math.max(0, bi - 1)]!, hi = grid[Math.min(grid.length - 1, bi + 1)]!;
    const gr = (Math.sqrt(5) - 1) / 2;
    let c = hi - gr * (hi - lo), d = lo + gr * (hi - lo);
    for (let i = 0; i < (options.focalSearch?.iterations ?? 8); i++) {
      if (evalF(c) < evalF(d)) { hi = d; d = c; c = hi - gr * (hi - lo); } else { lo = c; c = d; d = lo + gr * (hi - lo); }
    }
    K = defaultIntrinsics(W, H, Math.exp((lo + hi) / 2));
    focalCosts = [...costAt].map(([lf, cost]) => ({ factor: Math.exp(lf), cost })).sort((a, b) => a.factor - b.factor);
  }
  onProgress?.(0.1, 'Estimating the head shape');
  fitKeys(K, options.shapeRounds ?? 3, keys);
  const shape = Float32Array.from(f.shape);

  // per-frame tracking, sequential with the previous frame as start and temporal prior
  const results: FrameFitResult[] = new Array(frames.length);
  let prev: FrameState | null = null;
  for (let i = 0; i < frames.length; i++) {
    check();
    const o = obs[i]!;
    if (o.count < 6) {
      results[i] = prev ? { ...toResult(f, prev, o, K), reprojectionErrorPx: NaN, landmarksUsed: o.count } : { rotation: [Math.PI, 0, 0], translation: [0, 0, 0], expression: new Float32Array(f.E), jaw: [0, 0, 0], eyes: [0, 0, 0, 0, 0, 0], reprojectionErrorPx: NaN, landmarksUsed: o.count };
      continue;
    }
    pr.prev = prev;
    pr.depthScale = prev ? K.fx / Math.max(prev.t[2]!, 1e-3) : 1;
    let s: FrameState;
    if (prev) {
      s = solveFrame(f, o, K, prev, pr, iters, huber).s;
      const rms = toResult(f, s, o, K).reprojectionErrorPx;
      if (!(rms < 4 * huber)) {
        // lost: re-initialise
        const pr0 = { ...pr, prev: null };
        const s2 = solveFrame(f, o, K, initialState(f, o, K, pr0, huber), pr0, 25, huber).s;
        if (toResult(f, s2, o, K).reprojectionErrorPx < rms) s = s2;
      }
    } else s = solveFrame(f, o, K, initialState(f, o, K, pr, huber), pr, 25, huber).s;
    if (options.clamp !== false) clampState(f, s);
    results[i] = toResult(f, s, o, K);
    prev = s;
    if (onProgress && (i % 10 === 0 || i === frames.length - 1)) onProgress(0.15 + (0.85 * (i + 1)) / frames.length, `Tracked ${i + 1} of ${frames.length} frames`);
  }
  return { frames: results, shape, intrinsics: K, msPerFrame: (performance.now() - start) / frames.length, landmarkNoisePx: Math.sqrt(lastNoise), landmarkCorrelation: lastCorrelation, focalCosts };
}

/** Async wrapper for jobs: yields to the event loop before starting so progress and cancellation can be wired. */
export async function fitCapture(model: HeadModel, frames: FitFrame[], options: FitOptions = {}, onProgress?: FitProgress, signal?: AbortSignal): Promise<CaptureFitResult> {
  await new Promise((r) => setTimeout(r, 0));
  return fitCaptureSync(model, frames, options, onProgress, signal);
}
