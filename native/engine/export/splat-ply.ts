/**
 * Standard 3D Gaussian Splatting `.ply` (the INRIA `gaussian-splatting` layout that splat viewers and editors read):
 * binary_little_endian 1.0, one `vertex` element of float properties
 * `x y z nx ny nz f_dc_0..2 f_rest_0..(3·(K−1)−1) opacity scale_0..2 rot_0..3`.
 *
 * - `f_dc_c` = SH DC of channel c; `f_rest` is channel-major as INRIA writes it (features_rest transposed):
 *   `f_rest_{c·(K−1) + (k−1)}` = sh[n][k][c] for k ≥ 1.
 * - `opacity` is the logit, `scale_*` the log standard deviations, `rot_0..3` the quaternion (w, x, y, z) — the same
 *   activations as our scene buffers, so values pass through unchanged. Normals are zero (INRIA writes zeros).
 * Platform-neutral: returns bytes.
 */
import type { SplatCloud } from './splat-cloud';

export function plyPropertyNames(shDegree: number): string[] {
  const rest = 3 * ((shDegree + 1) ** 2 - 1);
  return [
    'x', 'y', 'z', 'nx', 'ny', 'nz', 'f_dc_0', 'f_dc_1', 'f_dc_2',
    ...Array.from({ length: rest }, (_, i) => `f_rest_${i}`),
    'opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3',
  ];
}

export function writeSplatPly(cloud: SplatCloud, comment?: string): Uint8Array {
  const names = plyPropertyNames(cloud.shDegree);
  const K = (cloud.shDegree + 1) ** 2, P = names.length, n = cloud.count;
  const header =
    'ply\nformat binary_little_endian 1.0\n' +
    (comment ? `comment ${comment.replace(/[\r\n]+/g, ' ')}\n` : '') +
    `element vertex ${n}\n` +
    names.map((name) => `property float ${name}\n`).join('') +
    'end_header\n';
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(head.length + n * P * 4);
  out.set(head);
  const view = new DataView(out.buffer, head.length);
  let o = 0;
  const put = (v: number) => {
    view.setFloat32(o, v, true);
    o += 4;
  };
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) put(cloud.means[i * 3 + a]);
    put(0), put(0), put(0);
    for (let c = 0; c < 3; c++) put(cloud.sh[i * K * 3 + c]);
    for (let c = 0; c < 3; c++) for (let k = 1; k < K; k++) put(cloud.sh[(i * K + k) * 3 + c]);
    put(cloud.opacities[i]);
    for (let a = 0; a < 3; a++) put(cloud.logScales[i * 3 + a]);
    for (let a = 0; a < 4; a++) put(cloud.rotations[i * 4 + a]);
  }
  return out;
}
