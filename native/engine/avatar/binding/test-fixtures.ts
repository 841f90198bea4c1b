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


/**
 * A latitude–longitude sphere (poles shared) with a UV layout of separate indexing (u = longitude, v = latitude from
 * the north pole), outward-oriented triangles, optionally jittered.
 */
export function uvSphere(lat: number, lon: number, radius = 0.1, jitter = 0, seed = 1): {
  vertices: Float64Array;
  triangles: Uint32Array;
  uv: { coords: Float32Array; triangles: Uint32Array };
} {
  const r = rng(seed);
  const verts: number[] = [0, radius, 0];
  for (let j = 1; j < lat; j++) {
    const th = (Math.PI * j) / lat;
    for (let i = 0; i < lon; i++) {
      const ph = (2 * Math.PI * i) / lon;
      const s = radius * (1 + jitter * (r() * 2 - 1));
      verts.push(s * Math.sin(th) * Math.cos(ph), s * Math.cos(th), -s * Math.sin(th) * Math.sin(ph));
    }
  }
  verts.push(0, -radius, 0);
  const south = verts.length / 3 - 1;
  const ring = (j: number, i: number) => (j === 0 ? 0 : j === lat ? south : 1 + (j - 1) * lon + (i % lon));
  const uvi = (j: number, i: number) => j * (lon + 1) + i;
  const coords = new Float32Array((lat + 1) * (lon + 1) * 2);
  for (let j = 0; j <= lat; j++) for (let i = 0; i <= lon; i++) coords.set([0.02 + (0.96 * i) / lon, 0.02 + (0.96 * j) / lat], uvi(j, i) * 2);
  const tris: number[] = [], uvt: number[] = [];
  const push = (a: [number, number], b: [number, number], c: [number, number]) => {
    tris.push(ring(...a), ring(...b), ring(...c));
    uvt.push(uvi(...a), uvi(...b), uvi(...c));
  };
  for (let j = 0; j < lat; j++)
    for (let i = 0; i < lon; i++) {
      if (j > 0) push([j, i], [j + 1, i], [j, i + 1]);
      if (j < lat - 1) push([j, i + 1], [j + 1, i], [j + 1, i + 1]);
    }
  const vertices = Float64Array.from(verts);
  const triangles = Uint32Array.from(tris);
  // Orient outwards (positive signed volume).
  let vol = 0;
  for (let t = 0; t < triangles.length; t += 3) {
    const [a, b, c] = [triangles[t], triangles[t + 1], triangles[t + 2]].map((k) => [vertices[k * 3], vertices[k * 3 + 1], vertices[k * 3 + 2]]);
    vol += a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0]);
  }
  if (vol < 0)
    for (let t = 0; t < triangles.length; t += 3) {
      [triangles[t + 1], triangles[t + 2]] = [triangles[t + 2], triangles[t + 1]];
      [uvt[t + 1], uvt[t + 2]] = [uvt[t + 2], uvt[t + 1]];
    }
  return { vertices, triangles, uv: { coords, triangles: Uint32Array.from(uvt) } };
}
