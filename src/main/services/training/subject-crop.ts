/**
 * Framing the subject: training and evaluation frames are square crops around the tracked head, as the monocular
 * avatar methods train (INSTA, FATE, GHA), so a wide shot's face gets the preset's whole resolution instead of a
 * fifth of it. The crop follows the fitted head — its centre the projected head's box centre, smoothed over time so
 * it does not jitter — at one size for the whole camera (one focal length for every frame), kept inside the frame.
 * A close-up whose head fills the frame is left whole when the frame is square, or cut to its short side.
 */
import type { HeadModel } from '@engine/avatar/head-model';
import { rodrigues } from '@engine/avatar/math';
import type { FitFile } from '@engine/avatar/head-rig';
import type { CropBox } from '@engine/avatar/trainer/head-crop';

/**
 * Crop side over the projected head box's longer side. The box is the whole head model's — skull to the neck it
 * carries, the region the avatar can learn (head-mask.ts) — so a little room is enough: hair volume above the skull.
 */
export const SUBJECT_CROP_SCALE = 1.3;
/** Frames each side of a frame whose head centres are averaged (about half a second at 25–30 frames/s). */
export const SUBJECT_CROP_SMOOTHING = 7;
/** The head box size the crop is sized for: this quantile over the camera's frames (a few outliers don't widen it). */
const SIDE_QUANTILE = 0.9;

export interface ProjectedHeadBox {
  idx: number;
  /** Centre and longer side of the box of the projected head, pixels of the source frame. */
  cx: number;
  cy: number;
  side: number;
}

/**
 * The fitted head of each frame (the neutral-expression head of the fitted shape under the frame's pose; an opening
 * jaw moves the chin by less than the crop's margin) projected with the fit's intrinsics; frames behind the camera are
 * left out.
 */
export function projectedHeadBoxes(model: HeadModel, fit: FitFile): ProjectedHeadBox[] {
  const v = model.evaluate({ shape: fit.shape });
  const n = model.vertexCount;
  const { fx, fy, cx, cy } = fit.intrinsics;
  const out: ProjectedHeadBox[] = [];
  for (const f of fit.frames) {
    const R = rodrigues(f.rotation[0]!, f.rotation[1]!, f.rotation[2]!);
    const t = f.translation;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, behind = false;
    for (let i = 0; i < n && !behind; i++) {
      const x = v[i * 3]!, y = v[i * 3 + 1]!, z = v[i * 3 + 2]!;
      const Z = R[6]! * x + R[7]! * y + R[8]! * z + t[2]!;
      if (!(Z > 1e-6)) behind = true;
      const u = (fx * (R[0]! * x + R[1]! * y + R[2]! * z + t[0]!)) / Z + cx;
      const w = (fy * (R[3]! * x + R[4]! * y + R[5]! * z + t[1]!)) / Z + cy;
      if (u < x0) x0 = u;
      if (u > x1) x1 = u;
      if (w < y0) y0 = w;
      if (w > y1) y1 = w;
    }
    if (behind || !Number.isFinite(x0 + x1 + y0 + y1)) continue;
    out.push({ idx: f.idx, cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, side: Math.max(x1 - x0, y1 - y0) });
  }
  return out.sort((a, b) => a.idx - b.idx);
}

/**
 * One square crop per frame of a width×height camera from its heads' boxes: side = the boxes' 90th-percentile side ×
 * SUBJECT_CROP_SCALE (at most the frame's short side), centre = the box centres averaged over ±SUBJECT_CROP_SMOOTHING
 * neighbouring frames, the box moved inside the frame. Integer pixels. Empty input → empty map.
 */
export function subjectCrops(boxes: readonly ProjectedHeadBox[], width: number, height: number): Map<number, CropBox> {
  const crops = new Map<number, CropBox>();
  if (boxes.length === 0) return crops;
  const sides = boxes.map((b) => b.side).sort((a, b) => a - b);
  const typical = sides[Math.min(sides.length - 1, Math.floor(SIDE_QUANTILE * sides.length))]!;
  const side = Math.max(1, Math.min(width, height, Math.round(typical * SUBJECT_CROP_SCALE)));
  for (let i = 0; i < boxes.length; i++) {
    let sx = 0, sy = 0, k = 0;
    for (let j = Math.max(0, i - SUBJECT_CROP_SMOOTHING); j <= Math.min(boxes.length - 1, i + SUBJECT_CROP_SMOOTHING); j++) {
      sx += boxes[j]!.cx;
      sy += boxes[j]!.cy;
      k++;
    }
    const x = Math.min(Math.max(0, Math.round(sx / k - side / 2)), width - side);
    const y = Math.min(Math.max(0, Math.round(sy / k - side / 2)), height - side);
    crops.set(boxes[i]!.idx, { x, y, width: side, height: side });
  }
  return crops;
}
