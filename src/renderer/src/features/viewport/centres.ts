/**
 * World positions of bound Gaussians on the CPU, for the centres overlay: μ = b0·v0 + b1·v1 + b2·v2 + d·n̂, the
 * position part of the engine's deform kernel (avatar/binding/README.md; reference: reference/binding.ts
 * `deformReference`). Degenerate triangles and bad ids give NaN (three.js skips nothing, so callers hide them).
 */
import type { BoundGaussianData } from '@engine/avatar/binding/bound-gaussians';

export function gaussianCentres(bound: Pick<BoundGaussianData, 'count' | 'triangle' | 'barycentric' | 'offset'>, vertices: ArrayLike<number>, triangles: ArrayLike<number>, out = new Float32Array(bound.count * 3)): Float32Array {
  const T = triangles.length / 3;
  for (let i = 0; i < bound.count; i++) {
    const t = bound.triangle[i];
    if (!(t < T)) {
      out.fill(NaN, i * 3, i * 3 + 3);
      continue;
    }
    const a = triangles[t * 3] * 3, b = triangles[t * 3 + 1] * 3, c = triangles[t * 3 + 2] * 3;
    const e0x = vertices[b] - vertices[a], e0y = vertices[b + 1] - vertices[a + 1], e0z = vertices[b + 2] - vertices[a + 2];
    const e1x = vertices[c] - vertices[a], e1y = vertices[c + 1] - vertices[a + 1], e1z = vertices[c + 2] - vertices[a + 2];
    const nx = e0y * e1z - e0z * e1y, ny = e0z * e1x - e0x * e1z, nz = e0x * e1y - e0y * e1x;
    const nl = Math.hypot(nx, ny, nz);
    if (!(nl > 1e-30) || !(Math.hypot(e0x, e0y, e0z) > 1e-20)) {
      out.fill(NaN, i * 3, i * 3 + 3);
      continue;
    }
    const b0 = bound.barycentric[i * 2], b1 = bound.barycentric[i * 2 + 1], b2 = 1 - b0 - b1, d = bound.offset[i] / nl;
    for (let k = 0; k < 3; k++) out[i * 3 + k] = b0 * vertices[a + k] + b1 * vertices[b + k] + b2 * vertices[c + k];
    out[i * 3] += d * nx;
    out[i * 3 + 1] += d * ny;
    out[i * 3 + 2] += d * nz;
  }
  return out;
}
