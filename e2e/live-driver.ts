import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Tracker } from '../src/main/services/tracking/tracker';

/**
 * The fake camera's driving clip for e2e/live.spec.ts: a real face photo (the one the test's avatar is trained on)
 * whose mouth opens and closes. The jaw is dropped by warping: below the lips' line every pixel of the lower face
 * moves down by d(t) (fading out towards the cheeks and below the chin) and the gap between the lips is painted as a
 * dark mouth. The face tracker sees it as a mouth opening (the inner-lip gap grows with d). Written as Y4M 4:2:0
 * (BT.601 limited range), which Chromium's --use-file-for-fake-video-capture plays in a loop.
 */
export interface DriverClip {
  file: string;
  /** A short MP4 of the same face opening and closing its mouth, to train the test's avatar on (so its expression
   * space holds the mouth's opening and the clamp lets it through). */
  trainingClip: string;
  width: number;
  height: number;
  fps: number;
  /** Mouth opening 0–1 of each frame. */
  openness: number[];
  /** The dark mouth's box in frame pixels (where the driver signal is read). */
  mouthBox: { x0: number; y0: number; x1: number; y1: number };
  /** Inter-ocular distance on the base frame, px. */
  iod: number;
}

/** The default frame size (the e2e's fake camera); `makeDriverClip`'s `width`/`height` change it (4:3). */
const DEFAULT_W = 320;
const DEFAULT_H = 240;
const DEFAULT_FPS = 10;
/** Closed mouth first (time to calibrate), then open/close cycles. */
const NEUTRAL_S = 22;
const CYCLE_S = 4;
const CYCLES = 3;

