import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '@shared/model/job';
import { StudioHost } from '../host/studio-host';
import { useTempDirs } from '../testing/temp-dir';

const tempDir = useTempDirs();
let host: StudioHost;

beforeEach(() => {
  host = StudioHost.open({ libraryDir: tempDir(), frontDoor: 'cli' });
});
afterEach(async () => {
  delete process.env.AVATAR_STUDIO_TEST_JOB_DELAY_MS;
  await host?.close();
});

/** A project with `n` files of known content, recorded as blobs. */
function projectWithFiles(name: string, n: number): string {
  const p = host.services.projects.create(name);
  for (let i = 0; i < n; i++) host.services.blobs.put(p.id, `frames/${String(i).padStart(4, '0')}.bin`, Buffer.alloc(20_000, i));
  return p.id;
}

async function call<T>(method: string, params: unknown): Promise<T> {
  const out = await host.dispatch(method, params);
  if (!out.ok) throw new Error(`${out.error.code}: ${out.error.message}`);
  return out.result as T;
}

function waitForProgress(jobId: string, min: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (j: Job) => {
      if (j.id === jobId && (j.progress.done ?? 0) >= min) {
        host.jobs.off('updated', check);
        resolve();
      }
    };
    host.jobs.on('updated', check);
  });
}

describe('job runner', () => {
  it('duplicates a project in a worker process and records the copy in one step', async () => {
    const src = projectWithFiles('Source', 5);
    const events: Job[] = [];
    host.jobs.on('updated', (j) => events.push(j));
    const job = await call<Job>('projects.duplicate', { id: src, name: 'Copy' });
    const final = await host.jobs.waitFor(job.id);
    expect(final.status).toBe('completed');
    const copyId = (final.result as { projectId: string }).projectId;
    const copy = host.services.projects.get(copyId);
    expect(copy.name).toBe('Copy');
    expect(copy.sizeBytes).toBe(5 * 20_000);
    expect(host.services.blobs.list(copyId).map((b) => b.sha256)).toEqual(host.services.blobs.list(src).map((b) => b.sha256));
    expect(events.some((e) => e.status === 'running')).toBe(true);
    expect(events.at(-1)!.progress.fraction).toBe(1);
  });

  it('cancel stops the worker and leaves nothing half-copied', async () => {
    process.env.AVATAR_STUDIO_TEST_JOB_DELAY_MS = '150';
    const src = projectWithFiles('Source', 20);
    const job = await call<Job>('projects.duplicate', { id: src });
    await waitForProgress(job.id, 2);
    await call<Job>('jobs.cancel', { id: job.id });
    const final = await host.jobs.waitFor(job.id);
    expect(final.status).toBe('cancelled');
    expect(host.services.projects.list().map((p) => p.name)).toEqual(['Source']);
    expect(fs.readdirSync(path.join(host.services.library.dir, 'projects')).filter((d) => d.endsWith('.partial'))).toEqual([]);
  });

  it('a worker killed mid-copy leaves the job interrupted with no half record, and resume finishes it', async () => {
    process.env.AVATAR_STUDIO_TEST_JOB_DELAY_MS = '100';
    const src = projectWithFiles('Source', 12);
    const job = await call<Job>('projects.duplicate', { id: src, name: 'Resumed' });
    await waitForProgress(job.id, 3);
    const pid = [...(host.jobs as unknown as { running: Map<string, { worker: { pid: number } }> }).running.values()][0]!.worker.pid;
    process.kill(pid, 'SIGKILL');
    const interrupted = await host.jobs.waitFor(job.id);
    expect(interrupted.status).toBe('interrupted');
    // the copy writes no checkpoint, so the message must not promise to continue from one
    expect(interrupted.error?.message).toMatch(/Resume it to start it again/);
    expect(host.services.projects.list().map((p) => p.name)).toEqual(['Source']);

    delete process.env.AVATAR_STUDIO_TEST_JOB_DELAY_MS;
    await call<Job>('jobs.resume', { id: job.id });
    const done = await host.jobs.waitFor(job.id);
    expect(done.status).toBe('completed');
    expect(done.attempts).toBe(2);
    const names = host.services.projects.list().map((p) => p.name).sort();
    expect(names).toEqual(['Resumed', 'Source']);
    const copyId = (done.result as { projectId: string }).projectId;
    expect(host.services.blobs.list(copyId)).toHaveLength(12);
    for (const b of host.services.blobs.list(copyId)) {
      expect(fs.readFileSync(host.services.blobs.absolutePath(copyId, b.path)).length).toBe(20_000);
    }
  });

  it('jobs that were running when the studio stopped come back as interrupted and resumable', async () => {
    process.env.AVATAR_STUDIO_TEST_JOB_DELAY_MS = '100';
    const dir = host.services.library.dir;
    const src = projectWithFiles('Source', 10);
    const job = await call<Job>('projects.duplicate', { id: src });
    await waitForProgress(job.id, 2);
    await host.close();
    delete process.env.AVATAR_STUDIO_TEST_JOB_DELAY_MS;

    host = StudioHost.open({ libraryDir: dir, frontDoor: 'cli' });
    expect(host.services.jobs.get(job.id).status).toBe('interrupted');
    expect(host.services.jobs.get(job.id).error?.message).toMatch(/studio closed.*start it again/);
    await call<Job>('jobs.resume', { id: job.id });
    expect((await host.jobs.waitFor(job.id)).status).toBe('completed');
  });

  it('refuses to resume a completed job and to trash a project with running work', async () => {
    process.env.AVATAR_STUDIO_TEST_JOB_DELAY_MS = '100';
    const src = projectWithFiles('Source', 6);
    const job = await call<Job>('projects.duplicate', { id: src });
    const trash = await host.dispatch('projects.trash', { id: src });
    expect(trash).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    await host.jobs.waitFor(job.id);
    expect(await host.dispatch('jobs.resume', { id: job.id })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('refuses to pause a kind of job that cannot pause, and a finished one', async () => {
    process.env.AVATAR_STUDIO_TEST_JOB_DELAY_MS = '100';
    const src = projectWithFiles('Source', 6);
    const job = await call<Job>('projects.duplicate', { id: src });
    expect(await host.dispatch('jobs.pause', { id: job.id })).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/cannot be paused/) } });
    expect((await host.jobs.waitFor(job.id)).status).toBe('completed');
  });

  it('empties the trash as a job', async () => {
    const a = projectWithFiles('A', 2);
    projectWithFiles('B', 1);
    await call('projects.trash', { id: a });
    const job = await call<Job>('projects.emptyTrash', {});
    expect(host.services.projects.list({ trashed: true })).toEqual([]);
    expect((await host.jobs.waitFor(job.id)).status).toBe('completed');
    expect(fs.readdirSync(path.join(host.services.library.dir, 'trash'))).toEqual([]);
    expect(host.services.projects.list().map((p) => p.name)).toEqual(['B']);
  });
});
