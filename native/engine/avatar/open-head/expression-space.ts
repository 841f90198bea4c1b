/**
 * Per-subject expression space for the open head, learned from tracked 3D face-mesh landmarks:
 * generalised Procrustes alignment (similarity, weighted by confidence) of every frame's 468 landmarks, mean face,
 * then PCA (subspace iteration) of the aligned residuals; coefficient ranges seen in the footage give the clamp, and
 * the footage's most closed-mouthed frames give the subject's rest expression.
 */
import { symmetricEigen } from '../math';
import { canonicalFace, FACE_VERTEX_COUNT, LIPS_INNER_LOWER, LIPS_INNER_UPPER } from './build';

export interface TrackedLandmarks3D {
  /** N × 3 (N ≥ 468) in the detector's image frame: x right, y down (pixels), z away from the camera (pixel scale). */
  landmarks: ArrayLike<number>;
  confidence?: ArrayLike<number>;
}

export interface ExpressionSpace {
  /** Mean face, 468 × 3, model space (metres, +y up, +z out of the face), scaled to the canonical face's size. */
  mean: Float32Array;
  /** count × 468 × 3, unit-variance components: coefficient 1 = one standard deviation. */
  basis: Float32Array;
  count: number;
  /** Standard deviation (metres, RMS over points) of each component. */
  sigma: Float64Array;
  /** Fraction of the total residual variance the components keep. */
  varianceKept: number;
  /** count × 2: clamp range [min, max] of each coefficient, from the footage (plus a 10 % margin). */
  range: Float32Array;
  /**
   * The subject's rest expression in coefficients: the mean coefficients of the footage's frames whose inner lips are
   * the most closed (the lowest `REST_FRACTION` of the mouth's opening). Coefficient 0 is the footage's mean face,
   * which is not a neutral face whenever the mouth opened in the footage (it is half open for footage that opens and
   * closes it); the reenactment core adds the driver's expression change to this rest instead.
   */
  rest?: Float32Array;
}

/** Share of the footage's frames, the most closed-mouthed, averaged into the rest expression. */
export const REST_FRACTION = 0.1;

/** The mouth's opening on a 468 × 3 face in model axes (+y up): the summed gaps between the inner lips (m). */
export function innerLipGap(face: ArrayLike<number>): number {
  let g = 0;
  for (let k = 0; k < LIPS_INNER_UPPER.length; k++) g += face[LIPS_INNER_UPPER[k]! * 3 + 1]! - face[LIPS_INNER_LOWER[k]! * 3 + 1]!;
  return g;
}

/** Best similarity transform (s, R, t) with s R a + t ≈ b (weighted Umeyama, via Horn's quaternion). */
export function similarityAlign(a: ArrayLike<number>, b: ArrayLike<number>, w: ArrayLike<number> | null, n: number): { s: number; R: Float64Array; t: Float64Array } {
  let W = 0;
  const ca = [0, 0, 0], cb = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    W += wi;
    for (let k = 0; k < 3; k++) { ca[k]! += wi * a[i * 3 + k]!; cb[k]! += wi * b[i * 3 + k]!; }
  }
  for (let k = 0; k < 3; k++) { ca[k]! /= W; cb[k]! /= W; }
  const S = new Float64Array(9);
  let va = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    const ax = a[i * 3]! - ca[0]!, ay = a[i * 3 + 1]! - ca[1]!, az = a[i * 3 + 2]! - ca[2]!;
    const bx = b[i * 3]! - cb[0]!, by = b[i * 3 + 1]! - cb[1]!, bz = b[i * 3 + 2]! - cb[2]!;
    const A = [ax, ay, az], B = [bx, by, bz];
    for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) S[p * 3 + q]! += wi * A[p]! * B[q]!;
    va += wi * (ax * ax + ay * ay + az * az);
  }
  const [Sxx, Sxy, Sxz, Syx, Syy, Syz, Szx, Szy, Szz] = S as unknown as number[];
  const N = [
    Sxx! + Syy! + Szz!, Syz! - Szy!, Szx! - Sxz!, Sxy! - Syx!,
    Syz! - Szy!, Sxx! - Syy! - Szz!, Sxy! + Syx!, Szx! + Sxz!,
    Szx! - Sxz!, Sxy! + Syx!, -Sxx! + Syy! - Szz!, Syz! + Szy!,
    Sxy! - Syx!, Szx! + Sxz!, Syz! + Szy!, -Sxx! - Syy! + Szz!,
  ];
  const { vectors } = symmetricEigen(N, 4);
  const qw = vectors[0]!, qx = vectors[4]!, qy = vectors[8]!, qz = vectors[12]!;
  const R = new Float64Array([
    qw * qw + qx * qx - qy * qy - qz * qz, 2 * (qx * qy - qw * qz), 2 * (qx * qz + qw * qy),
    2 * (qx * qy + qw * qz), qw * qw - qx * qx + qy * qy - qz * qz, 2 * (qy * qz - qw * qx),
    2 * (qx * qz - qw * qy), 2 * (qy * qz + qw * qx), qw * qw - qx * qx - qy * qy + qz * qz,
  ]);
  let num = 0;
  for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) num += R[q * 3 + p]! * S[p * 3 + q]!;
  const s = num / va;
  const t = new Float64Array(3);
  for (let k = 0; k < 3; k++) t[k] = cb[k]! - s * (R[k * 3]! * ca[0]! + R[k * 3 + 1]! * ca[1]! + R[k * 3 + 2]! * ca[2]!);
  return { s, R, t };
}

