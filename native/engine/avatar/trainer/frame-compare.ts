import { compositeTarget, headCropBox, headCropMetrics, prepareFrame, type AvatarFrame, type AvatarTrainer } from './index';
import { psnr, ssim } from '../../reference/losses';

export interface FrameComparison {
  /** H·W·3 floats in [0, 1]. */
  render: Float32Array;
  target: Float32Array;
  psnr: number;
  ssim: number;
  /** PSNR over the frame's matte (the head region the avatar can learn); null without a matte. */
  maskedPsnr: number | null;
  /** PSNR / SSIM over the square crop around the head matte (the headline figure); null without a matte. */
  crop: { psnr: number; ssim: number } | null;
}

/**
 * Renders a frame (a trainer index, or a held-out frame) over `bg` and compares it with its target composited over the
 * same colour — the metrics of `AvatarTrainer.evaluate` (full-image PSNR, 11×11 SSIM, PSNR over the matte) and the head-crop PSNR / SSIM, plus both images for previews
 * and the report.
 */
export async function renderAndCompare(trainer: AvatarTrainer, item: number | AvatarFrame, bg: readonly [number, number, number] = [0, 0, 0]): Promise<FrameComparison> {
  let index: number;
  if (typeof item === 'number') index = item;
  else {
    const prepared = prepareFrame(trainer.model, item);
    if (trainer.headTuning) prepared.vertices = trainer.headTuning.posed(item.head); // with the learnt correctives, as `evaluate`
    trainer.frames.push(prepared);
    index = trainer.frames.length - 1;
  }
  const prepared = trainer.frames[index]!;
  try {
    const { rgb } = await trainer.render(index, bg);
    const tgt4 = compositeTarget(prepared, bg);
    const n = trainer.width * trainer.height;
    const target = new Float32Array(n * 3);
    for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) target[p * 3 + c] = tgt4[p * 4 + c]!;
    let maskedPsnr: number | null = null;
    if (prepared.mask) {
      let se = 0, w = 0;
      for (let p = 0; p < n; p++) {
        const m = prepared.mask[p]!;
        for (let c = 0; c < 3; c++) se += m * (rgb[p * 3 + c]! - target[p * 3 + c]!) ** 2;
        w += 3 * m;
      }
      maskedPsnr = w > 0 ? -10 * Math.log10(Math.max(se / w, 1e-20)) : null;
    }
    const box = prepared.mask ? headCropBox(prepared.mask, trainer.width, trainer.height) : null;
    const crop = box ? headCropMetrics(rgb, target, trainer.width, box) : null;
    return { render: rgb, target, psnr: psnr(rgb, target), ssim: ssim(rgb, target, trainer.width, trainer.height, 3).loss, maskedPsnr, crop };
  } finally {
    if (typeof item !== 'number') {
      trainer.frames.pop();
      // The trainer skips re-posing the mesh when the frame index is unchanged; the next frame pushed at this index
      // is another frame, so forget the cached pose (what `evaluate` does for its own extra frames).
      (trainer as unknown as { meshFrame: number }).meshFrame = -1;
    }
  }
}
