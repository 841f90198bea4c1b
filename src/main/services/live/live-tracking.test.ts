import fs from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { StudioError } from '@shared/api/errors';
import { LiveModelResult, LiveTrackResult } from '@shared/model/live';
import { buildModels, DEFAULT_MODELS_DIR } from '../../../../native/models/build';
import { readImage } from '../tracking/image';
import { JOB_TEST_TIMEOUT } from '../../testing/job-wait';
import { liveModel, LiveTracking } from './live-tracking';

/** A 640×480 JPEG (base64) cut from a face photo, shifted by `dx` px. */
function faceJpeg(dx: number): string {
  const photo = readImage(path.resolve('node_modules/@vladmandic/face-api/demo/sample3.jpg'));
  const W = 640, H = 480, x0 = 1240 + dx, y0 = 120;
  const rgba = Buffer.alloc(W * H * 4, 255);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const s = ((y0 + y) * photo.width + x0 + x) * 3, d = (y * W + x) * 4;
      rgba[d] = photo.data[s]!;
      rgba[d + 1] = photo.data[s + 1]!;
      rgba[d + 2] = photo.data[s + 2]!;
    }
  return jpeg.encode({ data: rgba, width: W, height: H }, 80).data.toString('base64');
}

/** The same face as raw RGB (base64), downscaled ×0.75 to 480×360 by nearest neighbour, as the page sends it. */
function faceRgb(dx: number): { rgb: string; width: number; height: number } {
  const photo = readImage(path.resolve('node_modules/@vladmandic/face-api/demo/sample3.jpg'));
  const W = 480, H = 360, x0 = 1240 + dx, y0 = 120;
  const rgb = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const s = ((y0 + Math.floor(y / 0.75)) * photo.width + x0 + Math.floor(x / 0.75)) * 3;
      rgb.set(photo.data.subarray(s, s + 3), (y * W + x) * 3);
    }
  return { rgb: rgb.toString('base64'), width: W, height: H };
}

describe('live.track (services host)', () => {
  buildModels(DEFAULT_MODELS_DIR);
  const live = new LiveTracking();
  afterAll(() => live.dispose());

  it('tracks a session frame after frame: 478 landmarks, smoothed, with timings', async () => {
    const a = await live.track({ session: 'test-session-1', jpeg: faceJpeg(0), time: 0 });
    expect(LiveTrackResult.parse(a)).toBeTruthy();
    expect(a.tracked).toBe(true);
    expect(a.landmarks).toHaveLength(478 * 3);
    expect([a.width, a.height]).toEqual([640, 480]);
    expect(a.decodeMs).toBeGreaterThan(0);
    // The next frame, 10 px to the right, keeps the tracked face (no detector needed): the landmarks follow, damped
    // by the tracker's One Euro filter.
    const b = await live.track({ session: 'test-session-1', jpeg: faceJpeg(-10), time: 33 });
    expect(b.tracked).toBe(true);
    const shift = b.landmarks![1 * 3]! - a.landmarks![1 * 3]!;
    expect(shift).toBeGreaterThan(0);
    expect(shift).toBeLessThan(10.5);
  }, JOB_TEST_TIMEOUT); // onnxruntime sessions and tracking in this process, as slow as the machine's load makes them

  it('refuses what is not a JPEG with a clear message; a closed session can start again', async () => {
    await expect(live.track({ session: 'test-session-2', jpeg: Buffer.from('not a picture').toString('base64'), time: 0 })).rejects.toThrow(StudioError);
    await expect(live.track({ session: 'test-session-2', jpeg: Buffer.from([0xff, 0xd8, 0, 0, 1, 2]).toString('base64'), time: 0 })).rejects.toThrow(/could not be decoded/);
    await live.close('test-session-1');
    const again = await live.track({ session: 'test-session-1', jpeg: faceJpeg(0), time: 0 });
    expect(again.tracked).toBe(true);
  }, JOB_TEST_TIMEOUT);

  it('tracks raw RGB frames (the page\'s format: no JPEG decode in the host); a wrong byte count is refused', async () => {
    const a = await live.track({ session: 'test-session-3', ...faceRgb(0), time: 0 });
    expect(a.tracked).toBe(true);
    expect(a.landmarks).toHaveLength(478 * 3);
    expect([a.width, a.height]).toEqual([480, 360]);
    const bad = faceRgb(0);
    await expect(live.track({ session: 'test-session-3', rgb: bad.rgb, width: bad.width + 2, height: bad.height, time: 33 })).rejects.toThrow(/has 518400 bytes; 482×360 RGB needs 520560/);
    await live.close('test-session-3');
  }, JOB_TEST_TIMEOUT);

  it('live.model gives the page the same ONNX files the host runs (base64)', async () => {
    const m = LiveModelResult.parse(await liveModel('facemesh'));
    const bytes = Buffer.from(m.onnx, 'base64');
    expect(bytes.length).toBe(m.bytes);
    expect(bytes.equals(fs.readFileSync(path.join(DEFAULT_MODELS_DIR, 'facemesh.onnx')))).toBe(true);
  });
});
