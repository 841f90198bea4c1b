/**
 * Initialisation of bound Gaussians by rasterising the UV layout (FATE: 256² texels → ~65k Gaussians), so the
 * whole head (back included) is covered from the start. CPU, runs once.
 *
 * Every texel centre ((i + ½)/N, (j + ½)/N) covered by a UV triangle becomes one Gaussian bound to the matching mesh
 * triangle (UV triangle t ↔ mesh triangle t, corner k ↔ corner k) at the texel centre's barycentric coordinates.
 * A texel covered by several UV triangles (overlapping charts) is taken once, by the lowest triangle index.
 * Initial parameters: identity local rotation, zero normal offset, isotropic world σ = scaleFactor · h_t where
 * h_t = √(mesh area / UV area in texels) is the texel's footprint on triangle t (local log-scale = log(σ / k_t) with
 * k_t of the given mesh), opacity `opacity`, colour grey (or sampled from `texture` at the texel centre).
 */
import type { UvLayout } from '../head-model';
import { SH_C0 } from '../../reference/sh';
import type { BoundGaussianData } from './bound-gaussians';
import { triangleFrame } from '../../reference/binding';
import type { ShDegree } from '../../splat/scene';

export interface UvInitOptions {
  /** UV texture size N (N×N texels). Default 256. */
  resolution?: number;
  shDegree?: ShDegree;
  /** Initial opacity (probability, not logit). Default 0.1 (FATE). */
  opacity?: number;
  /** World σ as a multiple of the texel footprint. Default 1 (≈ FATE's mean nearest-neighbour distance). */
  scaleFactor?: number;
  /** Uniform RGB colour in [0, 1] (default grey 0.5) — ignored where `texture` is given. */
  color?: readonly [number, number, number];
  /** RGB texture (rows top to bottom = v from 0 to 1), sampled (nearest) at each texel centre. */
  texture?: { width: number; height: number; rgb: ArrayLike<number> };
}

export interface UvInitResult {
  data: BoundGaussianData;
  /** Per Gaussian its texel (column i, row j), N×2. */
  texel: Uint32Array;
  /** Per Gaussian the texel footprint h_t on its triangle (metres). */
  footprint: Float32Array;
  resolution: number;
  /** Number of UV triangles skipped (degenerate in UV or on the mesh). */
  skippedTriangles: number;
}

