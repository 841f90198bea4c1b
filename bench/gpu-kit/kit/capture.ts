/**
 * The kit's packed capture (written by make-capture.ts at pack time) → the `AvatarFrame`s the training job builds
 * (src/main/services/training/frame-loading.ts): RGBA8 image area-averaged to the training size, matte (already
 * limited to the projected fitted head), intrinsics scaled with the pixel-centre convention, identity view.
 */
import fs from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { StoredExpressionSpace } from '../../../native/engine/avatar/open-head/stored-space';
import type { AvatarFrame } from '../../../native/engine/avatar/trainer/frames';

export interface KitCapture {
  version: 1;
  source: string;
  /** Size of the stored frames and masks. */
  width: number;
  height: number;
  /** Intrinsics at the stored size (pixel centres at integers, as the fit's). */
  camera: { fx: number; fy: number; cx: number; cy: number };
  expressionSpace: StoredExpressionSpace;
  shape: number[];
  frames: {
    idx: number;
    split: 'train' | 'test';
    image: string;
    mask: string;
    head: { expression: number[]; jointRotations: number[]; rotation: number[]; translation: number[] };
  }[];
}

export interface LoadedCapture {
  doc: KitCapture;
  width: number;
  height: number;
  train: AvatarFrame[];
  test: AvatarFrame[];
}

interface Raster {
  width: number;
  height: number;
  data: Uint8Array;
  channels: number;
}

function decode(bytes: Buffer): Raster {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
    return { width: img.width, height: img.height, data: img.data, channels: 3 };
  }
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), channels: 4 };
}

/** Area-average resize to w×h (frame-loading.ts's `resizeRgb`), `channels` out of the first channels of the input. */
function resize(img: Raster, w: number, h: number, channels: 1 | 4): Uint8Array {
  const out = new Uint8Array(w * h * channels);
  const sx = img.width / w, sy = img.height / h;
  const C = img.channels;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.min(img.height, Math.floor((y + 1) * sy)));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.min(img.width, Math.floor((x + 1) * sx)));
      let r = 0, g = 0, b = 0;
      for (let yy = y0; yy < y1; yy++)
        for (let xx = x0; xx < x1; xx++) {
          const p = (yy * img.width + xx) * C;
          r += img.data[p]!;
          g += img.data[p + 1]!;
          b += img.data[p + 2]!;
        }
      const n = (y1 - y0) * (x1 - x0);
      if (channels === 1) out[y * w + x] = Math.round(r / n);
      else {
        const o = (y * w + x) * 4;
        out[o] = Math.round(r / n);
        out[o + 1] = Math.round(g / n);
        out[o + 2] = Math.round(b / n);
        out[o + 3] = 255;
      }
    }
  }
  return out;
}

const identity4 = () => Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

/** Reads `dir/capture.json` and its images; frames at `longSide` (the stored size when absent). */
export function loadKitCapture(dir: string, longSide?: number): LoadedCapture {
  const doc = JSON.parse(fs.readFileSync(path.join(dir, 'capture.json'), 'utf8')) as KitCapture;
  if (doc.version !== 1) throw new Error(`capture.json version ${doc.version} is not 1`);
  const s = (longSide ?? Math.max(doc.width, doc.height)) / Math.max(doc.width, doc.height);
  const w = Math.max(1, Math.round(doc.width * s)), h = Math.max(1, Math.round(doc.height * s));
  const sx = w / doc.width, sy = h / doc.height;
  const c = doc.camera;
  const camera = { width: w, height: h, fx: c.fx * sx, fy: c.fy * sy, cx: (c.cx + 0.5) * sx - 0.5, cy: (c.cy + 0.5) * sy - 0.5 };
  const train: AvatarFrame[] = [], test: AvatarFrame[] = [];
  for (const f of doc.frames) {
    const image = resize(decode(fs.readFileSync(path.join(dir, f.image))), w, h, 4);
    // Grey PNGs decode to RGBA with the grey in r, g and b.
    const mask = resize(decode(fs.readFileSync(path.join(dir, f.mask))), w, h, 1);
    const frame: AvatarFrame = {
      image,
      channels: 4,
      mask,
      camera: { ...camera, viewMatrix: identity4() },
      head: { shape: doc.shape, expression: f.head.expression, jointRotations: Float64Array.from(f.head.jointRotations), rotation: f.head.rotation, translation: f.head.translation },
    };
    (f.split === 'test' ? test : train).push(frame);
  }
  return { doc, width: w, height: h, train, test };
}
