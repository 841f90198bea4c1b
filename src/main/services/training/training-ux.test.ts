import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Capture } from '@shared/model/capture';
import type { TrainingReport } from '@shared/model/avatar';
import type { Job } from '@shared/model/job';
import { StudioHost } from '../../host/studio-host';
import { JOB_TEST_TIMEOUT, waitForJob, waitForJobState } from '../../testing/job-wait';
import { folderState, spawnWhileAdvancing } from '../../testing/run-cli';
import { useTempDirs } from '../../testing/temp-dir';
import { openHeadFor } from '@engine/avatar/open-head/stored-space';
import { readHeadTuningExport } from '@engine/avatar/trainer';
import { loadFrames, readCapture } from './frame-loading';
import { craftTrackedCapture } from './test-capture';
import { captureTrackingDir } from './training-types';

const tempDir = useTempDirs();
let host: StudioHost;
let projectId: string;
let media: string;

beforeAll(() => {
  host = StudioHost.open({ libraryDir: fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'train-ux-lib-')), frontDoor: 'cli' });
  projectId = host.services.projects.create('Training UX').id;
  media = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'train-ux-media-'));
});
afterAll(async () => {
  await host.close();
  fs.rmSync(host.services.library.dir, { recursive: true, force: true });
  fs.rmSync(media, { recursive: true, force: true });
});

async function call(method: string, params: unknown): Promise<unknown> {
  const out = await host.dispatch(method, params);
  if (!out.ok) throw Object.assign(new Error(out.error.message), { code: out.error.code });
  return out.result;
}

const TINY = { steps: 6, uvResolution: 16, imageLongSide: 48, previewSeconds: 1 };

/** Waits, while the job advances (no fixed deadline: testing/job-wait.ts), until `cond` holds; rejects if it ends first. */
function until(id: string, cond: (j: Job) => boolean, what: string): Promise<unknown> {
  return waitForJobState(host, id, (j) => cond(j as unknown as Job), what);
}
const partialOf = (id: string) => path.join(host.services.projects.folderOf(projectId), 'avatars', `${(host.services.jobs.get(id).params as { avatarId: string }).avatarId}.partial`);

