/**
 * `.spz` (Niantic's "splat zip", https://github.com/nianticlabs/spz, MIT): gzip of a 16-byte header and the Gaussians
 * quantised attribute by attribute — positions (24-bit fixed point), alphas, colours, scales, rotations, SH. Version 2
 * of the format (every SPZ reader takes it; version 3 only re-encodes rotations). Platform-neutral (fflate's gzip).
 *
 * Quantisation, as the reference packer: position round(x · 2^12) (≈ 0.24 mm; ±2 048 m range), alpha
 * round(sigmoid(logit) · 255), colour round(DC · 0.15 · 255 + 127.5) (a "wide RGB" window for DC ∈ [−3.3, 3.3]),
 * log-scale round((s + 10) · 16), rotation (x, y, z) of the unit quaternion with w ≥ 0 as round(127.5 · c + 127.5),
 * SH rest round(c · 128 + 128) snapped to buckets of 8 (degree 1) or 16 (degrees 2–3) for better compression.
 * Coordinates are written as they come: SPZ's convention is RUB (x right, y up, z back), which is the head model's
 * space (x towards the subject's left = the viewer's right, y up, z towards the camera).
 */
import { gzipSync } from 'fflate';
import type { SplatCloud } from './splat-cloud';

export const SPZ_MAGIC = 0x5053474e; // "NGSP"
export const SPZ_VERSION = 2;
export const SPZ_FRACTIONAL_BITS = 12;
const COLOR_SCALE = 0.15;

const u8 = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
function quantizeSh(x: number, bucket: number): number {
  const q = Math.round(x * 128) + 128;
  return Math.max(0, Math.min(255, Math.floor((q + bucket / 2) / bucket) * bucket));
}

/** The cloud (finite values; `finiteSplats` first) as `.spz` bytes. SH degree ≤ 3. */
export function writeSplatSpz(cloud: SplatCloud, { antialiased = false }: { antialiased?: boolean } = {}): Uint8Array {
  const n = cloud.count, degree = cloud.shDegree;
  if (!(degree >= 0 && degree <= 3)) throw new RangeError(`SPZ holds SH degrees 0 to 3, not ${degree}`);
  const K = (degree + 1) ** 2, rest = (K - 1) * 3;
  const limit = 2 ** 23 - 1;
  const out = new Uint8Array(16 + n * (9 + 1 + 3 + 3 + 3 + rest));
  const view = new DataView(out.buffer);
  view.setUint32(0, SPZ_MAGIC, true);
  view.setUint32(4, SPZ_VERSION, true);
  view.setUint32(8, n, true);
  out[12] = degree;
  out[13] = SPZ_FRACTIONAL_BITS;
  out[14] = antialiased ? 1 : 0;
  let o = 16;
  const scale = 2 ** SPZ_FRACTIONAL_BITS;
  for (let i = 0; i < n * 3; i++) {
    const fixed = Math.round(cloud.means[i]! * scale);
    if (Math.abs(fixed) > limit) throw new RangeError(`Gaussian ${Math.floor(i / 3)} lies ${cloud.means[i]} m from the origin, beyond SPZ's ±2 048 m`);
    out[o++] = fixed & 0xff;
    out[o++] = (fixed >> 8) & 0xff;
    out[o++] = (fixed >> 16) & 0xff;
  }
  for (let i = 0; i < n; i++) out[o++] = u8((1 / (1 + Math.exp(-cloud.opacities[i]!))) * 255);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[o++] = u8(cloud.sh[i * K * 3 + c]! * COLOR_SCALE * 255 + 127.5);
  for (let i = 0; i < n * 3; i++) out[o++] = u8((cloud.logScales[i]! + 10) * 16);
  for (let i = 0; i < n; i++) {
    // (w, x, y, z) in the cloud; SPZ keeps x, y, z of the unit quaternion with w ≥ 0
    const w = cloud.rotations[i * 4]!, x = cloud.rotations[i * 4 + 1]!, y = cloud.rotations[i * 4 + 2]!, z = cloud.rotations[i * 4 + 3]!;
    const len = Math.hypot(w, x, y, z) || 1;
    const s = (w < 0 ? -127.5 : 127.5) / len;
    out[o++] = u8(x * s + 127.5);
    out[o++] = u8(y * s + 127.5);
    out[o++] = u8(z * s + 127.5);
  }
  for (let i = 0; i < n; i++)
    for (let k = 1; k < K; k++)
      for (let c = 0; c < 3; c++) out[o++] = quantizeSh(cloud.sh[(i * K + k) * 3 + c]!, k < 4 ? 8 : 16);
  return gzipSync(out, { level: 9, mtime: 0 });
}
