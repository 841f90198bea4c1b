/**
 * The evaluation crop around the subject's head (the INSTA protocol's headline figure is computed on frames cropped
 * around the head, so background a wide shot shows cannot inflate it): the bounding box of the frame's head matte,
 * grown by a margin on every side, made square about its centre and kept inside the image.
 */
import { psnr, ssim } from '../../reference/losses';

export interface CropBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Fraction of the matte box's longer side added on each side (forehead, chin and ears stay inside). */
export const HEAD_CROP_MARGIN = 0.15;
/** Matte values at or above this count as head. */
const MATTE_THRESHOLD = 0.5;

/** The square head crop of a width×height frame from its matte (one weight per pixel); null when the matte is empty. */
export function headCropBox(mask: ArrayLike<number>, width: number, height: number, margin = HEAD_CROP_MARGIN): CropBox | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (mask[y * width + x]! >= MATTE_THRESHOLD) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  if (x1 < 0) return null;
  const cx = (x0 + x1 + 1) / 2, cy = (y0 + y1 + 1) / 2;
  const side = Math.min(Math.max(width, height), Math.round(Math.max(x1 + 1 - x0, y1 + 1 - y0) * (1 + 2 * margin)));
  const w = Math.min(side, width), h = Math.min(side, height);
  const x = Math.min(Math.max(0, Math.round(cx - w / 2)), width - w);
  const y = Math.min(Math.max(0, Math.round(cy - h / 2)), height - h);
  return { x, y, width: w, height: h };
}

/** The box's pixels of an interleaved image with `channels` values per pixel. */
export function cropImage(image: ArrayLike<number>, width: number, box: CropBox, channels = 3): Float32Array {
  const out = new Float32Array(box.width * box.height * channels);
  for (let y = 0; y < box.height; y++)
    for (let x = 0; x < box.width; x++)
      for (let c = 0; c < channels; c++) out[(y * box.width + x) * channels + c] = image[((box.y + y) * width + box.x + x) * channels + c]!;
  return out;
}

/** PSNR and 11×11 SSIM of a render against its target over the head crop. */
export function headCropMetrics(render: ArrayLike<number>, target: ArrayLike<number>, width: number, box: CropBox): { psnr: number; ssim: number } {
  const r = cropImage(render, width, box), t = cropImage(target, width, box);
  return { psnr: psnr(r, t), ssim: ssim(r, t, box.width, box.height, 3).loss };
}