/** The face photo cropped to a W×H RGB24 frame (the driver's closed-mouth frame). */
export function baseFrame(W: number, H: number): Uint8Array {
  const photo = path.resolve('node_modules/@vladmandic/face-api/demo/sample3.jpg');
  return new Uint8Array(execFileSync('ffmpeg', ['-v', 'error', '-i', photo, '-vf', `crop=600:450:1300:255,scale=${W}:${H}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']));
}

/** `base` with the jaw dropped by `d` px below the lips' line of its landmarks `L` (478 × 3), the gap painted as a dark mouth. */
export function warp(base: Uint8Array, L: Float32Array, d: number, W: number, H: number): Uint8Array {
  const p = (i: number) => [L[3 * i]!, L[3 * i + 1]!] as const;
  const out = new Uint8Array(base);
  const yc = (p(13)[1] + p(14)[1]) / 2, mx = (p(61)[0] + p(291)[0]) / 2;
  const chinY = p(152)[1];
  const halfW = (p(291)[0] - p(61)[0]) / 2;
  const jawHalf = halfW * 2.2;
  for (let y = Math.floor(yc); y < H; y++)
    for (let x = 0; x < W; x++) {
      const dx = Math.abs(x - mx);
      if (dx > jawHalf) continue;
      const wx = Math.min(1, (jawHalf - dx) / (jawHalf - halfW));
      const wy = y < chinY + 6 ? 1 : Math.max(0, 1 - (y - chinY - 6) / 30);
      const s = d * wx * wy;
      let sy = y - s;
      const i = (y * W + x) * 3;
      if (sy < yc) {
        const v = ((y - yc) / Math.max(1e-3, s)) * 2 - 1;
        if (dx < halfW * 0.95 * Math.sqrt(Math.max(0, 1 - v * v))) {
          out[i] = 35;
          out[i + 1] = 10;
          out[i + 2] = 12;
          continue;
        }
        sy = yc;
      }
      const j = (Math.max(0, Math.min(H - 1, Math.round(sy))) * W + x) * 3;
      out[i] = base[j]!;
      out[i + 1] = base[j + 1]!;
      out[i + 2] = base[j + 2]!;
    }
  return out;
}

/** RGB24 → one Y4M frame (I420, BT.601 limited range, chroma averaged over 2×2). */
function i420(rgb: Uint8Array, W: number, H: number): Buffer {
  const y = Buffer.alloc(W * H), u = Buffer.alloc((W / 2) * (H / 2)), v = Buffer.alloc((W / 2) * (H / 2));
  for (let k = 0; k < W * H; k++) {
    const r = rgb[3 * k]! / 255, g = rgb[3 * k + 1]! / 255, b = rgb[3 * k + 2]! / 255;
    y[k] = Math.round(16 + 65.481 * r + 128.553 * g + 24.966 * b);
  }
  for (let cy = 0; cy < H / 2; cy++)
    for (let cx = 0; cx < W / 2; cx++) {
      let r = 0, g = 0, b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
        const k = ((2 * cy + dy) * W + 2 * cx + dx) * 3;
        r += rgb[k]! / 1020;
        g += rgb[k + 1]! / 1020;
        b += rgb[k + 2]! / 1020;
      }
      u[cy * (W / 2) + cx] = Math.round(128 - 37.797 * r - 74.203 * g + 112 * b);
      v[cy * (W / 2) + cx] = Math.round(128 + 112 * r - 93.786 * g - 18.214 * b);
    }
  return Buffer.concat([Buffer.from('FRAME\n'), y, u, v]);
}

/** Writes the clip to `dir/driver.y4m` (≈ 37 MB with the defaults) and the training clip to `dir/train.mp4`;
 * `neutralSeconds` / `cycles` shorten it (the web player's e2e calibrates on fewer frames); `width` × `height` (even,
 * 4:3; default 320×240) sets the frame size and `fps` (default 10) the rate — bench/live's page loop plays a webcam's
 * 640×480 at 30 fps. */
export async function makeDriverClip(
  dir: string,
  { neutralSeconds = NEUTRAL_S, cycles = CYCLES, width: W = DEFAULT_W, height: H = DEFAULT_H, fps: FPS = DEFAULT_FPS }: { neutralSeconds?: number; cycles?: number; width?: number; height?: number; fps?: number } = {},
): Promise<DriverClip> {
  const base = baseFrame(W, H);
  const tracker = await Tracker.create({ mask: false, smoothing: false });
  let L: Float32Array;
  try {
    const f = await tracker.track({ width: W, height: H, data: base, channels: 3 }, 0, 0);
    if (!f.tracked || !f.landmarks) throw new Error(`the driver's base frame is not tracked (${f.reason})`);
    L = f.landmarks;
  } finally {
    await tracker.dispose();
  }
  const iod = Math.hypot(L[263 * 3]! - L[33 * 3]!, L[263 * 3 + 1]! - L[33 * 3 + 1]!);
  const dMax = 0.35 * iod;
  const openness: number[] = [];
  for (let i = 0; i < FPS * neutralSeconds; i++) openness.push(0);
  for (let i = 0; i < FPS * CYCLE_S * cycles; i++) openness.push(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (FPS * CYCLE_S)));
  const file = path.join(dir, 'driver.y4m');
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, `YUV4MPEG2 W${W} H${H} F${FPS}:1 Ip A1:1 C420jpeg\n`);
    const cache = new Map<number, Buffer>();
    for (const o of openness) {
      const d = Math.round(o * dMax * 2) / 2;
      let frame = cache.get(d);
      if (!frame) cache.set(d, (frame = i420(warp(base, L, d, W, H), W, H)));
      fs.writeSync(fd, frame);
    }
  } finally {
    fs.closeSync(fd);
  }
  // Training clip: 10 fps, 2.4 s, two open/close cycles.
  const trainingClip = path.join(dir, 'train.mp4');
  const trainFrames = Array.from({ length: 24 }, (_, i) => warp(base, L, Math.round((0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 12)) * dMax), W, H));
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', '10', '-i', '-', '-pix_fmt', 'yuv420p', trainingClip], { input: Buffer.concat(trainFrames.map((f) => Buffer.from(f))) });
  const yc = (L[13 * 3 + 1]! + L[14 * 3 + 1]!) / 2;
  const halfW = (L[291 * 3]! - L[61 * 3]!) / 2, mx = (L[61 * 3]! + L[291 * 3]!) / 2;
  return { file, trainingClip, width: W, height: H, fps: FPS, openness, iod, mouthBox: { x0: Math.round(mx - halfW * 0.6), x1: Math.round(mx + halfW * 0.6), y0: Math.round(yc), y1: Math.round(yc + dMax) } };
}