export function initFromUvLayout(
  mesh: { vertices: ArrayLike<number>; triangles: Uint32Array },
  uv: UvLayout,
  options: UvInitOptions = {},
): UvInitResult {
  const N = options.resolution ?? 256;
  const shDegree = options.shDegree ?? 0;
  const opacity = options.opacity ?? 0.1;
  const scaleFactor = options.scaleFactor ?? 1;
  const T = mesh.triangles.length / 3;
  if (uv.triangles.length !== mesh.triangles.length) throw new RangeError(`UV layout has ${uv.triangles.length / 3} triangles, mesh ${T}`);
  if (!(Number.isInteger(N) && N >= 1)) throw new RangeError(`resolution must be a positive integer, got ${N}`);
  if (!(opacity > 0 && opacity < 1)) throw new RangeError(`opacity must be in (0, 1), got ${opacity}`);

  const owner = new Int32Array(N * N).fill(-1);
  const bary = new Float64Array(N * N * 2);
  let skipped = 0;
  const footprintOf = new Float64Array(T);
  const logK = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const c = [0, 1, 2].map((k) => uv.triangles[t * 3 + k]);
    const x = c.map((i) => uv.coords[i * 2] * N), y = c.map((i) => uv.coords[i * 2 + 1] * N);
    const areaUv2 = (x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0]); // 2 × signed area, texels²
    const f = triangleFrame(mesh.vertices, mesh.triangles, t);
    if (!(Math.abs(areaUv2) > 1e-12) || !f.valid) {
      skipped++;
      continue;
    }
    const meshArea = f.k > 0 ? areaOf(f.v0, f.v1, f.v2) : 0;
    footprintOf[t] = Math.sqrt(meshArea / (0.5 * Math.abs(areaUv2)));
    logK[t] = Math.log(f.k);
    const i0 = Math.max(0, Math.ceil(Math.min(...x) - 0.5)), i1 = Math.min(N - 1, Math.floor(Math.max(...x) - 0.5));
    const j0 = Math.max(0, Math.ceil(Math.min(...y) - 0.5)), j1 = Math.min(N - 1, Math.floor(Math.max(...y) - 0.5));
    const eps = 1e-9;
    for (let j = j0; j <= j1; j++)
      for (let i = i0; i <= i1; i++) {
        const p = j * N + i;
        if (owner[p] >= 0) continue;
        const px = i + 0.5, py = j + 0.5;
        // λ0 = area(p, c1, c2)/area, λ1 = area(c0, p, c2)/area
        const l0 = ((x[1] - px) * (y[2] - py) - (x[2] - px) * (y[1] - py)) / areaUv2;
        const l1 = ((px - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (py - y[0])) / areaUv2;
        const l2 = 1 - l0 - l1;
        if (l0 < -eps || l1 < -eps || l2 < -eps) continue;
        owner[p] = t;
        const c0 = Math.max(l0, 0), c1 = Math.max(l1, 0), c2 = Math.max(l2, 0), s = c0 + c1 + c2;
        bary[p * 2] = c0 / s;
        bary[p * 2 + 1] = c1 / s;
      }
  }

  let n = 0;
  for (let p = 0; p < N * N; p++) if (owner[p] >= 0) n++;
  const K = (shDegree + 1) ** 2;
  const data: BoundGaussianData = {
    count: n,
    shDegree,
    triangle: new Uint32Array(n),
    barycentric: new Float32Array(n * 2),
    offset: new Float32Array(n),
    rotations: new Float32Array(n * 4),
    logScales: new Float32Array(n * 3),
    opacities: new Float32Array(n).fill(Math.log(opacity / (1 - opacity))),
    sh: new Float32Array(n * K * 3),
  };
  const texel = new Uint32Array(n * 2);
  const footprint = new Float32Array(n);
  const color = options.color ?? [0.5, 0.5, 0.5];
  let g = 0;
  for (let j = 0; j < N; j++)
    for (let i = 0; i < N; i++) {
      const p = j * N + i;
      const t = owner[p];
      if (t < 0) continue;
      data.triangle[g] = t;
      data.barycentric[g * 2] = bary[p * 2];
      data.barycentric[g * 2 + 1] = bary[p * 2 + 1];
      data.rotations[g * 4] = 1;
      const h = footprintOf[t];
      footprint[g] = h;
      data.logScales.fill(Math.log(scaleFactor * h) - logK[t], g * 3, g * 3 + 3);
      let rgb: readonly number[] = color;
      if (options.texture) {
        const tx = options.texture;
        const ti = Math.min(tx.width - 1, Math.floor(((i + 0.5) / N) * tx.width));
        const tj = Math.min(tx.height - 1, Math.floor(((j + 0.5) / N) * tx.height));
        const q = (tj * tx.width + ti) * 3;
        rgb = [tx.rgb[q], tx.rgb[q + 1], tx.rgb[q + 2]];
      }
      for (let ch = 0; ch < 3; ch++) data.sh[g * K * 3 + ch] = (rgb[ch] - 0.5) / SH_C0;
      texel[g * 2] = i;
      texel[g * 2 + 1] = j;
      g++;
    }
  return { data, texel, footprint, resolution: N, skippedTriangles: skipped };
}

function areaOf(a: number[], b: number[], c: number[]): number {
  const e0 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]], e1 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
  return 0.5 * Math.hypot(e0[1] * e1[2] - e0[2] * e1[1], e0[2] * e1[0] - e0[0] * e1[2], e0[0] * e1[1] - e0[1] * e1[0]);
}
