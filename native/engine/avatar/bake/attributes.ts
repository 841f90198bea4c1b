/**
 * Bound-Gaussian parameters ↔ the per-Gaussian attribute rows (N × CHANNELS) that the UV maps hold.
 * Only the SH DC colour is baked (higher SH bands are view-dependent residue the maps do not carry).
 */
import type { BoundGaussianData } from '../binding/bound-gaussians';
import { CH_LOGSCALE, CH_OFFSET, CH_OPACITY, CH_ROTATION, CH_SH, CHANNELS } from './uv-maps';

/** Attribute rows of `data`; quaternions are normalised with w ≥ 0 so that neighbours interpolate consistently. */
export function attributesFromBound(data: BoundGaussianData): Float32Array {
  const n = data.count, K = (data.shDegree + 1) ** 2;
  const out = new Float32Array(n * CHANNELS);
  for (let g = 0; g < n; g++) {
    const o = g * CHANNELS;
    for (let c = 0; c < 3; c++) out[o + CH_SH + c] = data.sh[g * K * 3 + c];
    out[o + CH_OPACITY] = data.opacities[g];
    for (let c = 0; c < 3; c++) out[o + CH_LOGSCALE + c] = data.logScales[g * 3 + c];
    const q = data.rotations.subarray(g * 4, g * 4 + 4);
    const len = Math.hypot(q[0], q[1], q[2], q[3]);
    const s = len > 0 ? (q[0] < 0 ? -1 : 1) / len : 0;
    if (len > 0) for (let c = 0; c < 4; c++) out[o + CH_ROTATION + c] = q[c] * s;
    else out[o + CH_ROTATION] = 1;
    out[o + CH_OFFSET] = data.offset[g];
  }
  return out;
}

/** A degree-0 bound avatar with `placement`'s triangles and barycentrics and the given attribute rows. */
export function boundFromAttributes(placement: Pick<BoundGaussianData, 'count' | 'triangle' | 'barycentric'>, attrs: ArrayLike<number>): BoundGaussianData {
  const n = placement.count;
  const data: BoundGaussianData = {
    count: n,
    shDegree: 0,
    triangle: placement.triangle.slice(0, n),
    barycentric: placement.barycentric.slice(0, n * 2),
    offset: new Float32Array(n),
    rotations: new Float32Array(n * 4),
    logScales: new Float32Array(n * 3),
    opacities: new Float32Array(n),
    sh: new Float32Array(n * 3),
  };
  writeAttributes(data, attrs);
  return data;
}

/** Overwrites the attribute-carrying fields of a degree-0 `data` from attribute rows. */
export function writeAttributes(data: BoundGaussianData, attrs: ArrayLike<number>): void {
  for (let g = 0; g < data.count; g++) {
    const o = g * CHANNELS;
    for (let c = 0; c < 3; c++) data.sh[g * 3 + c] = attrs[o + CH_SH + c];
    data.opacities[g] = attrs[o + CH_OPACITY];
    for (let c = 0; c < 3; c++) data.logScales[g * 3 + c] = attrs[o + CH_LOGSCALE + c];
    for (let c = 0; c < 4; c++) data.rotations[g * 4 + c] = attrs[o + CH_ROTATION + c];
    data.offset[g] = attrs[o + CH_OFFSET];
  }
}
