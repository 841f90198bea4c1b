/** Small random meshes and bound Gaussians for the binding tests (CPU and GPU). */
import type { BoundRef } from '../../reference/binding';
import { rng } from '../../reference/test-scenes';

/** A small random closed-ish mesh: a jittered octahedron (6 vertices, 8 triangles), scaled to head size. */
export function jitteredOctahedron(seed: number, jitter = 0.3, size = 0.1): { vertices: Float64Array; triangles: Uint32Array } {
  const r = rng(seed);
  const base = [1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1];
  const vertices = Float64Array.from(base, (x) => size * (x + jitter * (r() * 2 - 1)));
  const triangles = Uint32Array.from([0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5]);
  return { vertices, triangles };
}

export function randomBound(seed: number, count: number, triangleCount: number, shDegree = 1): BoundRef {
  const r = rng(seed);
  const K3 = (shDegree + 1) ** 2 * 3;
  const bary = new Float64Array(count * 2);
  for (let i = 0; i < count; i++) {
    let b0 = r(), b1 = r();
    if (b0 + b1 > 1) [b0, b1] = [1 - b0, 1 - b1];
    bary[i * 2] = b0;
    bary[i * 2 + 1] = b1;
  }
  return {
    count,
    shDegree,
    triangle: Uint32Array.from({ length: count }, (_, i) => (i < triangleCount ? i : Math.floor(r() * triangleCount))),
    barycentric: bary,
    offset: Float64Array.from({ length: count }, () => (r() - 0.5) * 0.02),
    rotations: Float64Array.from({ length: count * 4 }, () => r() * 2 - 1),
    logScales: Float64Array.from({ length: count * 3 }, () => -3 + r()),
    opacities: Float64Array.from({ length: count }, () => r() * 4 - 2),
    sh: Float64Array.from({ length: count * K3 }, () => r() - 0.5),
  };
}

