import { describe, expect, it } from 'vitest';
import { deformReference } from '../../reference/binding';
import { SH_C0 } from '../../reference/sh';
import { createOpenHead } from '../open-head/build';
import { surfaceCoverage, triangleFootprints } from './coverage';
import { initFromUvLayout, type UvInitResult } from './init';
import { uvSphere } from './test-fixtures';
import type { UvLayout } from '../head-model';

/** Each Gaussian's barycentrics must map back (through its UV triangle) to its texel centre, inside the triangle. */
function checkTexels(r: UvInitResult, uv: UvLayout, triangleCount: number) {
  const N = r.resolution;
  const seen = new Set<number>();
  for (let g = 0; g < r.data.count; g++) {
    const t = r.data.triangle[g];
    expect(t).toBeLessThan(triangleCount);
    const b0 = r.data.barycentric[g * 2], b1 = r.data.barycentric[g * 2 + 1], b2 = 1 - b0 - b1;
    expect(b0).toBeGreaterThanOrEqual(0);
    expect(b1).toBeGreaterThanOrEqual(0);
    expect(b2).toBeGreaterThanOrEqual(-1e-6);
    const c = [0, 1, 2].map((k) => uv.triangles[t * 3 + k]);
    const u = b0 * uv.coords[c[0] * 2] + b1 * uv.coords[c[1] * 2] + b2 * uv.coords[c[2] * 2];
    const v = b0 * uv.coords[c[0] * 2 + 1] + b1 * uv.coords[c[1] * 2 + 1] + b2 * uv.coords[c[2] * 2 + 1];
    const i = r.texel[g * 2], j = r.texel[g * 2 + 1];
    expect(Math.abs(u * N - (i + 0.5))).toBeLessThan(1e-3);
    expect(Math.abs(v * N - (j + 0.5))).toBeLessThan(1e-3);
    const key = j * N + i;
    expect(seen.has(key)).toBe(false);
    seen.add(key);
  }
}

describe('UV-layout initialisation', () => {
  it('UV sphere at 64²: one Gaussian per covered texel (vs brute force), barycentrics in the triangle, no holes', () => {
    const s = uvSphere(16, 24, 0.1);
    const N = 64;
    const r = initFromUvLayout({ vertices: s.vertices, triangles: s.triangles }, s.uv, { resolution: N });
    // Brute force: every texel centre against every UV triangle.
    const T = s.triangles.length / 3;
    let covered = 0;
    for (let j = 0; j < N; j++)
      for (let i = 0; i < N; i++) {
        const px = (i + 0.5) / N, py = (j + 0.5) / N;
        for (let t = 0; t < T; t++) {
          const c = [0, 1, 2].map((k) => s.uv.triangles[t * 3 + k]);
          const x = c.map((q) => s.uv.coords[q * 2]), y = c.map((q) => s.uv.coords[q * 2 + 1]);
          const d = (x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0]);
          const l0 = ((x[1] - px) * (y[2] - py) - (x[2] - px) * (y[1] - py)) / d;
          const l1 = ((px - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (py - y[0])) / d;
          if (l0 >= -1e-9 && l1 >= -1e-9 && 1 - l0 - l1 >= -1e-9) {
            covered++;
            break;
          }
        }
      }
    expect(r.data.count).toBe(covered);
    expect(r.skippedTriangles).toBe(0);
    checkTexels(r, s.uv, T);
    const fp = triangleFootprints(T, r.data.triangle, r.footprint);
    const cov = surfaceCoverage(r.data, s.vertices, s.triangles, fp, 10000);
    expect(cov.within1).toBeGreaterThan(0.99);
    expect(cov.worstRatio).toBeLessThan(1.5);
  });

  it('initial parameters: isotropic world σ = scaleFactor · footprint, identity rotation, opacity, grey or texture colour', () => {
    const s = uvSphere(8, 12, 0.1, 0.1, 3);
    const tex = { width: 4, height: 4, rgb: Float32Array.from({ length: 48 }, (_, q) => (q % 3 === 0 ? (q / 3) / 16 : 0.25)) };
    const r = initFromUvLayout({ vertices: s.vertices, triangles: s.triangles }, s.uv, { resolution: 32, opacity: 0.3, scaleFactor: 0.8, shDegree: 1, texture: tex });
    const world = deformReference(r.data, s.vertices, s.triangles);
    for (let g = 0; g < r.data.count; g++) {
      for (let a = 0; a < 3; a++) expect(world.logScales[g * 3 + a]).toBeCloseTo(Math.log(0.8 * r.footprint[g]), 5);
      expect(Array.from(r.data.rotations.subarray(g * 4, g * 4 + 4))).toEqual([1, 0, 0, 0]);
      expect(r.data.offset[g]).toBe(0);
      expect(1 / (1 + Math.exp(-r.data.opacities[g]))).toBeCloseTo(0.3, 6);
      const i = r.texel[g * 2], j = r.texel[g * 2 + 1];
      const q = (Math.floor(((j + 0.5) / 32) * 4) * 4 + Math.floor(((i + 0.5) / 32) * 4)) * 3;
      expect(r.data.sh[g * 12] * SH_C0 + 0.5).toBeCloseTo(tex.rgb[q], 5);
      expect(r.data.sh[g * 12 + 1] * SH_C0 + 0.5).toBeCloseTo(0.25, 5);
      for (let k = 3; k < 12; k++) expect(r.data.sh[g * 12 + k]).toBe(0);
    }
    const grey = initFromUvLayout({ vertices: s.vertices, triangles: s.triangles }, s.uv, { resolution: 16 });
    expect(grey.data.sh.every((x) => x === 0)).toBe(true);
    expect(1 / (1 + Math.exp(-grey.data.opacities[0]))).toBeCloseTo(0.1, 6);
  });

  it('open head: ~50k Gaussians at 256², ~12.7k at 128², every texel once, whole surface covered', () => {
    const head = createOpenHead();
    const v = head.evaluate({});
    const T = head.triangles.length / 3;
    const counts: number[] = [];
    for (const N of [128, 256]) {
      const r = initFromUvLayout({ vertices: v, triangles: head.triangles }, head.uv!, { resolution: N });
      counts.push(r.data.count);
      expect(r.skippedTriangles).toBe(0);
      checkTexels(r, head.uv!, T);
      const fp = triangleFootprints(T, r.data.triangle, r.footprint);
      const cov = surfaceCoverage(r.data, v, head.triangles, fp, 20000, N);
      // Nearly every surface point has a Gaussian mean within one texel footprint; none is farther than 2.
      expect(cov.within1).toBeGreaterThan(0.995);
      expect(cov.within2).toBe(1);
    }
    expect(counts[0]).toBeGreaterThan(10_000);
    expect(counts[0]).toBeLessThan(20_000);
    expect(counts[1]).toBeGreaterThan(40_000);
    expect(counts[1]).toBeLessThan(65_536);
  });
});
