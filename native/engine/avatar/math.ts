/** Small dense linear-algebra helpers for the head models and the fitter (row-major 3×3 matrices in length-9 arrays). */

export type Mat3 = Float64Array; // row-major, length 9

export function mat3Identity(out: Mat3 = new Float64Array(9)): Mat3 {
  out.fill(0);
  out[0] = out[4] = out[8] = 1;
  return out;
}

/** Rodrigues: axis-angle (radians × unit axis) → rotation matrix. */
export function rodrigues(x: number, y: number, z: number, out: Mat3 = new Float64Array(9)): Mat3 {
  const theta = Math.hypot(x, y, z);
  if (theta < 1e-12) {
    // first-order: I + [w]x
    out[0] = 1; out[1] = -z; out[2] = y;
    out[3] = z; out[4] = 1; out[5] = -x;
    out[6] = -y; out[7] = x; out[8] = 1;
    return out;
  }
  const kx = x / theta, ky = y / theta, kz = z / theta;
  const c = Math.cos(theta), s = Math.sin(theta), t = 1 - c;
  out[0] = c + kx * kx * t; out[1] = kx * ky * t - kz * s; out[2] = kx * kz * t + ky * s;
  out[3] = ky * kx * t + kz * s; out[4] = c + ky * ky * t; out[5] = ky * kz * t - kx * s;
  out[6] = kz * kx * t - ky * s; out[7] = kz * ky * t + kx * s; out[8] = c + kz * kz * t;
  return out;
}

/** Rotation matrix → axis-angle (length 3). Robust near 0 and π. */
export function rotationToAxisAngle(R: ArrayLike<number>): [number, number, number] {
  const tr = R[0]! + R[4]! + R[8]!;
  const cosT = Math.max(-1, Math.min(1, (tr - 1) / 2));
  const theta = Math.acos(cosT);
  if (theta < 1e-7) return [(R[7]! - R[5]!) / 2, (R[2]! - R[6]!) / 2, (R[3]! - R[1]!) / 2];
  if (Math.PI - theta < 1e-4) {
    // axis from the largest diagonal of (R + I) / 2
    const xx = (R[0]! + 1) / 2, yy = (R[4]! + 1) / 2, zz = (R[8]! + 1) / 2;
    let ax: number, ay: number, az: number;
    if (xx >= yy && xx >= zz) { ax = Math.sqrt(xx); ay = (R[1]! + R[3]!) / (4 * ax); az = (R[2]! + R[6]!) / (4 * ax); }
    else if (yy >= zz) { ay = Math.sqrt(yy); ax = (R[1]! + R[3]!) / (4 * ay); az = (R[5]! + R[7]!) / (4 * ay); }
    else { az = Math.sqrt(zz); ax = (R[2]! + R[6]!) / (4 * az); ay = (R[5]! + R[7]!) / (4 * az); }
    const n = Math.hypot(ax, ay, az);
    return [(ax / n) * theta, (ay / n) * theta, (az / n) * theta];
  }
  const k = theta / (2 * Math.sin(theta));
  return [(R[7]! - R[5]!) * k, (R[2]! - R[6]!) * k, (R[3]! - R[1]!) * k];
}

export function mat3Mul(a: ArrayLike<number>, b: ArrayLike<number>, out: Mat3 = new Float64Array(9)): Mat3 {
  const r = new Float64Array(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) r[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
  out.set(r);
  return out;
}

export function mat3Transpose(a: ArrayLike<number>, out: Mat3 = new Float64Array(9)): Mat3 {
  const r = [a[0]!, a[3]!, a[6]!, a[1]!, a[4]!, a[7]!, a[2]!, a[5]!, a[8]!];
  out.set(r);
  return out;
}

/** Angle (radians) of the relative rotation between two rotation matrices. */
export function rotationAngleBetween(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let tr = 0;
  for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) tr += a[i * 3 + k]! * b[i * 3 + k]!;
  return Math.acos(Math.max(-1, Math.min(1, (tr - 1) / 2)));
}

/**
 * Solves the symmetric positive-definite system A x = b in place by Cholesky (A n×n row-major, overwritten).
 * Returns false if A is not positive definite.
 */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j]!;
    for (let k = 0; k < j; k++) d -= A[j * n + k]! * A[j * n + k]!;
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    A[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= A[i * n + k]! * A[j * n + k]!;
      A[i * n + j] = s / l;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= A[i * n + k]! * b[k]!;
    b[i] = s / A[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= A[k * n + i]! * b[k]!;
    b[i] = s / A[i * n + i]!;
  }
  return true;
}

/**
 * Symmetric eigen-decomposition by cyclic Jacobi (small matrices). Returns eigenvalues descending and eigenvectors as
 * columns of a row-major n×n matrix.
 */
export function symmetricEigen(Ain: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(Ain as ArrayLike<number>);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = A[p * n + p]!, aqq = A[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!, akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!, aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!, vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => A[b * n + b]! - A[a * n + a]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = A[src * n + src]!;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = V[k * n + src]!;
  });
  return { values, vectors };
}

/** Deterministic PRNG (mulberry32) for tests and sampling. */
export function makeRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12), v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
