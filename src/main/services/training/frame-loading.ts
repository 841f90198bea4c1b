import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import type { HeadModel } from '@engine/avatar/head-model';
import type { AvatarFrame } from '@engine/avatar/trainer';
import type { FitFile } from '@engine/avatar/head-rig';
import { readCaptures } from '../capture/captures-repo';
import { decodeImage, readImage } from '../tracking/image';
import { headMask } from './head-mask';
import { MIN_TRAIN_FRAMES } from './training-types';
import { projectedHeadBoxes, subjectCrops } from './subject-crop';
import type { CropBox } from '@engine/avatar/trainer/head-crop';

interface FrameRow {
  idx: number;
  split: 'train' | 'test' | 'excluded';
  file: string;
}

export interface CaptureCamera {
  id: string;
  name: string;
  width: number;
  height: number;
  frames: FrameRow[];
}

/** The capture's cameras with their non-excluded frames (through the captures repository on a read-only view). */
export function readCapture(libraryDir: string, captureId: string): CaptureCamera[] {
  return readCaptures(libraryDir, (captures) => {
    const capture = captures.get(captureId, 'The capture to train on no longer exists.');
    return capture.cameras.map((c) => ({
      id: c.id,
      name: c.name,
      width: c.width,
      height: c.height,
      frames: captures.cameraFrames(captureId, c.id, { excluded: false }).map((f) => ({ idx: f.idx, split: f.split, file: f.file })),
    }));
  });
}

/**
 * Area-average resample of a box of an RGB(A) image (default: all of it) to w×h, RGBA8 out (alpha 255). The box is
 * in whole pixels and inside the image.
 */
export function resizeRgb(img: { width: number; height: number; data: Uint8Array; channels: number }, w: number, h: number, box: CropBox = { x: 0, y: 0, width: img.width, height: img.height }): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  const sx = box.width / w, sy = box.height / h;
  const C = img.channels;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.min(box.height, Math.floor((y + 1) * sy)));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.min(box.width, Math.floor((x + 1) * sx)));
      let r = 0, g = 0, b = 0;
      for (let yy = y0; yy < y1; yy++)
        for (let xx = x0; xx < x1; xx++) {
          const p = ((box.y + yy) * img.width + box.x + xx) * C;
          r += img.data[p]!; g += img.data[p + 1]!; b += img.data[p + 2]!;
        }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * w + x) * 4;
      out[o] = Math.round(r / n); out[o + 1] = Math.round(g / n); out[o + 2] = Math.round(b / n); out[o + 3] = 255;
    }
  }
  return out;
}

const identity4 = () => Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

export interface LoadedFrame {
  frame: AvatarFrame;
  idx: number;
  cameraId: string;
}

export interface LoadedFrames {
  train: LoadedFrame[];
  test: LoadedFrame[];
  /** Frames without a head fit (not tracked, or the whole camera untracked). */
  untracked: number;
  /** Frames of cameras whose image size differs from the first camera's at the training size (the trainer needs one). */
  otherSize: number;
  size: { w: number; h: number } | null;
}

export interface LoadOptions {
  projectDir: string;
  trackingDir: string;
  imageLongSide: number;
  /** Every fitted frame of this camera is evaluated (novel view) and the other cameras' frames all train. */
  holdOutCamera: string | null;
  /**
   * Square frames cropped around the tracked head (subject-crop.ts), imageLongSide a side, instead of whole frames
   * with imageLongSide as the long side.
   */
  frameSubject: boolean;
  throwIfCancelled(): void;
}

/**
 * Training and evaluation frames from the tracking output: per camera `fit.json` (frames without a fit are counted
 * as untracked), the image — whole or, with `frameSubject`, the square crop around the head — resampled to the
 * training size, the matte limited to the projected fitted head, the fit's intrinsics moved and scaled to that crop
 * (pixel-centre convention), identity view (the fit's pose is model → camera).
 */
