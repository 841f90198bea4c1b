import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Job } from '@shared/model/job';
import type { StudioHost } from '../host/studio-host';
import type { JobRecord } from '../jobs/jobs-repo';
import { waitForJob, waitForJobState } from './job-wait';

/** A host with one job row and a runner that emits its updates, as the wait sees them. */
function fakeHost(): { host: StudioHost; set(patch: Partial<JobRecord>): void } {
  let row = { id: 'a'.repeat(32), kind: 'avatar.train', title: 'Train', projectId: null, captureId: null, status: 'running', progress: { fraction: 0, stage: 'Training', etaSeconds: null }, result: null, error: null, createdAt: 0, startedAt: 0, finishedAt: null, attempts: 1, params: {}, checkpoint: null } as unknown as JobRecord;
  const jobs = new EventEmitter();
  const host = {
    jobs: Object.assign(jobs, { waitFor: async () => row as unknown as Job }),
    services: { jobs: { get: () => row, find: () => row } },
  } as unknown as StudioHost;
  return {
    host,
    set(patch) {
      row = { ...row, ...patch };
      jobs.emit('updated', row);
    },
  };
}

describe('waiting on a job by its progress', () => {
  it('waits as long as the job advances, beyond the stall limit in all', async () => {
    const { host, set } = fakeHost();
    let fraction = 0;
    const ticker = setInterval(() => set({ progress: { fraction: (fraction += 0.01), stage: 'Training', etaSeconds: null } }), 50);
    setTimeout(() => set({ status: 'completed' }), 1000);
    try {
      const t0 = performance.now();
      const job = await waitForJob(host, 'a'.repeat(32), { stallMs: 300 });
      expect(job.status).toBe('completed');
      expect(performance.now() - t0).toBeGreaterThan(900);
    } finally {
      clearInterval(ticker);
    }
  });

  it('fails after the stall limit without progress, saying where the job stood', async () => {
    const { host, set } = fakeHost();
    set({ progress: { fraction: 0.25, stage: 'Fitting the maps (2 of 3)', done: 5, total: 20, unit: 'steps', etaSeconds: 12 } });
    await expect(waitForJob(host, 'a'.repeat(32), { stallMs: 300 })).rejects.toThrow(/no progress for [\d.]+ s \(the stall limit.*is running at "Fitting the maps \(2 of 3\)" \(25\.0 %, 5\/20 steps\)/);
  });

  it('an ETA that changes alone is no progress', async () => {
    const { host, set } = fakeHost();
    let eta = 100;
    const ticker = setInterval(() => set({ progress: { fraction: 0.5, stage: 'Training', etaSeconds: eta-- } }), 50);
    try {
      await expect(waitForJob(host, 'a'.repeat(32), { stallMs: 300 })).rejects.toThrow(/no progress/);
    } finally {
      clearInterval(ticker);
    }
  });

  it('a state wait rejects when the job ends before the state is reached', async () => {
    const { host, set } = fakeHost();
    setTimeout(() => set({ status: 'failed', error: { code: 'INTERNAL', message: 'boom' } }), 50);
    await expect(waitForJobState(host, 'a'.repeat(32), (j) => (j.progress.training?.step ?? 0) >= 10, 'waiting for step 10')).rejects.toThrow(/waiting for step 10: the job ended before that: .*failed.*INTERNAL boom/);
  });
});
