import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeImages, makeVideo } from '../../testing/media-fixtures';
import { imageFrameSource, openVideoSource } from './frame-source';
import { fitDriver, sideBySide } from './side-by-side';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drive-source-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('driver frame sources', () => {
  it('decodes a video at its rate, scaled to the long side, and stops early when the reader stops', async () => {
    const file = makeVideo(dir, 'clip.mp4', { size: '960x540', rate: 10, seconds: 1 });
    const src = await openVideoSource(file, { maxSide: 320 });
    expect(src.fps).toBe(10);
    expect(src.count).toBe(10);
    const seen: { index: number; time: number; w: number; h: number }[] = [];
    for await (const f of src.frames()) seen.push({ index: f.index, time: f.time, w: f.image.width, h: f.image.height });
    expect(seen.length).toBe(10);
    expect(seen[3]).toEqual({ index: 3, time: 0.3, w: 320, h: 180 });
    const capped = await openVideoSource(file, { maxFrames: 4 });
    let n = 0;
    for await (const f of capped.frames()) { n++; expect(f.image.width).toBe(720); if (n === 2) break; }
    expect(n).toBe(2);
  });

  it('takes a variable-rate recording frame by frame at its own times (a WebM without a frame rate, as MediaRecorder writes)', async () => {
    // 2 s at 10 frames/s, then 1 s at 30: 50 frames; ffprobe gives no average rate and a nominal 30 (90 frames if resampled)
    const file = path.join(dir, 'vfr.webm');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=10:duration=2', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=30:duration=1', '-filter_complex', '[0][1]concat=n=2:v=1[v]', '-map', '[v]', '-vsync', 'vfr', '-c:v', 'libvpx', '-b:v', '200k', file]);
    const src = await openVideoSource(file);
    expect(src.count).toBe(50);
    expect(src.fps).toBeGreaterThan(15);
    expect(src.fps).toBeLessThan(18);
    const times: number[] = [];
    for await (const f of src.frames()) times.push(f.time);
    expect(times.length).toBe(50);
    expect(times[10]).toBeCloseTo(1.0, 2);
    expect(times[25]! - times[24]!).toBeCloseTo(1 / 30, 2);
  });

  it('refuses stills and non-media clearly; a missing capture frame is named', async () => {
    const images = makeImages(path.join(dir, 'imgs'), 2);
    await expect(openVideoSource(path.join(images, 'img_001.png'))).rejects.toThrow(/must be a video/);
    const junk = path.join(dir, 'junk.mp4');
    fs.writeFileSync(junk, 'not a video at all');
    await expect(openVideoSource(junk)).rejects.toThrow(/not a video or image the studio can read/);
    const src = imageFrameSource([{ file: path.join(images, 'img_001.png'), time: 0 }, { file: path.join(images, 'gone.png'), time: 0.1 }], 10);
    const it = src.frames();
    expect((await it.next()).value!.image.width).toBe(320);
    await expect(it.next()).rejects.toThrow(/Frame 1 of the driving capture cannot be read/);
  });

  it('side by side: the driver letterboxed into a square on the left, the avatar on the right', () => {
    const img = { width: 4, height: 2, channels: 3 as const, data: new Uint8Array(4 * 2 * 3).fill(200) };
    const left = fitDriver(img, 8, [0, 0, 0]);
    // 4×2 → 8×4 centred: rows 0–1 and 6–7 are background, rows 2–5 the image
    expect(left[(0 * 8 + 3) * 4]).toBe(0);
    expect(left[(3 * 8 + 3) * 4]).toBe(200);
    expect(left[(7 * 8 + 3) * 4]).toBe(0);
    const right = new Uint8Array(8 * 8 * 4).fill(77);
    const both = sideBySide(left, right, 8);
    expect(both.length).toBe(16 * 8 * 4);
    expect(both[(3 * 16 + 3) * 4]).toBe(200);
    expect(both[(3 * 16 + 12) * 4]).toBe(77);
  });
});
