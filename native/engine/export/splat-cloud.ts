/**
 * World-space Gaussians as the export writers take them: the `GaussianScene` layouts of CONVENTIONS.md (means,
 * log-scales, quaternion (w, x, y, z) unnormalised, opacity logits, SH `sh[n][k][rgb]`), f32 or f64.
 */
export interface SplatCloud {
  count: number;
  shDegree: number;
  means: ArrayLike<number>;
  logScales: ArrayLike<number>;
  rotations: ArrayLike<number>;
  opacities: ArrayLike<number>;
  sh: ArrayLike<number>;
}

/**
 * Keeps the Gaussians whose parameters are all finite (a Gaussian on a degenerate triangle deforms to NaN, and the
 * renderer culls it; a file must not carry it) and normalises the quaternions (a zero quaternion → identity, as the
 * kernels read it). Returns f32 arrays.
 */
export function finiteSplats(cloud: SplatCloud): SplatCloud & { dropped: number } {
  const K3 = (cloud.shDegree + 1) ** 2 * 3;
  const keep: number[] = [];
  for (let i = 0; i < cloud.count; i++) {
    let ok = Number.isFinite(cloud.opacities[i]);
    for (let a = 0; ok && a < 3; a++) ok = Number.isFinite(cloud.means[i * 3 + a]) && Number.isFinite(cloud.logScales[i * 3 + a]);
    for (let a = 0; ok && a < 4; a++) ok = Number.isFinite(cloud.rotations[i * 4 + a]);
    for (let a = 0; ok && a < K3; a++) ok = Number.isFinite(cloud.sh[i * K3 + a]);
    if (ok) keep.push(i);
  }
  const n = keep.length;
  const means = new Float32Array(n * 3), logScales = new Float32Array(n * 3), rotations = new Float32Array(n * 4);
  const opacities = new Float32Array(n), sh = new Float32Array(n * K3);
  keep.forEach((i, j) => {
    for (let a = 0; a < 3; a++) {
      means[j * 3 + a] = cloud.means[i * 3 + a];
      logScales[j * 3 + a] = cloud.logScales[i * 3 + a];
    }
    const q = [0, 1, 2, 3].map((a) => cloud.rotations[i * 4 + a]);
    const len = Math.hypot(q[0], q[1], q[2], q[3]);
    if (len > 0) for (let a = 0; a < 4; a++) rotations[j * 4 + a] = q[a] / len;
    else rotations.set([1, 0, 0, 0], j * 4);
    opacities[j] = cloud.opacities[i];
    for (let a = 0; a < K3; a++) sh[j * K3 + a] = cloud.sh[i * K3 + a];
  });
  return { count: n, shDegree: cloud.shDegree, means, logScales, rotations, opacities, sh, dropped: cloud.count - n };
}
