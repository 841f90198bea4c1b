import { describe, expect, it } from 'vitest';
import { measureFrameQuality } from './frame-quality';

function checkerboard(w: number, h: number, cell: number): Uint8Array {
  const g = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) g[y * w + x] = ((x / cell) ^ (y / cell)) & 1 ? 200 : 50;
  return g;
}

function boxBlur(src: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      let c = 0;
      for (let dy = -r; dy <= r; dy++)
        for (let dx = -r; dx <= r; dx++) {
          const xx = Math.min(w - 1, Math.max(0, x + dx));
          const yy = Math.min(h - 1, Math.max(0, y + dy));
          s += src[yy * w + xx]!;
          c++;
        }
      out[y * w + x] = Math.round(s / c);
    }
  return out;
}

describe('measureFrameQuality', () => {
  it('ranks a blurred image as less sharp than the original', () => {
    const sharp = checkerboard(64, 48, 4);
    const blurred = boxBlur(sharp, 64, 48, 2);
    const a = measureFrameQuality(sharp, 64, 48);
    const b = measureFrameQuality(blurred, 64, 48);
    expect(a.sharpness).toBeGreaterThan(4 * b.sharpness);
    expect(a.exposure).toBeCloseTo(125 / 255, 2);
  });

  it('reports a flat image as having no sharpness, and a black frame as dark and clipped', () => {
    const flat = new Uint8Array(32 * 32).fill(128);
    expect(measureFrameQuality(flat, 32, 32).sharpness).toBe(0);
    const black = new Uint8Array(32 * 32);
    expect(measureFrameQuality(black, 32, 32)).toEqual({ sharpness: 0, exposure: 0, clipped: 1 });
  });
});
