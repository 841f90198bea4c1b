import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Capture } from '@shared/model/capture';
import type { Job } from '@shared/model/job';
import { StudioHost } from '../../host/studio-host';
import { useTempDirs } from '../../testing/temp-dir';
import { craftTrackedCapture } from './test-capture';

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

describe('training job', () => {
  let capture: Capture;
  it('trains on a crafted tracked capture, with live progress, previews and a report with images', async () => {
    capture = await craftTrackedCapture(host, projectId, media, { frames: 12, untracked: [3], test: [10, 11] });
    const seen: Job[] = [];
    const onUpdate = (j: Job) => seen.push(j);
    host.jobs.on('updated', onUpdate);
    const t0 = performance.now();
    const started = (await call('training.start', { captureId: capture.id, overrides: TINY })) as Job;
    const job = await host.jobs.waitFor(started.id);
    host.jobs.off('updated', onUpdate);
    console.info(`[training-ux] tiny run ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    const live = seen.filter((j) => j.progress.training).map((j) => j.progress.training!);
    expect(live.length).toBeGreaterThan(0);
    expect(live.some((l) => l.loss !== null && Number.isFinite(l.loss))).toBe(true);
    expect(live.some((l) => l.psnr !== null && l.validation === 'test')).toBe(true);
    expect(seen.some((j) => j.progress.preview?.includes('.partial/preview-'))).toBe(true);
    expect(job.progress.preview).toMatch(/^avatars\/[0-9a-f]+\/preview\.png$/);
    const result = job.result as { avatarId: string; skippedFrames: number; trainFrames: number; testFrames: number };
    expect(result.skippedFrames).toBe(1);
    expect(result.trainFrames).toBe(9);
    const report = (await call('training.report', { avatarId: result.avatarId })) as { perFrame: { idx: number; images: Record<string, string> | null; psnr: number }[]; evaluation: string; config: { steps: number } };
    expect(report.evaluation).toBe('split');
    expect(report.config.steps).toBe(6);
    expect(report.perFrame.map((f) => f.idx)).toEqual([10, 11]);
    const root = host.services.projects.folderOf(projectId);
    for (const f of report.perFrame) for (const p of Object.values(f.images!)) expect(fs.existsSync(path.join(root, p))).toBe(true);
    expect(fs.existsSync(path.join(root, job.progress.preview!))).toBe(true);
  }, 120_000);
});
