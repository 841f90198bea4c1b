import { describe, expect, it } from 'vitest';
import { denseVisibility, rasterUvLayout } from './uv-visibility';

describe('dense visibility', () => {
  it('rasterises UV triangles by texel centre (either winding)', () => {
    // One square chart over u, v ∈ [0.25, 0.75] of an 8² map = texel centres 2..5 in x and y.
    const uv = { coords: Float32Array.from([0.25, 0.25, 0.75, 0.25, 0.75, 0.75, 0.25, 0.75]), triangles: Uint32Array.from([0, 1, 2, 0, 3, 2]) };
    const m = rasterUvLayout(uv, 8);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) expect(m[y * 8 + x], `${x},${y}`).toBe(x >= 2 && x <= 5 && y >= 2 && y <= 5 ? 1 : 0);
  });

  it('observed where observed Gaussians hold at least half the weight; gaps inside the layout take their neighbours share', () => {
    const M = 4;
    // Gaussians on alternate texels: left half all observed, right half unobserved; texel 2 of row 0 half-observed.
    const observed = new Float32Array(M * M), covered = new Float32Array(M * M), inside = new Uint8Array(M * M).fill(1);
    for (let y = 0; y < M; y++)
      for (let x = 0; x < M; x += 2) {
        const p = y * M + x + (y % 2);
        covered[p] = 0.3;
        observed[p] = x < 2 ? 0.3 : 0;
      }
    observed[2] = 0.15; // row 0, x = 2: half of its weight from observed Gaussians → observed
    inside[15] = 0; // outside the layout and every footprint
    covered[15] = observed[15] = 0;
    const d = denseVisibility(observed, covered, inside, M);
    expect(d[0]).toBe(2);
    expect(d[2]).toBe(2);
    expect(d[6]).toBe(1); // row 1, x = 2: covered, unobserved
    expect(d[15]).toBe(0);
    expect(d[1]).toBe(2); // row 0, x = 1: a gap between observed texels
    expect([...d].filter((v) => v === 0)).toHaveLength(1);
    expect(denseVisibility(observed, covered, inside, M, 0.6)[2]).toBe(1);
  });
});