function applySim(sim: { s: number; R: Float64Array; t: Float64Array }, a: ArrayLike<number>, n: number, out: Float64Array): void {
  const { s, R, t } = sim;
  for (let i = 0; i < n; i++) {
    const x = a[i * 3]!, y = a[i * 3 + 1]!, z = a[i * 3 + 2]!;
    for (let k = 0; k < 3; k++) out[i * 3 + k] = s * (R[k * 3]! * x + R[k * 3 + 1]! * y + R[k * 3 + 2]! * z) + t[k]!;
  }
}

export interface LearnOptions {
  components?: number; // default 24
  maxFrames?: number; // frames used for PCA (evenly subsampled); default 1500
}

export function learnExpressionSpace(frames: TrackedLandmarks3D[], options: LearnOptions = {}): ExpressionSpace {
  const N = FACE_VERTEX_COUNT, D = N * 3;
  const step = Math.max(1, Math.ceil(frames.length / (options.maxFrames ?? 1500)));
  const used = frames.filter((_, i) => i % step === 0);
  const F = used.length;
  if (F < 2) throw new Error('expression space: at least two tracked frames are needed');
  const K = Math.max(1, Math.min(options.components ?? 24, F - 1));
  // detector frame → model frame (flip y and z)
  const X = new Float64Array(F * D);
  const Wt = new Float64Array(F * N);
  used.forEach((fr, f) => {
    for (let i = 0; i < N; i++) {
      X[f * D + i * 3] = fr.landmarks[i * 3]!;
      X[f * D + i * 3 + 1] = -fr.landmarks[i * 3 + 1]!;
      X[f * D + i * 3 + 2] = -fr.landmarks[i * 3 + 2]!;
      Wt[f * N + i] = fr.confidence ? Math.max(0, fr.confidence[i]!) : 1;
    }
  });
  // generalised Procrustes: align to the canonical face, then to the running mean
  let target = Float64Array.from(canonicalFace());
  const canonical = Float64Array.from(target);
  const aligned = new Float64Array(F * D);
  const tmp = new Float64Array(D);
  for (let iter = 0; iter < 3; iter++) {
    for (let f = 0; f < F; f++) {
      const sim = similarityAlign(X.subarray(f * D, (f + 1) * D), target, Wt.subarray(f * N, (f + 1) * N), N);
      applySim(sim, X.subarray(f * D, (f + 1) * D), N, tmp);
      aligned.set(tmp, f * D);
    }
    const mean = new Float64Array(D);
    for (let f = 0; f < F; f++) for (let d = 0; d < D; d++) mean[d]! += aligned[f * D + d]! / F;
    // keep the mean at the canonical face's size and placement
    const sim = similarityAlign(mean, canonical, null, N);
    applySim(sim, mean, N, tmp);
    target = Float64Array.from(tmp);
  }
  for (let f = 0; f < F; f++) {
    const sim = similarityAlign(X.subarray(f * D, (f + 1) * D), target, Wt.subarray(f * N, (f + 1) * N), N);
    applySim(sim, X.subarray(f * D, (f + 1) * D), N, tmp);
    for (let d = 0; d < D; d++) aligned[f * D + d] = tmp[d]! - target[d]!;
  }
  let total = 0;
  for (let i = 0; i < F * D; i++) total += aligned[i]! ** 2;
  // subspace iteration on C = Aᵀ A / F for the top K directions
  const Q = new Float64Array(K * D);
  let seed = 12345;
  for (let i = 0; i < Q.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; Q[i] = seed / 4294967296 - 0.5; }
  const orth = (M: Float64Array): void => {
    for (let k = 0; k < K; k++) {
      const v = M.subarray(k * D, (k + 1) * D);
      for (let j = 0; j < k; j++) {
        const u = M.subarray(j * D, (j + 1) * D);
        let dot = 0;
        for (let d = 0; d < D; d++) dot += u[d]! * v[d]!;
        for (let d = 0; d < D; d++) v[d]! -= dot * u[d]!;
      }
      let n = 0;
      for (let d = 0; d < D; d++) n += v[d]! ** 2;
      n = Math.sqrt(n) || 1;
      for (let d = 0; d < D; d++) v[d]! /= n;
    }
  };
  const proj = new Float64Array(F * K);
  const mulC = (M: Float64Array, out: Float64Array): void => {
    for (let f = 0; f < F; f++)
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += aligned[f * D + d]! * M[k * D + d]!;
        proj[f * K + k] = s;
      }
    out.fill(0);
    for (let f = 0; f < F; f++)
      for (let k = 0; k < K; k++) {
        const p = proj[f * K + k]! / F;
        if (p === 0) continue;
        for (let d = 0; d < D; d++) out[k * D + d]! += p * aligned[f * D + d]!;
      }
  };
  orth(Q);
  const Z = new Float64Array(K * D);
  for (let it = 0; it < 30; it++) { mulC(Q, Z); Q.set(Z); orth(Q); }
  // Rayleigh–Ritz
  mulC(Q, Z);
  const H = new Float64Array(K * K);
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) { let s = 0; for (let d = 0; d < D; d++) s += Q[a * D + d]! * Z[b * D + d]!; H[a * K + b] = s; }
  for (let a = 0; a < K; a++) for (let b = 0; b < a; b++) { const m = (H[a * K + b]! + H[b * K + a]!) / 2; H[a * K + b] = H[b * K + a] = m; }
  const eig = symmetricEigen(H, K);
  const basis = new Float32Array(K * D);
  const sigma = new Float64Array(K);
  let kept = 0;
  for (let k = 0; k < K; k++) {
    const lambda = Math.max(0, eig.values[k]!);
    kept += lambda * F;
    const sd = Math.sqrt(lambda);
    sigma[k] = sd / Math.sqrt(N);
    for (let d = 0; d < D; d++) {
      let v = 0;
      for (let a = 0; a < K; a++) v += Q[a * D + d]! * eig.vectors[a * K + k]!;
      basis[k * D + d] = v * sd;
    }
  }
  // coefficient ranges over the frames
  const range = new Float32Array(K * 2);
  const coef = new Float64Array(F * K);
  for (let k = 0; k < K; k++) {
    let lo = Infinity, hi = -Infinity;
    const sd2 = Math.max(1e-30, sigma[k]! ** 2 * N);
    for (let f = 0; f < F; f++) {
      let c = 0;
      for (let d = 0; d < D; d++) c += aligned[f * D + d]! * basis[k * D + d]!;
      c /= sd2;
      coef[f * K + k] = c;
      lo = Math.min(lo, c); hi = Math.max(hi, c);
    }
    const m = 0.1 * (hi - lo);
    range[k * 2] = lo - m; range[k * 2 + 1] = hi + m;
  }
  // rest: the mean coefficients of the most closed-mouthed frames (the residual's lip gap orders them like the face's)
  const order = Array.from({ length: F }, (_, f) => f).map((f) => ({ f, gap: innerLipGap(aligned.subarray(f * D, (f + 1) * D)) })).sort((a, b) => a.gap - b.gap);
  const restFrames = order.slice(0, Math.max(1, Math.round(F * REST_FRACTION)));
  const rest = new Float32Array(K);
  for (const { f } of restFrames) for (let k = 0; k < K; k++) rest[k]! += coef[f * K + k]! / restFrames.length;
  return { mean: Float32Array.from(target), basis, count: K, sigma, varianceKept: total > 0 ? kept / total : 1, range, rest };
}
