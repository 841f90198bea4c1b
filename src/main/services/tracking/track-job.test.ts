import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Capture } from '@shared/model/capture';
import type { Job } from '@shared/model/job';
import { JOB_TEST_TIMEOUT } from '../../testing/job-wait';
import { useTestHost } from '../../testing/test-host';
import { makeVideo } from '../../testing/media-fixtures';
import { useTempDirs } from '../../testing/temp-dir';

/** A talking-head-like clip made from a face photo that an npm package ships, panned slowly. */
const PHOTO = fileURLToPath(new URL('../../../../node_modules/@vladmandic/face-api/demo/sample3.jpg', import.meta.url));

const tempDir = useTempDirs();
const t = useTestHost('track-lib-', 'Tracking');
const { run } = t;
let media: string;

async function importClip(file: string): Promise<Capture> {
  const job = await run('captures.import', { projectId: t.projectId, sources: [{ path: file }], options: { allowDuplicate: true } });
  expect(job.status).toBe('completed');
  return t.host.services.captures.get((job.result as { captureId: string }).captureId);
}

// Tracking jobs, as slow as the machine's load makes them: waited on while they advance (testing/job-wait.ts).
describe('capture.track', { timeout: JOB_TEST_TIMEOUT }, () => {
  it('tracks a face clip, fits the open head, and serves the overlay', async () => {
    media = tempDir('media-');
    const clip = path.join(media, 'face.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', PHOTO, '-vf', "crop=600:600:'1180+20*sin(t*2)':'150+10*cos(t*2)',scale=512:512", '-t', '1.2', '-r', '10', '-pix_fmt', 'yuv420p', clip]);
    const capture = await importClip(clip);
    const job = await run('tracking.start', { captureId: capture.id });
    expect(job.error).toBeNull();
    const summary = t.host.services.tracking.summary(capture.id)!;
    expect(summary.frames).toBe(12);
    expect(summary.tracked).toBeGreaterThanOrEqual(11);
    expect(summary.meanFitErrorPx).toBeLessThan(3);
    const { frames } = t.host.services.tracking.frames(capture.id, { offset: 0, limit: 100 });
    expect(frames).toHaveLength(12);
    expect(frames[5]!.box!.width).toBeGreaterThan(100);
    const cameraId = capture.cameras[0]!.id;
    const overlay = t.host.services.tracking.overlay(capture.id, cameraId, 5);
    expect(overlay.landmarks).toHaveLength(478 * 2);
    // The nose tip (landmark 1) lies inside the face box, and the projected mesh covers it.
    const [nx, ny] = [overlay.landmarks![2]!, overlay.landmarks![3]!];
    const box = frames[5]!.box!;
    expect(nx).toBeGreaterThan(box.x);
    expect(nx).toBeLessThan(box.x + box.width);
    expect(ny).toBeGreaterThan(box.y);
    expect(overlay.mesh!.vertices.length).toBeGreaterThan(1000);
    expect(overlay.mesh!.triangles!.length % 3).toBe(0);
    expect(t.host.services.tracking.overlay(capture.id, cameraId, 5, false).mesh!.triangles).toBeNull();
    expect(t.host.services.tracking.summary(capture.id)).toMatchObject({ pick: null, messages: expect.any(Array) });
    const mask = path.join(t.host.services.projects.folderOf(t.projectId), `captures/${capture.id}/tracking/cam0/masks/000005.png`);
    expect(fs.existsSync(mask)).toBe(true);
    // Tracking again replaces the previous results.
    expect((await run('tracking.start', { captureId: capture.id, mask: false, fit: false })).status).toBe('completed');
    expect(t.host.services.tracking.frames(capture.id, { offset: 0, limit: 100 }).total).toBe(12);
    expect(fs.existsSync(mask)).toBe(false);
  });

  it('flags frames without a face instead of failing, and excludes them in one action', async () => {
    // 6 frames of the face, then 4 of a flat noisy wall.
    const clip = path.join(tempDir('media-'), 'face-then-wall.mp4');
    execFileSync('ffmpeg', [
      '-v', 'error', '-y', '-loop', '1', '-t', '0.6', '-i', PHOTO, '-f', 'lavfi', '-t', '0.4', '-i', 'color=c=0x8a7f70:size=320x320:rate=10',
      '-filter_complex', '[0:v]crop=600:600:1180:150,scale=320:320,fps=10,setsar=1[a];[1:v]noise=alls=30:allf=t+u,setsar=1[b];[a][b]concat=n=2:v=1[v]',
      '-map', '[v]', '-r', '10', '-pix_fmt', 'yuv420p', clip,
    ]);
    const capture = await importClip(clip);
    expect(capture.frameCount).toBe(10);
    const job = await run('tracking.start', { captureId: capture.id, mask: false, fit: false });
    expect(job.status).toBe('completed');
    const summary = t.host.services.tracking.summary(capture.id)!;
    expect(summary.tracked).toBeGreaterThanOrEqual(5);
    expect(summary.untracked['no-face']).toBeGreaterThanOrEqual(4);
    const { frames } = t.host.services.tracking.frames(capture.id, { offset: 0, limit: 100 });
    expect(frames.slice(6).every((f) => !f.tracked && f.reason === 'no-face')).toBe(true);
    expect(t.host.services.tracking.overlay(capture.id, capture.cameras[0]!.id, 8)).toMatchObject({ tracked: false, landmarks: null });
    const { excluded, capture: after } = t.host.services.tracking.excludeBadlyTracked(capture.id, 4);
    expect(excluded).toEqual(expect.arrayContaining([6, 7, 8, 9]));
    expect(after.splitCounts.excluded).toBe(excluded.length);
  });

  it('fails with a clear error when no frame has a face, recording nothing (more in no-face.test.ts)', async () => {
    const capture = await importClip(makeVideo(tempDir('media-'), 'bars.mp4', { size: '320x240', rate: 10, seconds: 1 }));
    const job = await run('tracking.start', { captureId: capture.id });
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/No face was found in any of the 10 frames/) });
    expect(t.host.services.tracking.summary(capture.id)).toBeNull();
    expect(t.host.services.tracking.frames(capture.id, { offset: 0, limit: 100 }).total).toBe(0);
  });
});
