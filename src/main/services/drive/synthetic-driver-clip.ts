/**
 * A generated driving clip (tests and `bench/live`): the open head textured from a real face photo (an npm package's
 * demo image), rendered by the engine's forward renderer facing the camera, opening and closing its mouth (jaw and
 * the procedural `mouthOpen` component) with a slight head turn, encoded to H.264 MP4 by ffmpeg. The per-frame mouth
 * opening (0..1) is returned as the truth to correlate with.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenHead } from '@engine/avatar/open-head/build';
import { proceduralExpressionBasis } from '@engine/avatar/open-head/procedural-expressions';
import { headRotation } from '@engine/avatar/fitting/synthetic';
import { headGaussians, identityCamera, texturedHeadFromPhoto, toRgb8 } from '@engine/avatar/synthetic-render';
import { ForwardRenderer, GaussianScene, readForwardImages } from '@engine/splat';
import { findFfmpeg } from '../capture/ffmpeg-tools';
import { readImage } from '../tracking/image';
import { Tracker } from '../tracking/tracker';
import type { RgbImage } from '@tracking/types';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const DRIVER_PHOTO = path.join(REPO, 'node_modules/@vladmandic/face-api/demo/sample6.jpg');

export interface DriverClipOptions {
  device: GPUDevice;
  /** Where the .mp4 goes. */
  file: string;
  size?: number;
  frames?: number;
  fps?: number;
  /** Mouth opening per frame, 0..1 (default: closed for 4 frames, then open–close cycles of 6 frames). */
  openness?: (frame: number) => number;
  modelsDir?: string;
}

export const defaultOpenness = (f: number): number => (f < 4 ? 0 : Math.sin((Math.PI * (f - 4)) / 6) ** 2);

/** The photo crop (the woman on the right of the group photo), as the synthetic-recovery test uses it. */
function photoCrop(): RgbImage {
  const full = readImage(DRIVER_PHOTO);
  const S = 600, x0 = 1305, y0 = 150;
  const crop = new Uint8Array(S * S * 3);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) crop[(y * S + x) * 3 + c] = full.data[((y0 + y) * full.width + x0 + x) * full.channels + c]!;
  return { width: S, height: S, data: crop, channels: 3 };
}

export async function makeDriverClip(o: DriverClipOptions): Promise<{ file: string; openness: number[]; frames: number; fps: number }> {
  const size = o.size ?? 256, frames = o.frames ?? 16, fps = o.fps ?? 25;
  const openness = Array.from({ length: frames }, (_, f) => (o.openness ?? defaultOpenness)(f));
  const head = createOpenHead({ expression: proceduralExpressionBasis() });
  const tracker = await Tracker.create({ modelsDir: o.modelsDir, mask: false, smoothing: false });
  let photoLm: Float32Array;
  try {
    const photo = photoCrop();
    const t = await tracker.track(photo, 0, 0);
    if (!t.tracked || !t.landmarks) throw new Error(`driver clip: no face in the photo (${t.reason})`);
    photoLm = t.landmarks;
    const surface = texturedHeadFromPhoto(head, photo, photoLm, 3, { faceDensity: 1e5, otherDensity: 1.5e4, sigmaFactor: 1 });
    const rest = head.evaluate({});
    const centre = [0, 1, 2].map((c) => { let s = 0; for (let v = 0; v < 468; v++) s += rest[v * 3 + c]!; return s / 468; });
    const f = (560 * size) / 512, depth = 0.42;
    const renderer = new ForwardRenderer(o.device);
    const rgb = new Uint8Array(size * size * 3 * frames);
    for (let i = 0; i < frames; i++) {
      const s = openness[i]!;
      const R = headRotation(0.06 * Math.sin(i / 5), 0.03 * Math.sin(i / 7), 0);
      const t = [0, 1, 2].map((r) => (r === 2 ? depth : 0) - (R[r * 3]! * centre[0]! + R[r * 3 + 1]! * centre[1]! + R[r * 3 + 2]! * centre[2]!));
      const jointRotations = new Float64Array(15);
      jointRotations[6] = 0.18 * s;
      const data = headGaussians(head, surface, { rotation: R, translation: t, params: { expression: [0.5 * s], jointRotations } });
      const scene = GaussianScene.fromData(o.device, data, { shDegree: 0 });
      try {
        const state = await renderer.render(scene, identityCamera(size, size, f), { background: [0.42, 0.45, 0.5] });
        const img = await readForwardImages(o.device, state);
        rgb.set(toRgb8(img.rgb, size, size).data, i * size * size * 3);
      } finally {
        scene.destroy();
      }
    }
    renderer.destroy();
    fs.mkdirSync(path.dirname(o.file), { recursive: true });
    const r = spawnSync(findFfmpeg().ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${size}x${size}`, '-r', String(fps), '-i', 'pipe:0', '-c:v', 'libx264', '-crf', '12', '-pix_fmt', 'yuv420p', o.file], { input: rgb, maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`driver clip: ffmpeg failed: ${r.stderr}`);
  } finally {
    await tracker.dispose();
  }
  return { file: o.file, openness, frames, fps };
}