export function loadFrames(model: HeadModel, cameras: CaptureCamera[], o: LoadOptions): LoadedFrames {
  const out: LoadedFrames = { train: [], test: [], untracked: 0, otherSize: 0, size: null };
  for (const cam of cameras) {
    const camKey = cam.id.split(':').at(-1)!;
    const fitFile = path.join(o.trackingDir, camKey, 'fit.json');
    if (!fs.existsSync(fitFile)) {
      out.untracked += cam.frames.length;
      continue;
    }
    const fit = JSON.parse(fs.readFileSync(fitFile, 'utf8')) as FitFile;
    const byIdx = new Map(fit.frames.map((f) => [f.idx, f]));
    const crops = o.frameSubject ? subjectCrops(projectedHeadBoxes(model, fit), cam.width, cam.height) : null;
    const whole: CropBox = { x: 0, y: 0, width: cam.width, height: cam.height };
    const s = o.imageLongSide / Math.max(cam.width, cam.height);
    const w = crops ? o.imageLongSide : Math.max(1, Math.round(cam.width * s));
    const h = crops ? o.imageLongSide : Math.max(1, Math.round(cam.height * s));
    if (out.size && (out.size.w !== w || out.size.h !== h)) {
      out.otherSize += cam.frames.length;
      continue;
    }
    out.size = { w, h };
    const heldOut = o.holdOutCamera === cam.id;
    for (const f of cam.frames) {
      const r = byIdx.get(f.idx);
      if (!r) {
        out.untracked++;
        continue;
      }
      const box = crops ? crops.get(f.idx) : whole;
      if (!box) {
        out.untracked++; // a fit with the head behind the camera: nothing to frame
        continue;
      }
      o.throwIfCancelled();
      const sx = w / box.width, sy = h / box.height;
      const camera = { width: w, height: h, fx: fit.intrinsics.fx * sx, fy: fit.intrinsics.fy * sy, cx: (fit.intrinsics.cx + 0.5 - box.x) * sx - 0.5, cy: (fit.intrinsics.cy + 0.5 - box.y) * sy - 0.5, viewMatrix: identity4() };
      const image = resizeRgb(readImage(path.join(o.projectDir, f.file)), w, h, box);
      const maskFile = path.join(o.trackingDir, camKey, 'masks', `${String(f.idx).padStart(6, '0')}.png`);
      let mask: Uint8Array | null = null;
      if (fs.existsSync(maskFile)) {
        const matte = decodeImage(fs.readFileSync(maskFile));
        // mattes are stored at the frame's size (tracking); the box is scaled in case one is not
        const kx = matte.width / cam.width, ky = matte.height / cam.height;
        const mx = Math.min(matte.width - 1, Math.round(box.x * kx)), my = Math.min(matte.height - 1, Math.round(box.y * ky));
        const mbox = { x: mx, y: my, width: Math.max(1, Math.min(matte.width - mx, Math.round(box.width * kx))), height: Math.max(1, Math.min(matte.height - my, Math.round(box.height * ky))) };
        const rgba = resizeRgb(matte, w, h, mbox);
        mask = new Uint8Array(w * h);
        for (let p = 0; p < w * h; p++) mask[p] = rgba[p * 4]!;
      }
      const joints = new Float64Array(15);
      joints.set(r.jaw.slice(0, 3), 6);
      joints.set(r.eyes.slice(0, 6), 9); // left eye then right eye axis-angles (fitting/fit.ts)
      const head = { shape: fit.shape, expression: r.expression, jointRotations: joints, rotation: r.rotation, translation: r.translation };
      // Only the head can be learnt: the person matte is limited to the projected head (plus a margin).
      const region = headMask(model, head, camera, Math.max(2, Math.round(Math.max(w, h) / 64)));
      if (mask) for (let p = 0; p < w * h; p++) mask[p] = Math.min(mask[p]!, region[p]!);
      else mask = region;
      const loaded: LoadedFrame = { frame: { image, channels: 4, mask, camera, head }, idx: f.idx, cameraId: cam.id };
      const isTest = o.holdOutCamera ? heldOut : f.split === 'test';
      (isTest ? out.test : out.train).push(loaded);
    }
  }
  return out;
}

/** CONFLICT with the count needed (and why frames were left out) when too few frames can train. */
export function assertEnoughFrames(f: LoadedFrames): void {
  if (f.train.length >= MIN_TRAIN_FRAMES) return;
  const why = [
    f.untracked ? `${f.untracked} frame${f.untracked === 1 ? ' has' : 's have'} no tracking (track the capture again, or include more frames)` : '',
    f.otherSize ? `${f.otherSize} frame${f.otherSize === 1 ? ' is' : 's are'} from a camera with another image size` : '',
  ].filter(Boolean);
  throw new StudioError(
    'CONFLICT',
    `Too few usable frames: ${f.train.length} tracked train frame${f.train.length === 1 ? '' : 's'}, at least ${MIN_TRAIN_FRAMES} needed.${why.length ? ` ${why.join('; ')}.` : ''}`,
    { trainFrames: f.train.length, needed: MIN_TRAIN_FRAMES, untracked: f.untracked },
  );
}
