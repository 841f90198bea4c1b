/** Real spherical harmonics (3DGS/gsplat basis and order), degrees 0–3, with gradients. */
import type { Vec3 } from './camera';

export const SH_C0 = 0.28209479177387814;
export const SH_C1 = 0.4886025119029199;
export const SH_C2 = [1.0925484305920792, -1.0925484305920792, 0.31539156525252005, -1.0925484305920792, 0.5462742152960396];
export const SH_C3 = [
  -0.5900435899266435, 2.890611442640554, -0.4570457994644658, 0.3731763325901154, -0.4570457994644658,
  1.445305721320277, -0.5900435899266435,
];

/**
 * Basis values b_k(d) for k < (degree+1)² at a unit direction d, and (optionally)
 * their partial derivatives ∂b_k/∂(x, y, z) treating x, y, z as independent.
 */
export function shBasis(degree: number, d: Vec3, withGrad = false): { b: number[]; db: Vec3[] } {
  const [x, y, z] = d;
  const b: number[] = [SH_C0];
  const db: Vec3[] = [[0, 0, 0]];
  if (degree >= 1) {
    b.push(-SH_C1 * y, SH_C1 * z, -SH_C1 * x);
    db.push([0, -SH_C1, 0], [0, 0, SH_C1], [-SH_C1, 0, 0]);
  }
  if (degree >= 2) {
    const xx = x * x, yy = y * y, zz = z * z;
    b.push(
      SH_C2[0] * x * y,
      SH_C2[1] * y * z,
      SH_C2[2] * (2 * zz - xx - yy),
      SH_C2[3] * x * z,
      SH_C2[4] * (xx - yy),
    );
    db.push(
      [SH_C2[0] * y, SH_C2[0] * x, 0],
      [0, SH_C2[1] * z, SH_C2[1] * y],
      [-2 * SH_C2[2] * x, -2 * SH_C2[2] * y, 4 * SH_C2[2] * z],
      [SH_C2[3] * z, 0, SH_C2[3] * x],
      [2 * SH_C2[4] * x, -2 * SH_C2[4] * y, 0],
    );
    if (degree >= 3) {
      b.push(
        SH_C3[0] * y * (3 * xx - yy),
        SH_C3[1] * x * y * z,
        SH_C3[2] * y * (4 * zz - xx - yy),
        SH_C3[3] * z * (2 * zz - 3 * xx - 3 * yy),
        SH_C3[4] * x * (4 * zz - xx - yy),
        SH_C3[5] * z * (xx - yy),
        SH_C3[6] * x * (xx - 3 * yy),
      );
      const c = SH_C3;
      db.push(
        [c[0] * 6 * x * y, c[0] * (3 * xx - 3 * yy), 0],
        [c[1] * y * z, c[1] * x * z, c[1] * x * y],
        [c[2] * -2 * x * y, c[2] * (4 * zz - xx - 3 * yy), c[2] * 8 * y * z],
        [c[3] * -6 * x * z, c[3] * -6 * y * z, c[3] * (6 * zz - 3 * xx - 3 * yy)],
        [c[4] * (4 * zz - 3 * xx - yy), c[4] * -2 * x * y, c[4] * 8 * x * z],
        [c[5] * 2 * x * z, c[5] * -2 * y * z, c[5] * (xx - yy)],
        [c[6] * (3 * xx - 3 * yy), c[6] * -6 * x * y, 0],
      );
    }
  }
  return withGrad ? { b, db } : { b, db: [] };
}

/** Unit view direction from the camera centre to the mean, and its length. */
export function viewDir(mean: Vec3, centre: Vec3): { d: Vec3; len: number } {
  const v: Vec3 = [mean[0] - centre[0], mean[1] - centre[1], mean[2] - centre[2]];
  const len = Math.hypot(v[0], v[1], v[2]);
  if (!(len > 0)) return { d: [0, 0, 1], len: 0 };
  return { d: [v[0] / len, v[1] / len, v[2] / len], len };
}

/**
 * Colour `max(0, SH(dir) + 0.5)` of one Gaussian. `coeffs` are its K×3 coefficients
 * (offset `base` into a flat array). Returns the colour and the pre-clamp value.
 */
export function evalSH(degree: number, coeffs: ArrayLike<number>, base: number, d: Vec3): { color: Vec3; raw: Vec3 } {
  const { b } = shBasis(degree, d);
  const raw: Vec3 = [0.5, 0.5, 0.5];
  for (let k = 0; k < b.length; k++)
    for (let ch = 0; ch < 3; ch++) raw[ch] += b[k] * coeffs[base + k * 3 + ch];
  return { color: [Math.max(0, raw[0]), Math.max(0, raw[1]), Math.max(0, raw[2])], raw };
}

/**
 * Backward of `evalSH`. Adds dL/dcoeffs into `dCoeffs` (at `base`) and returns dL/dmean
 * through the view direction (dir = normalize(mean − centre)).
 */
export function evalSHBackward(
  degree: number,
  coeffs: ArrayLike<number>,
  base: number,
  d: Vec3,
  len: number,
  raw: Vec3,
  dColor: Vec3,
  dCoeffs: Float64Array,
): Vec3 {
  const g: Vec3 = [raw[0] > 0 ? dColor[0] : 0, raw[1] > 0 ? dColor[1] : 0, raw[2] > 0 ? dColor[2] : 0];
  const { b, db } = shBasis(degree, d, true);
  const dDir: Vec3 = [0, 0, 0];
  for (let k = 0; k < b.length; k++) {
    let s = 0;
    for (let ch = 0; ch < 3; ch++) {
      dCoeffs[base + k * 3 + ch] += b[k] * g[ch];
      s += coeffs[base + k * 3 + ch] * g[ch];
    }
    dDir[0] += s * db[k][0];
    dDir[1] += s * db[k][1];
    dDir[2] += s * db[k][2];
  }
  if (!(len > 0)) return [0, 0, 0];
  const dot = d[0] * dDir[0] + d[1] * dDir[1] + d[2] * dDir[2];
  return [(dDir[0] - d[0] * dot) / len, (dDir[1] - d[1] * dot) / len, (dDir[2] - d[2] * dot) / len];
}
