/**
 * Tracking on real photos shipped in npm packages (@vladmandic/face-api demo images: group photos, 1920 px wide)
 * and on bad input. Models are converted into a temporary folder first (≈ 1 s), so the test does not depend on
 * the install step having run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModels } from '../../../../native/models/build';
import { readImage } from './image';
import { trackFrames, Tracker } from './tracker';
import type { RgbImage } from '@tracking/types';

const photo = (i: number) => path.resolve(__dirname, `../../../../node_modules/@vladmandic/face-api/demo/sample${i}.jpg`);
let modelsDir: string;
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracking-test-'));
  modelsDir = path.join(tmp, 'models');
  const res = buildModels(modelsDir, { only: ['blazeface', 'facemesh', 'iris', 'selfie'] });
  expect(res.every((r) => r.status !== 'missing')).toBe(true);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function crop(img: RgbImage, x0: number, y0: number, w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const sx = x0 + x;
      const sy = y0 + y;
      if (sx < 0 || sy < 0 || sx >= img.width || sy >= img.height) continue;
      for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = img.data[(sy * img.width + sx) * img.channels + c]!;
    }
  return { width: w, height: h, data, channels: 3 };
}

describe('tracking real photos', () => {
  it('finds every face in six group photos, tracks the largest, 478 landmarks inside its box', async () => {
    const tracker = await Tracker.create({ modelsDir, mask: false });
    try {
      for (let i = 1; i <= 6; i++) {
        tracker.reset();
        const img = readImage(photo(i));
        const f = await tracker.track(img, 0, 0);
        expect(f.faces.length, `sample${i}`).toBeGreaterThanOrEqual(3);
        expect(f.warnings).toContain('several-faces');
        expect(f.tracked, `sample${i}`).toBe(true);
        expect(f.chosenFace).toBe(0);
        expect(f.landmarks!.length).toBe(478 * 3);
        const b = f.faces[0]!.box;
        // nose tip (1) and both iris centres (468, 473) fall in the detected box
        for (const k of [1, 468, 473]) {
          const x = f.landmarks![3 * k]!;
          const y = f.landmarks![3 * k + 1]!;
          expect(x).toBeGreaterThan(b.x);
          expect(x).toBeLessThan(b.x + b.width);
          expect(y).toBeGreaterThan(b.y);
          expect(y).toBeLessThan(b.y + b.height);
        }
        // each iris centre lies between its own eye corners (33/133 and 362/263)
        const L = f.landmarks!;
        const near = (k: number, a: number, b: number) => Math.hypot(L[3 * k]! - (L[3 * a]! + L[3 * b]!) / 2, L[3 * k + 1]! - (L[3 * a + 1]! + L[3 * b + 1]!) / 2) < 0.5 * Math.hypot(L[3 * a]! - L[3 * b]!, L[3 * a + 1]! - L[3 * b + 1]!);
        expect(near(468, 33, 133), `sample${i} iris 468`).toBe(true);
        expect(near(473, 362, 263), `sample${i} iris 473`).toBe(true);
      }
    } finally {
      await tracker.dispose();
    }
  });

  it('follows a picked face instead of the largest', async () => {
    const img = readImage(photo(4));
    const tracker = await Tracker.create({ modelsDir, mask: false, iris: false });
    const all = await tracker.detect(img);
    await tracker.dispose();
    const other = all[all.length - 1]!.box;
    const pick = { x: other.x + other.width / 2, y: other.y + other.height / 2 };
    const { frames } = await trackFrames([{ image: img }], { modelsDir, mask: false, iris: false, pick });
    const c = frames[0]!.faces[frames[0]!.chosenFace]!.box;
    expect(c).toEqual(other);
    const nose = [frames[0]!.landmarks![3]!, frames[0]!.landmarks![4]!];
    expect(nose[0]).toBeGreaterThan(other.x);
    expect(nose[0]).toBeLessThan(other.x + other.width);
  });

  it('bad input: a face leaving the frame, black frames, noise and a broken file are flagged, tracked frames kept', async () => {
    const img = readImage(photo(1));
    // the first face is around (418..615, 405..602): a 512² window that slides right until the face leaves it
    const frames = [];
    for (let k = 0; k < 8; k++) frames.push({ image: crop(img, 260 + k * 60, 250, 512, 512) });
    const black: RgbImage = { width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(4), channels: 3 };
    let s = 7;
    const noise: RgbImage = { width: 320, height: 240, data: Uint8Array.from({ length: 320 * 240 * 3 }, () => (s = (s * 48271) % 2147483647) & 255), channels: 3 };
    const broken = path.join(tmp, 'broken.jpg');
    fs.writeFileSync(broken, Buffer.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]));
    const maskDir = path.join(tmp, 'masks');
    const progress: number[] = [];
    const { frames: out, summary } = await trackFrames([...frames, { image: black }, { image: noise }, { path: broken }, { path: path.join(tmp, 'missing.jpg') }], { modelsDir, maskDir }, (done) => progress.push(done));
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(out.slice(0, 3).every((f) => f.tracked)).toBe(true);
    // once the first face has left the window the tracker either loses it (flagged) or re-detects the next person
    const after = out.slice(4, 8);
    expect(after.some((f) => !f.tracked || f.warnings.includes('redetected'))).toBe(true);
    for (const f of out.slice(0, 8).filter((f) => !f.tracked)) expect(['no-face', 'low-confidence']).toContain(f.reason);
    expect(out[8]!.reason).toBe('too-dark');
    expect(out[9]!.tracked).toBe(false);
    expect(out[10]!.reason).toBe('decode-failed');
    expect(out[11]!.reason).toBe('decode-failed');
    expect(summary.frames).toBe(12);
    expect(summary.tracked).toBe(out.filter((f) => f.tracked).length);
    expect(summary.messages.join(' ')).toMatch(/could not be read/);
    // masks: one PNG per decoded frame at the frame's size, the person is in the first frame
    expect(out[0]!.maskFile).toBe('mask-000000.png');
    const m = readImage(path.join(maskDir, 'mask-000000.png'));
    expect([m.width, m.height]).toEqual([512, 512]);
    const centre = out[0]!.mask!.data[128 * 256 + 128]!;
    expect(centre).toBeGreaterThan(128);
  });
});
