/** Small rigid-geometry helpers: similarity application, projection of a 3×3 matrix onto SO(3), 3×3 inverse. */
import { similarityAlign } from '../open-head/expression-space';

export interface Similarity {
  s: number;
  /** Row-major 3×3 rotation. */
  R: Float64Array;
  t: Float64Array;
}

export function applySimilarity(sim: Similarity, a: ArrayLike<number>, n: number, out = new Float64Array(n * 3)): Float64Array {
  const { s, R, t } = sim;
  for (let i = 0; i < n; i++) {
    const x = a[i * 3]!, y = a[i * 3 + 1]!, z = a[i * 3 + 2]!;
    for (let k = 0; k < 3; k++) out[i * 3 + k] = s * (R[k * 3]! * x + R[k * 3 + 1]! * y + R[k * 3 + 2]! * z) + t[k]!;
  }
  return out;
}

/**
 * The rotation nearest (Frobenius) to a 3×3 matrix M, e.g. an average of rotations: Horn's alignment of the point
 * set {±e_k} onto {±M e_k} (centroids zero), whose optimum maximises tr(Rᵀ M).
 */
export function nearestRotation(M: ArrayLike<number>): Float64Array {
  const a = new Float64Array(18), b = new Float64Array(18);
  for (let k = 0; k < 3; k++)
    for (let sign = 0; sign < 2; sign++) {
      const p = (k * 2 + sign) * 3, sg = sign ? -1 : 1;
      a[p + k] = sg;
      for (let r = 0; r < 3; r++) b[p + r] = sg * M[r * 3 + k]!;
    }
  return similarityAlign(a, b, null, 6).R;
}

export function invert3(m: ArrayLike<number>): Float64Array | null {
  const [a, b, c, d, e, f, g, h, i] = Array.from({ length: 9 }, (_, k) => m[k]!) as [number, number, number, number, number, number, number, number, number];
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!(Math.abs(det) > 1e-300)) return null;
  const inv = [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d];
  return Float64Array.from(inv, (x) => x / det);
}

/** Weighted centroid of n points. */
export function centroid(p: ArrayLike<number>, n: number, w: ArrayLike<number> | null = null): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  let W = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    W += wi;
    for (let k = 0; k < 3; k++) c[k] += wi * p[i * 3 + k]!;
  }
  for (let k = 0; k < 3; k++) c[k] /= W || 1;
  return c;
}
