import type { EvaluatedFrame } from './training-types';

type Pair = { psnr: number; ssim: number };

/**
 * The held-out figures of a run from its evaluated frames: the headline (head-crop PSNR / SSIM, a frame without a
 * matte counted with its full-frame figures), the full-frame means and the head-matte PSNR mean (frames with a matte).
 */
export function evaluationMeans(frames: readonly Pick<EvaluatedFrame, 'psnr' | 'ssim' | 'maskedPsnr' | 'crop'>[]): { headline: Pair | null; fullFrame: Pair | null; headMattePsnr: number | null } {
  if (!frames.length) return { headline: null, fullFrame: null, headMattePsnr: null };
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const matte = frames.map((f) => f.maskedPsnr).filter((x): x is number => x !== null && Number.isFinite(x));
  return {
    headline: { psnr: mean(frames.map((f) => f.crop?.psnr ?? f.psnr)), ssim: mean(frames.map((f) => f.crop?.ssim ?? f.ssim)) },
    fullFrame: { psnr: mean(frames.map((f) => f.psnr)), ssim: mean(frames.map((f) => f.ssim)) },
    headMattePsnr: matte.length ? mean(matte) : null,
  };
}
