import { describe, expect, it } from 'vitest';
import { denseVisibility, rasterUvLayout } from './uv-visibility';

describe('dense visibility', () => {
  it('rasterises UV triangles by texel centre (either winding)', () => {
    // One square chart over u, v ∈ [0.25, 0.75] of an 8² map = texel centres 2..5 in x and y.
    const uv = { coords: Float32Array.from([0.25, 0.25, 0.75, 0.25, 0.75, 0.75, 0.25, 0.75]), triangles: Uint32Array.from([0, 1, 2, 0, 3, 2]) };
    const m = rasterUvLayout(uv, 8);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) expect(m[y * 8 + x], `${x},${y}`).toBe(x >= 2 && x <= 5 && y >= 2 && y <= 5 ? 1 : 0);
  });

  it('fills gaps inside the layout from their neighbours, keeps covered texels and the outside', () => {
    const M = 4;
    // Left half observed (2), right half filled (1), each Gaussian footprint on alternate texels only.
    const footprint = new Uint8Array(M * M), covered = new Float32Array(M * M), inside = new Uint8Array(M * M).fill(1);
    for (let y = 0; y < M; y++)
      for (let x = 0; x < M; x += 2) {
        const p = y * M + x + (y % 2);
        footprint[p] = x < 2 ? 2 : 1;
        covered[p] = 1;
      }
    inside[15] = 0; // a texel outside the layout and every footprint
    footprint[15] = 0;
    covered[15] = 0;
    const d = denseVisibility(footprint, covered, inside, M);
    for (let p = 0; p < M * M; p++) if (covered[p]! > 0) expect(d[p]).toBe(footprint[p]);
    expect(d[15]).toBe(0);
    expect(d[1]).toBe(2); // row 0, x = 1: between observed texels
    expect([...d].filter((v) => v === 0)).toHaveLength(1);
  });
});
