/**
 * `tracking.start` with `photometricRefine`: the job runs the landmark fit, then refines every frame's rigid pose
 * through the GPU engine (CPU adapter here) and records both poses in fit.json.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDevice } from '@engine/gpu/test-device';
import { rodrigues, rotationAngleBetween } from '@engine/avatar/math';
import type { Capture } from '@shared/model/capture';
import type { Job } from '@shared/model/job';
import { JOB_TEST_TIMEOUT } from '../../testing/job-wait';
import { useTestHost } from '../../testing/test-host';
import { useTempDirs } from '../../testing/temp-dir';

const PHOTO = fileURLToPath(new URL('../../../../node_modules/@vladmandic/face-api/demo/sample6.jpg', import.meta.url));
const gpu = await testDevice();
const tempDir = useTempDirs();
const t = useTestHost('track-photometric-', 'Photometric');
const { run } = t;

interface FitFile {
  photometric?: { keyframes: number[]; msPerFrame: number };
  frames: {
    idx: number; rotation: [number, number, number]; translation: [number, number, number]; expression: number[]; jaw: [number, number, number];
    landmarkPose?: { rotation: [number, number, number]; translation: [number, number, number]; expression: number[]; jaw: [number, number, number] };
    photometricLoss?: [number, number];
  }[];
}

describe.skipIf(!gpu.device)('capture.track with photometricRefine', () => {
  it('refines each frame’s pose, expression and jaw after the landmark fit and keeps the landmark fit beside them', async () => {
    const clip = path.join(tempDir('media-'), 'face.mp4');
    // two frames of a face photo panned a little (the crop moves 6 px a frame)
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', PHOTO, '-vf', "crop=600:600:'1305+60*t':150,scale=256:256", '-t', '0.2', '-r', '10', '-pix_fmt', 'yuv420p', clip]);
    const imported = await run('captures.import', { projectId: t.projectId, sources: [{ path: clip }], options: { allowDuplicate: true } });
    const capture: Capture = t.host.services.captures.get((imported.result as { captureId: string }).captureId);
    const job = await run('tracking.start', { captureId: capture.id, mask: false, photometricRefine: true });
    expect(job.error).toBeNull();
    const fit = JSON.parse(fs.readFileSync(path.join(t.host.services.projects.folderOf(t.projectId), `captures/${capture.id}/tracking/cam0/fit.json`), 'utf8')) as FitFile;
    expect(fit.photometric?.keyframes).toHaveLength(1);
    expect(fit.frames.length).toBeGreaterThanOrEqual(2);
    for (const f of fit.frames) {
      expect(f.landmarkPose).toBeDefined();
      const [before, after] = f.photometricLoss!;
      expect(after).toBeLessThanOrEqual(before);
      // a refinement, not a different answer: within a few degrees and centimetres of the landmark fit
      expect(rotationAngleBetween(rodrigues(...f.rotation), rodrigues(...f.landmarkPose!.rotation))).toBeLessThan((5 * Math.PI) / 180);
      expect(Math.hypot(...f.translation.map((x, i) => x - f.landmarkPose!.translation[i]!))).toBeLessThan(0.03);
      // expression and jaw were refined too, near the landmark fit's (priors σ 0.3 and 0.1 rad)
      expect(f.expression).toHaveLength(f.landmarkPose!.expression.length);
      for (const [e, x] of f.expression.entries()) expect(Math.abs(x - f.landmarkPose!.expression[e]!)).toBeLessThan(1.2);
      expect(Math.abs(f.jaw[0] - f.landmarkPose!.jaw[0])).toBeLessThan(0.4);
    }
    console.log(`[photometric job] ${fit.frames.length} frames, ${(fit.photometric!.msPerFrame / 1000).toFixed(1)} s a frame; losses ${fit.frames.map((f) => f.photometricLoss!.map((x) => x.toFixed(4)).join('→')).join(', ')}`);
  }, JOB_TEST_TIMEOUT);
});
