/**
 * Coverage diagnostics of an initialisation: how far surface points are from the nearest Gaussian mean, in units of
 * the local texel footprint (tests and the e2e check).
 */
import { deformReference, triangleFrame, type BoundRef } from '../../reference/binding';
import { rng } from '../../reference/test-scenes';

export interface CoverageReport {
  samples: number;
  /** Fraction of area-uniform surface samples whose nearest Gaussian mean is within 1 (resp. 2) footprints. */
  within1: number;
  within2: number;
  /** Largest distance to the nearest mean, in footprints of the sample's triangle, and in metres. */
  worstRatio: number;
  worstMetres: number;
}

/**
 * `footprintOfTriangle[t]`: the texel footprint on triangle t (for triangles without a Gaussian, any positive value;
 * see `triangleFootprints`). Points are sampled area-uniformly over the mesh (seeded).
 */
export function surfaceCoverage(
  bound: BoundRef,
  vertices: ArrayLike<number>,
  triangles: Uint32Array,
  footprintOfTriangle: Float64Array,
  samples = 20000,
  seed = 1,
): CoverageReport {
  const means = deformReference(bound, vertices, triangles).means;
  const T = triangles.length / 3;
  const area = new Float64Array(T);
  let total = 0;
  for (let t = 0; t < T; t++) {
    const f = triangleFrame(vertices, triangles, t);
    area[t] = f.valid ? triArea(f.v0, f.v1, f.v2) : 0;
    total += area[t];
  }
  const cdf = new Float64Array(T);
  let acc = 0;
  for (let t = 0; t < T; t++) cdf[t] = acc += area[t] / total;
  // Spatial hash of the means.
  let cell = 0;
  for (let t = 0; t < T; t++) cell = Math.max(cell, footprintOfTriangle[t]);
  cell = Math.max(cell, 1e-6);
  const grid = new Map<string, number[]>();
  const key = (x: number, y: number, z: number) => `${Math.floor(x / cell)},${Math.floor(y / cell)},${Math.floor(z / cell)}`;
  for (let i = 0; i < bound.count; i++) {
    const k = key(means[i * 3], means[i * 3 + 1], means[i * 3 + 2]);
    let l = grid.get(k);
    if (!l) grid.set(k, (l = []));
    l.push(i);
  }
  const r = rng(seed);
  let in1 = 0, in2 = 0, worstRatio = 0, worstMetres = 0;
  for (let s = 0; s < samples; s++) {
    const u = r();
    let lo = 0, hi = T - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    const t = lo;
    let a = r(), b = r();
    if (a + b > 1) [a, b] = [1 - a, 1 - b];
    const f = triangleFrame(vertices, triangles, t);
    const p = [0, 1, 2].map((c) => a * f.v0[c] + b * f.v1[c] + (1 - a - b) * f.v2[c]);
    let best = Infinity;
    for (let reach = 1; reach <= 8 && !(best <= (reach - 1) * cell); reach *= 2) {
      const cx = Math.floor(p[0] / cell), cy = Math.floor(p[1] / cell), cz = Math.floor(p[2] / cell);
      for (let dx = -reach; dx <= reach; dx++)
        for (let dy = -reach; dy <= reach; dy++)
          for (let dz = -reach; dz <= reach; dz++) {
            const l = grid.get(`${cx + dx},${cy + dy},${cz + dz}`);
            if (!l) continue;
            for (const i of l) best = Math.min(best, Math.hypot(means[i * 3] - p[0], means[i * 3 + 1] - p[1], means[i * 3 + 2] - p[2]));
          }
    }
    const ratio = best / footprintOfTriangle[t];
    if (ratio <= 1) in1++;
    if (ratio <= 2) in2++;
    worstRatio = Math.max(worstRatio, ratio);
    worstMetres = Math.max(worstMetres, best);
  }
  return { samples, within1: in1 / samples, within2: in2 / samples, worstRatio, worstMetres };
}

function triArea(a: number[], b: number[], c: number[]): number {
  const e0 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]], e1 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
  return 0.5 * Math.hypot(e0[1] * e1[2] - e0[2] * e1[1], e0[2] * e1[0] - e0[0] * e1[2], e0[0] * e1[1] - e0[1] * e1[0]);
}

/** Per-triangle footprint from an init result; triangles with no Gaussian get the median footprint. */
export function triangleFootprints(triangleCount: number, triangle: ArrayLike<number>, footprint: ArrayLike<number>): Float64Array {
  const out = new Float64Array(triangleCount);
  for (let i = 0; i < triangle.length; i++) out[triangle[i]] = footprint[i];
  const sorted = Array.from(footprint).sort((a, b) => a - b);
  const median = sorted.length ? sorted[sorted.length >> 1] : 1;
  for (let t = 0; t < triangleCount; t++) if (!(out[t] > 0)) out[t] = median;
  return out;
}
