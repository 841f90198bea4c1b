import { describe, expect, it } from 'vitest';
import { psnr } from '../../reference/losses';
import { cropImage, headCropBox, headCropMetrics } from './head-crop';

/** A width×height matte with a filled rectangle. */
function matte(width: number, height: number, r: { x: number; y: number; w: number; h: number }): Float32Array {
  const m = new Float32Array(width * height);
  for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) m[y * width + x] = 1;
  return m;
}

describe('head crop', () => {
  it('is the matte box grown by the margin, square about its centre', () => {
    const box = headCropBox(matte(200, 100, { x: 90, y: 40, w: 20, h: 10 }), 200, 100, 0.25);
    // longer side 20 → 30; centre (100, 45)
    expect(box).toEqual({ x: 85, y: 30, width: 30, height: 30 });
  });

  it('stays inside the frame at its edges and is null for an empty matte', () => {
    expect(headCropBox(matte(64, 48, { x: 0, y: 0, w: 10, h: 10 }), 64, 48)).toEqual({ x: 0, y: 0, width: 13, height: 13 });
    const big = headCropBox(matte(64, 48, { x: 0, y: 0, w: 64, h: 48 }), 64, 48)!;
    expect(big).toEqual({ x: 0, y: 0, width: 64, height: 48 });
    expect(headCropBox(new Float32Array(64 * 48), 64, 48)).toBeNull();
  });

  it('measures only the crop: background far from the head does not raise the figure', () => {
    const W = 160, H = 120;
    const box = headCropBox(matte(W, H, { x: 70, y: 50, w: 20, h: 20 }), W, H)!;
    const target = new Float32Array(W * H * 3).fill(0.5);
    const render = Float32Array.from(target);
    // an error of 0.1 on every pixel of the crop; the rest of the frame (the background) is exact
    for (let y = box.y; y < box.y + box.height; y++) for (let x = box.x; x < box.x + box.width; x++) for (let c = 0; c < 3; c++) render[(y * W + x) * 3 + c] = 0.6;
    const crop = headCropMetrics(render, target, W, box);
    expect(crop.psnr).toBeCloseTo(20, 5);
    expect(psnr(render, target)).toBeGreaterThan(crop.psnr + 10);
    expect(cropImage(render, W, box)).toHaveLength(box.width * box.height * 3);
  });
});
