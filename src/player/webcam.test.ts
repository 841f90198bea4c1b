/**
 * The player's webcam path off the browser: the page's tracker (the studio's `FrameTracker` on onnxruntime-web, here
 * ORT web's Node build of the same WASM kernels) gives the studio tracker's landmarks (onnxruntime-node) on a real
 * photo; the driver's pose helper and the camera error messages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModels } from '../../native/models/build';
import { readImage } from '../main/services/tracking/image';
import { Tracker } from '../main/services/tracking/tracker';
import type { RgbImage } from '@tracking/types';
import { applyDriverPose, faceCentroid } from '@engine/avatar/reenact';
import { JOB_TEST_TIMEOUT } from '../main/testing/job-wait';
import { cameraErrorMessage } from './webcam-driver';
import { WEBCAM_MODELS } from '@tracking/models';
import { trackerOnOrt } from '@tracking/web-tracker';

let tmp: string;
let modelsDir: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'player-webcam-test-'));
  modelsDir = path.join(tmp, 'models');
  const res = buildModels(modelsDir, { only: [...WEBCAM_MODELS] });
  expect(res.every((r) => r.status !== 'missing')).toBe(true);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A 480 px frame around one face of a face-api demo photo (what the player grabs from a camera), as RGBA. */
function cameraFrame(): RgbImage {
  const img = readImage(path.resolve(__dirname, '../../node_modules/@vladmandic/face-api/demo/sample3.jpg'));
  const W = 480, H = 360, x0 = 1300, y0 = 255, s = 600 / W;
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = (Math.floor(y0 + y * s) * img.width + Math.floor(x0 + x * s)) * img.channels;
      data.set([img.data[p]!, img.data[p + 1]!, img.data[p + 2]!, 255], (y * W + x) * 4);
    }
  return { width: W, height: H, data, channels: 4 };
}

describe('webcam tracker (onnxruntime-web)', () => {
  it('tracks a face like the studio tracker on onnxruntime-node (478 landmarks within 0.5 px)', async () => {
    const ort = await import('onnxruntime-web');
    const web = await trackerOnOrt(ort, async (name) => new Uint8Array(fs.readFileSync(path.join(modelsDir, `${name}.onnx`))));
    const node = await Tracker.create({ modelsDir, mask: false, iris: true, smoothing: false, threads: 1 });
    try {
      const img = cameraFrame();
      for (let i = 0; i < 2; i++) {
        const a = await web.tracker.track(img, i, i / 30);
        const b = await node.track(img, i, i / 30);
        expect(a.tracked, a.reason).toBe(true);
        expect(b.tracked).toBe(true);
        let worst = 0;
        for (let k = 0; k < 478 * 2; k++) worst = Math.max(worst, Math.abs(a.landmarks![Math.floor(k / 2) * 3 + (k % 2)]! - b.landmarks![Math.floor(k / 2) * 3 + (k % 2)]!));
        expect(worst).toBeLessThan(0.5);
        expect(a.confidence).toBeCloseTo(b.confidence, 2);
      }
    } finally {
      await web.release();
      await node.dispose();
    }
  }, JOB_TEST_TIMEOUT); // onnxruntime-web (WASM) in this process, as slow as the machine's load makes it
});

describe('driver pose and camera messages', () => {
  it('turns the head about the face centroid and moves it by the translation', () => {
    const v = new Float32Array(500 * 3).map((_, i) => Math.sin(i));
    const pivot = faceCentroid(v);
    const same = applyDriverPose(Float32Array.from(v), [0, 0, 0], [0, 0, 0], pivot);
    expect(Array.from(same)).toEqual(Array.from(v));
    const turned = applyDriverPose(Float32Array.from(v), [0, 0.4, 0], [0.01, 0, 0], pivot);
    const c = faceCentroid(turned);
    c.forEach((x, k) => expect(x).toBeCloseTo(pivot[k]! + (k === 0 ? 0.01 : 0), 5));
    const r0 = Math.hypot(v[0]! - pivot[0], v[1]! - pivot[1], v[2]! - pivot[2]);
    const r1 = Math.hypot(turned[0]! - 0.01 - pivot[0], turned[1]! - pivot[1], turned[2]! - pivot[2]);
    expect(r1).toBeCloseTo(r0, 5);
  });

  it('says what to do for each getUserMedia failure', () => {
    expect(cameraErrorMessage({ name: 'NotAllowedError' })).toMatch(/permission was denied/);
    expect(cameraErrorMessage({ name: 'NotFoundError' })).toMatch(/No camera was found/);
    expect(cameraErrorMessage({ name: 'NotReadableError' })).toMatch(/another application/);
    expect(cameraErrorMessage(new Error('boom'))).toMatch(/boom/);
  });
});