describe('training job', () => {
  it('multi-view (preset standard, tiny sizes): trains on one camera, evaluates every frame of the held-out one after fitting their heads; live progress, previews, report images; untracked frames counted', async () => {
    const mv = await craftTrackedCapture(host, projectId, media, { cameras: 2, frames: 10, untracked: [4], test: [9] });
    expect(mv.cameras).toHaveLength(2);
    const held = mv.cameras[1]!;
    // Without a hold-out, every view trains (its train frames) and every view's test frames are evaluated.
    const model = openHeadFor(JSON.parse(fs.readFileSync(path.join(host.services.projects.folderOf(projectId), captureTrackingDir(mv.id), 'expression-space.json'), 'utf8')));
    const load = (holdOutCamera: string | null) =>
      loadFrames(model, readCapture(host.services.library.dir, mv.id), { projectDir: host.services.projects.folderOf(projectId), trackingDir: path.join(host.services.projects.folderOf(projectId), captureTrackingDir(mv.id)), imageLongSide: 48, frameSubject: false, holdOutCamera, throwIfCancelled: () => undefined });
    const all = load(null);
    expect(all.train.map((f) => f.cameraId).sort()).toEqual([...Array(8).fill(mv.cameras[0]!.id), ...Array(8).fill(held.id)]);
    expect(all.test.map((f) => `${f.cameraId}#${f.idx}`).sort()).toEqual([`${mv.cameras[0]!.id}#9`, `${held.id}#9`].sort());
    expect(all.untracked).toBe(2);
    const heldOut = load(held.id);
    expect(heldOut.train.every((f) => f.cameraId === mv.cameras[0]!.id)).toBe(true);
    expect(heldOut.test.every((f) => f.cameraId === held.id)).toBe(true);
    await expect(call('training.start', { captureId: mv.id, overrides: { holdOutCamera: 'nope' } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(call('training.start', { captureId: mv.id, overrides: { steps: 0 } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const seen: Job[] = [];
    const onUpdate = (j: Job) => seen.push(j);
    host.jobs.on('updated', onUpdate);
    const t0 = performance.now();
    const started = (await call('training.start', { captureId: mv.id, preset: 'standard', overrides: { ...TINY, testTimeFit: 2, holdOutCamera: held.name } })) as Job;
    const job = await waitForJob(host, started.id);
    host.jobs.off('updated', onUpdate);
    console.info(`[training-ux] tiny multi-view run ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    // Camera 0 trains on all its tracked frames (the split does not matter with a held-out camera); both lose frame 4.
    expect(job.result).toMatchObject({ trainFrames: 9, testFrames: 9, skippedFrames: 2 });

    const live = seen.filter((j) => j.progress.training).map((j) => j.progress.training!);
    expect(live.some((l) => l.loss !== null && Number.isFinite(l.loss))).toBe(true);
    expect(live.some((l) => l.psnr !== null && l.validation === 'test')).toBe(true);
    expect(live.every((l) => l.gaussians > 0 && l.steps === 6)).toBe(true);
    expect(seen.some((j) => j.progress.preview?.includes('.partial/preview-'))).toBe(true);
    expect(seen.some((j) => /Fitting the test frames' head \(pass 2 of 2\)/.test(j.progress.stage ?? ''))).toBe(true);
    expect(job.progress.preview).toMatch(/^avatars\/[0-9a-f]+\/preview\.png$/);
    const root = host.services.projects.folderOf(projectId);
    expect(fs.existsSync(path.join(root, job.progress.preview!))).toBe(true);

    const report = (await call('training.report', { avatarId: (job.result as { avatarId: string }).avatarId })) as TrainingReport;
    expect(report).toMatchObject({ evaluation: 'camera', holdOutCamera: held.id, preset: 'standard', config: { shDegree: 1, steps: 6, testTimeFit: 2 } });
    expect(report.perFrame).toHaveLength(9);
    // With test-time fitting the figures with the tracked head are kept beside the fitted ones.
    expect(report.trackedMetrics).toEqual({ psnr: expect.any(Number), ssim: expect.any(Number) });
    expect(Number.isFinite(report.trackedMetrics!.psnr) && report.trackedMetrics!.ssim <= 1).toBe(true);
    expect((job.result as { trackedMetrics: unknown }).trackedMetrics).toEqual(report.trackedMetrics);
    expect(report.perFrame.every((f) => f.cameraId === held.id && Number.isFinite(f.psnr) && f.ssim <= 1)).toBe(true);
    for (const f of report.perFrame) for (const p of Object.values(f.images!)) expect(fs.existsSync(path.join(root, p))).toBe(true);
    const png = fs.readFileSync(path.join(root, report.perFrame[0]!.images!.error));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  }, JOB_TEST_TIMEOUT);

  let capture: Capture;
  it('refuses too few usable frames with the count needed and why', async () => {
    const few = await craftTrackedCapture(host, projectId, media, { frames: 12, untracked: [0, 1, 2, 3, 4], test: [10, 11] });
    const job = await waitForJob(host, ((await call('training.start', { captureId: few.id, overrides: TINY })) as Job).id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/Too few usable frames: 5 tracked train frames, at least 8 needed\. 5 frames have no tracking/) });
    capture = await craftTrackedCapture(host, projectId, media, { frames: 12, test: [10, 11] });
  }, JOB_TEST_TIMEOUT);

  it('pause keeps a checkpoint (preset high, tiny sizes); a lost GPU device leaves the job interrupted; each resume continues from the last checkpoint', async () => {
    // Enough steps that the pause lands well before the end however fast the adapter trains (llvmpipe: ~20 tiny steps/s).
    const steps = 200;
    const every = Math.max(10, Math.ceil(steps / 10)); // the worker's checkpoint interval (train-avatar.worker.ts)
    const started = (await call('training.start', { captureId: capture.id, preset: 'high', overrides: { ...TINY, steps, previewSeconds: 3600 } })) as Job;
    await until(started.id, (j) => (j.progress.training?.step ?? 0) >= 3, 'waiting for step 3');
    await call('jobs.pause', { id: started.id });
    const paused = await waitForJob(host, started.id);
    expect(paused.status).toBe('paused');
    expect(paused.error).toBeNull();
    const p = (host.services.jobs.get(started.id).checkpoint as { step: number }).step;
    expect(p).toBeGreaterThanOrEqual(3);
    expect(p).toBeLessThan(steps - 8);
    expect(fs.existsSync(path.join(partialOf(started.id), 'checkpoint.bin'))).toBe(true);
    await expect(call('jobs.pause', { id: started.id })).resolves.toMatchObject({ status: 'paused' });

    // The device goes away 6 steps after the resume; checkpoints are at every `every`-th step.
    const lostAt = p + 6;
    const lastCheckpoint = Math.floor((lostAt - 1) / every) * every > p ? Math.floor((lostAt - 1) / every) * every : p;
    process.env.AVATAR_STUDIO_TEST_LOSE_GPU_AT_STEP = String(lostAt);
    try {
      await call('jobs.resume', { id: started.id });
      const lost = await waitForJob(host, started.id);
      expect(lost.status).toBe('interrupted');
      expect(lost.error?.message).toMatch(new RegExp(`GPU stopped working.*Resume to continue from the checkpoint at step ${lastCheckpoint}\\.`));
    } finally {
      delete process.env.AVATAR_STUDIO_TEST_LOSE_GPU_AT_STEP;
    }
    expect(host.services.jobs.get(started.id).checkpoint).toMatchObject({ step: lastCheckpoint, seconds: expect.any(Number) });

    await call('jobs.resume', { id: started.id });
    const done = await waitForJob(host, started.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.attempts).toBe(3);
    expect(done.result).toMatchObject({ steps, resumedFrom: lastCheckpoint });
    // Working time counts the earlier attempts up to the checkpoint the last one resumed from.
    expect((done.result as { seconds?: number }).seconds ?? 0).toBeGreaterThanOrEqual((host.services.jobs.get(started.id).checkpoint as { seconds: number }).seconds);
    const report = (await call('training.report', { avatarId: (done.result as { avatarId: string }).avatarId })) as TrainingReport;
    expect(report).toMatchObject({ evaluation: 'split', preset: 'high', config: { shDegree: 2, densifyBudget: 2 } });
    expect(report.perFrame.map((f) => f.idx)).toEqual([10, 11]);
    expect(report.perFrame.every((f) => f.images !== null && f.maskedPsnr !== null && Number.isFinite(f.maskedPsnr))).toBe(true);
    // Three attempts, one folder: the final previews only, no temp files.
    const files = fs.readdirSync(path.join(host.services.projects.folderOf(projectId), 'avatars', report.avatarId));
    expect(files.filter((f) => f.startsWith('preview') || f.endsWith('.tmp'))).toEqual(['preview.png']);
    // The high preset tunes heads: the fine-tuned per-frame parameters and correctives survive pause, loss and resume.
    const tuning = readHeadTuningExport(new Uint8Array(fs.readFileSync(path.join(host.services.projects.folderOf(projectId), 'avatars', report.avatarId, 'head-tuning.bin'))));
    expect(tuning.frames.length).toBeGreaterThanOrEqual(8);
    expect(tuning.frames.every((f) => Array.from(f.expression ?? []).every(Number.isFinite) && Array.from(f.translation ?? []).every(Number.isFinite))).toBe(true);
  }, JOB_TEST_TIMEOUT);
});

describe('training on a full disk', () => {
  it('fails with a clear message and the previous checkpoint intact', async () => {
    const probe = spawnSync('unshare', ['-rm', 'true']);
    expect(probe.status, 'unshare (util-linux) is needed to make a small disk as root').toBe(0);
    const lib = tempDir('train-full-lib-');
    const dir = tempDir('train-full-media-');
    const script = fileURLToPath(new URL('./disk-full-scenario.ts', import.meta.url));
    // The scenario prints only at the end; its library's database and journal change as its jobs report progress.
    const r = await spawnWhileAdvancing(['unshare', '-rm', process.execPath, '--import', 'tsx', script, lib, dir], { watch: () => folderState(lib), what: 'the disk-full scenario' });
    const last = r.stdout.trim().split('\n').at(-1) ?? '';
    expect(last.startsWith('{'), `${r.stdout}\n${r.stderr}`).toBe(true);
    const out = JSON.parse(last);
    expect(out.status).toBe('failed');
    expect(out.error.code).toBe('DISK_FULL');
    expect(out.error.message).toMatch(/disk filled up while writing the checkpoint at step 20\. The previous checkpoint \(step 10\) is intact/);
    expect(out.jobCheckpoint).toMatchObject({ step: 10 });
    expect(out.fileStep).toBe(10);
    expect(out.leftovers).toEqual([]);
  }, JOB_TEST_TIMEOUT);
});
