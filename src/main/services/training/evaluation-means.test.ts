import { describe, expect, it } from 'vitest';
import { evaluationMeans } from './evaluation-means';

describe('evaluationMeans', () => {
  it('headline over the head crops; full frame and matte means beside it', () => {
    const m = evaluationMeans([
      { psnr: 36, ssim: 0.98, maskedPsnr: 26, crop: { psnr: 28, ssim: 0.9 } },
      { psnr: 34, ssim: 0.96, maskedPsnr: null, crop: null },
    ]);
    expect(m.headline!.psnr).toBeCloseTo(31);
    expect(m.headline!.ssim).toBeCloseTo(0.93);
    expect(m.fullFrame!.psnr).toBeCloseTo(35);
    expect(m.fullFrame!.ssim).toBeCloseTo(0.97);
    expect(m.headMattePsnr).toBe(26);
  });
  it('nothing evaluated: all null', () => {
    expect(evaluationMeans([])).toEqual({ headline: null, fullFrame: null, headMattePsnr: null });
  });
});
