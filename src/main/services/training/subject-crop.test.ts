import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenHead } from '@engine/avatar/open-head/build';
import { openHeadFor } from '@engine/avatar/open-head/stored-space';
import type { FitFile } from '@engine/avatar/head-rig';
import { StudioHost } from '../../host/studio-host';
import { useTempDirs } from '../../testing/temp-dir';
import { loadFrames, readCapture } from './frame-loading';
import { projectedHeadBoxes, SUBJECT_CROP_SCALE, subjectCrops, type ProjectedHeadBox } from './subject-crop';
import { craftTrackedCapture } from './test-capture';
import { captureTrackingDir } from './training-types';

const facing = (idx: number, x: number, z: number) => ({ idx, rotation: [Math.PI, 0, 0], translation: [x, 0, z], expression: [], jaw: [0, 0, 0], eyes: [0, 0, 0, 0, 0, 0] });

describe('projectedHeadBoxes', () => {
  it('centres the box on the projected head and sizes it by focal length over distance', () => {
    const model = createOpenHead();
    const fit: FitFile = { headModel: 'open-head', shape: [], intrinsics: { fx: 400, fy: 400, cx: 320, cy: 240 }, frames: [facing(0, 0, 1), facing(1, 0, 2), facing(2, 0.1, 1), { ...facing(3, 0, -1) }] };
    const boxes = projectedHeadBoxes(model, fit);
    expect(boxes.map((b) => b.idx)).toEqual([0, 1, 2]); // the head behind the camera is left out
    expect(boxes[1]!.side).toBeCloseTo(boxes[0]!.side / 2, 0);
    expect(boxes[0]!.side).toBeGreaterThan(60); // a head is ≈ 0.2 m: 400 · 0.2 / 1 px
    expect(boxes[0]!.side).toBeLessThan(160);
    expect(Math.abs(boxes[2]!.cx - boxes[0]!.cx - 40)).toBeLessThan(3); // 0.1 m at 1 m, f = 400 (less perspective)
  });
});

describe('subjectCrops', () => {
  const box = (idx: number, cx: number, cy: number, side = 100): ProjectedHeadBox => ({ idx, cx, cy, side });

  it('gives one square of one size, the head box grown, around a smoothed centre, inside the frame', () => {
    const jitter = Array.from({ length: 40 }, (_, i) => box(i, 300 + (i % 2 ? 6 : -6), 400));
    const crops = subjectCrops(jitter, 720, 1280);
    const sides = new Set([...crops.values()].map((c) => c.width));
    expect(sides).toEqual(new Set([Math.round(100 * SUBJECT_CROP_SCALE)]));
    for (const c of crops.values()) expect(c.height).toBe(c.width);
    const xs = [...crops.values()].slice(10, 30).map((c) => c.x + c.width / 2);
    expect(Math.max(...xs) - Math.min(...xs)).toBeLessThanOrEqual(2); // ±6 px of jitter averaged away
    const edge = subjectCrops([box(0, 10, 1270)], 720, 1280).get(0)!;
    expect(edge).toEqual({ x: 0, y: 1280 - 130, width: 130, height: 130 });
  });

  it('leaves a square close-up whole and cuts a wide one to its short side', () => {
    expect(subjectCrops([box(5, 256, 256, 420)], 512, 512).get(5)).toEqual({ x: 0, y: 0, width: 512, height: 512 });
    expect(subjectCrops([box(5, 960, 540, 900)], 1920, 1080).get(5)).toEqual({ x: 420, y: 0, width: 1080, height: 1080 });
  });

  it('sizes the crop for most frames, not for a few outliers', () => {
    const boxes = Array.from({ length: 50 }, (_, i) => box(i, 500, 500, i < 2 ? 600 : 100));
    expect(subjectCrops(boxes, 1000, 1000).get(10)!.width).toBe(130);
  });
});

describe('loadFrames with frameSubject', () => {
  const tempDir = useTempDirs();
  let host: StudioHost;
  beforeAll(() => {
    host = StudioHost.open({ libraryDir: fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'subject-crop-')), frontDoor: 'cli' });
  });
  afterAll(async () => {
    await host.close();
    fs.rmSync(host.services.library.dir, { recursive: true, force: true });
  });

  it('gives a small head in a wide frame the training frame (more matte, the head centred, the camera moved and scaled)', async () => {
    const projectId = host.services.projects.create('Framing').id;
    const capture = await craftTrackedCapture(host, projectId, tempDir('media-'), { frames: 4, size: '192x128', distance: 1.5 });
    const projectDir = host.services.projects.folderOf(projectId);
    const trackingDir = path.join(projectDir, captureTrackingDir(capture.id));
    const model = openHeadFor(JSON.parse(fs.readFileSync(path.join(trackingDir, 'expression-space.json'), 'utf8')));
    const load = (frameSubject: boolean) => loadFrames(model, readCapture(host.services.library.dir, capture.id), { projectDir, trackingDir, imageLongSide: 64, frameSubject, holdOutCamera: null, throwIfCancelled: () => undefined });
    const whole = load(false), framed = load(true);
    expect(whole.size).toEqual({ w: 64, h: 43 });
    expect(framed.size).toEqual({ w: 64, h: 64 });
    const headPixels = (f: typeof whole) => Array.from(f.train[0]!.frame.mask!).reduce((s, v) => s + v, 0) / 255;
    expect(headPixels(framed)).toBeGreaterThan(3 * headPixels(whole));
    const cam = framed.train[0]!.frame.camera;
    // the projected head's box centre lands in the middle of the crop
    const fit = JSON.parse(fs.readFileSync(path.join(trackingDir, capture.cameras[0]!.id.split(':').at(-1)!, 'fit.json'), 'utf8')) as FitFile;
    const head = projectedHeadBoxes(model, fit)[0]!;
    const s = cam.fx / fit.intrinsics.fx;
    expect(Math.abs(cam.cx + (head.cx - fit.intrinsics.cx) * s - 31.5)).toBeLessThan(1);
    expect(Math.abs(cam.cy + (head.cy - fit.intrinsics.cy) * s - 31.5)).toBeLessThan(1);
    expect(cam.fx).toBeGreaterThan(2 * whole.train[0]!.frame.camera.fx);
  });
});
