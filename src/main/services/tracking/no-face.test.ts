import { createNodeDevice } from '@engine/gpu/node-device';
import { localGpuJobs } from '@engine/host/gpu-jobs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Capture } from '@shared/model/capture';
import { canResumeJob } from '@shared/model/job';
import { resolveTrainingConfig } from '../training/presets';
import { JOB_TEST_TIMEOUT } from '../../testing/job-wait';
import { useTestHost } from '../../testing/test-host';
import { useTempDirs } from '../../testing/temp-dir';
import type { WorkerContext } from '../../jobs/worker-context';
import { trainAvatarWorker } from '../training/train-avatar.worker';

const tempDir = useTempDirs();
const t = useTestHost('no-face-lib-', 'No face');

/** 1 s at 10 fps of flat colour with moving noise: footage with no face in any frame. */
function noFaceClip(dir: string): string {
  const out = path.join(dir, 'wall.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x8a7f70:size=320x240:rate=10', '-t', '1', '-vf', 'noise=alls=30:allf=t+u', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', out]);
  return out;
}

async function trainingRefusal(captureId: string): Promise<{ code: string; message: string }> {
  const out = await t.host.dispatch('training.start', { captureId });
  expect(out.ok).toBe(false);
  return (out as { error: { code: string; message: string } }).error;
}

// Import and tracking jobs, as slow as the machine's load makes them: waited on while they advance (testing/job-wait.ts).
describe('footage with no face', { timeout: JOB_TEST_TIMEOUT }, () => {
  let capture: Capture;

  it('before tracking, training says to track the capture first', async () => {
    const job = await t.run('captures.import', { projectId: t.projectId, sources: [{ path: noFaceClip(tempDir('media-')) }] });
    expect(job.status).toBe('completed');
    capture = t.host.services.captures.get((job.result as { captureId: string }).captureId);
    expect(capture.frameCount).toBe(10);
    const refusal = await trainingRefusal(capture.id);
    expect(refusal.code).toBe('CONFLICT');
    expect(refusal.message).toMatch(/Track the capture first/);
  });

  it('tracking fails with a clear error (frames tracked, no face, what to do) and records nothing', async () => {
    const job = await t.run('tracking.start', { captureId: capture.id });
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('BAD_REQUEST');
    expect(job.error?.message).toMatch(/No face was found in any of the 10 frames/);
    expect(job.error?.message).toMatch(/face is clearly visible/);
    expect(job.error?.message).toMatch(/pick the face/);
    expect(job.error?.details).toMatchObject({ noFace: true, frames: 10 });
    expect(canResumeJob(job), 'tracking the same footage again finds no face again').toBe(false);
    expect(t.host.services.tracking.summary(capture.id)).toBeNull();
    expect(t.host.services.tracking.frames(capture.id, { offset: 0, limit: 100 }).total).toBe(0);
    const captureDir = path.join(t.host.services.projects.folderOf(t.projectId), 'captures', capture.id);
    expect(fs.existsSync(path.join(captureDir, 'tracking.partial'))).toBe(false);
    expect(fs.existsSync(path.join(captureDir, 'tracking'))).toBe(false);
  });

  it('training then says that tracking ran and found no face, not "Track the capture first"', async () => {
    const refusal = await trainingRefusal(capture.id);
    expect(refusal.code).toBe('CONFLICT');
    expect(refusal.message).not.toMatch(/Track the capture first/);
    expect(refusal.message).toMatch(/Tracking ran on 10 frames but found no face in any of them/);
    expect(refusal.message).toMatch(/face is clearly visible.*pick the face/);
  });

  it('the training worker says the same when it finds no fitted head', async () => {
    const ctx: WorkerContext = {
      libraryDir: t.host.services.library.dir,
      projectDir: t.host.services.projects.folderOf(t.projectId),
      signal: new AbortController().signal,
      pauseRequested: () => false,
      progress: () => undefined,
      checkpoint: () => undefined,
      throwIfCancelled: () => undefined,
      gpu: localGpuJobs(() => createNodeDevice({ label: 'no-face-test' })),
    };
    const params = { projectId: t.projectId, captureId: capture.id, avatarId: 'a'.repeat(32), runId: 'b'.repeat(32), preset: 'preview' as const, config: resolveTrainingConfig('preview', undefined), holdOutCamera: null };
    await expect(trainAvatarWorker.run(ctx, params, null)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/Tracking ran on 10 frames but found no face in any of them/) });
  });
});
