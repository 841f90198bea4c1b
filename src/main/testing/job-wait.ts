import type { Job } from '@shared/model/job';
import type { JobRecord } from '../jobs/jobs-repo';
import type { StudioHost } from '../host/studio-host';

/**
 * Waiting on jobs by their progress, not by the clock: a job may take five times longer on a machine that does other
 * heavy work beside the tests, and that is not a failure. A wait fails only when its job made no progress at all for
 * `stallMs` (STALL_MS unless told): no new stage, fraction, step, count, checkpoint or status.
 *
 * The longest gap between two progress reports measured on 2 shared cores (train-job.test: import, tracking, preview
 * training, checkpoint and resume; TEST_PROGRESS_LOG=1 prints them): 4.9 s idle, 96 s at load 17 (both in the
 * tracking job); the training's gaps stay under 30 s there. Five minutes without a single report is a job that
 * hangs, not a slow machine.
 */
export const STALL_MS = Number(process.env.TEST_STALL_MS ?? 300_000);

/**
 * Per-test timeout (vitest) of tests whose time grows with the machine's load: jobs waited on with `waitForJob` /
 * `waitForJobState`, child processes run with run-cli.ts (`spawnWhileAdvancing`, `runCliWhileAdvancing`, or
 * `runCli`, whose own limit of STALL_MS ends a hang), tracking or GPU work in the test's own process. Vitest cannot
 * extend a test's deadline while its work advances (and fails a synchronous run that took longer afterwards), so this
 * is no speed budget: it is a guard against a hang (the waits above fail on their own after STALL_MS without
 * progress), far beyond any run measured under load.
 */
export const JOB_TEST_TIMEOUT = 60 * 60_000;

const FINISHED = (j: Pick<Job, 'status'>) => j.status !== 'queued' && j.status !== 'running';

/** What counts as progress: anything a report changes (ETA aside, which moves while nothing else does). */
function signature(j: JobRecord | Job): string {
  const p = j.progress;
  const t = p.training;
  const checkpoint = 'checkpoint' in j ? JSON.stringify(j.checkpoint ?? null) : '';
  return JSON.stringify([j.status, j.attempts, p.stage, p.fraction, p.done ?? null, p.total ?? null, t?.step ?? null, t?.validatedAt ?? null, t?.checkpointStep ?? null, p.preview ?? null, checkpoint]);
}

function describe(j: JobRecord): string {
  const p = j.progress;
  const t = p.training ? `, step ${p.training.step}/${p.training.steps}` : '';
  return `${j.kind} ${j.id} is ${j.status} at "${p.stage}" (${(p.fraction * 100).toFixed(1)} %${p.done !== undefined ? `, ${p.done}/${p.total ?? '?'} ${p.unit ?? ''}`.trimEnd() : ''}${t})`;
}

export interface ProgressWaitOptions {
  /** Fail after this long without any progress of the job (default STALL_MS). */
  stallMs?: number;
  /** Also re-read the job's row this often: a checkpoint is recorded without an event (default 200 ms). */
  pollMs?: number;
}

/**
 * Resolves with the job's row once `until` holds for it; rejects when the job ends first (unless `until` holds for
 * the ended job) or when neither it nor — while it waits in the queue — any other job of the host advanced for
 * `stallMs`. Event-driven (the runner's `updated` events), with a slow re-read of the row for what has no event.
 */
export function waitForJobState(host: StudioHost, id: string, until: (job: JobRecord) => boolean, what: string, o: ProgressWaitOptions = {}): Promise<JobRecord> {
  const stallMs = o.stallMs ?? STALL_MS;
  const pollMs = o.pollMs ?? 200;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const others = new Map<string, string>();
    let last = '';
    let lastChange = performance.now();
    let longestGap = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: Error | null, job?: JobRecord) => {
      host.jobs.off('updated', onUpdate);
      clearTimeout(timer);
      if (process.env.TEST_PROGRESS_LOG) console.info(`[job-wait] ${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s, longest gap between progress ${(Math.max(longestGap, performance.now() - lastChange) / 1000).toFixed(1)} s`);
      if (err) reject(err);
      else resolve(job!);
    };
    const advanced = () => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - lastChange);
      lastChange = now;
    };
    const check = (fresh?: Job) => {
      let job: JobRecord;
      try {
        job = host.services.jobs.get(id);
      } catch (err) {
        return finish(err as Error);
      }
      // An event carries the runner's latest progress; the row is written at most every 500 ms.
      if (fresh && fresh.id === id && job.status === fresh.status) job = { ...job, progress: fresh.progress };
      if (until(job)) return finish(null, job);
      if (FINISHED(job)) return finish(new Error(`${what}: the job ended before that: ${describe(job)}${job.error ? `: ${job.error.code} ${job.error.message}` : ''}`));
      const sig = signature(job);
      if (sig !== last) {
        last = sig;
        advanced();
      }
      const idle = performance.now() - lastChange;
      if (idle >= stallMs) {
        const waited = ((performance.now() - t0) / 1000).toFixed(0);
        return finish(new Error(`${what}: no progress for ${(idle / 1000).toFixed(idle < 10_000 ? 1 : 0)} s (the stall limit; waited ${waited} s in all, longest earlier gap ${(longestGap / 1000).toFixed(1)} s): ${describe(job)}`));
      }
      clearTimeout(timer);
      timer = setTimeout(() => check(), Math.min(pollMs, stallMs - idle + 1));
    };
    const onUpdate = (j: Job) => {
      if (j.id === id) return check(j);
      // While ours waits for a free worker, the jobs ahead of it advancing is progress too.
      const sig = signature(j);
      if (others.get(j.id) !== sig) {
        others.set(j.id, sig);
        if (host.services.jobs.find(id)?.status === 'queued') advanced();
      }
    };
    host.jobs.on('updated', onUpdate);
    check();
  });
}

/**
 * `host.jobs.waitFor` that fails on a stall instead of hanging or being cut off by a fixed deadline: resolves with
 * the job once it stops running (completed, failed, cancelled, paused or interrupted), as waitFor does.
 */
export async function waitForJob(host: StudioHost, id: string, o: ProgressWaitOptions = {}): Promise<Job> {
  await waitForJobState(host, id, FINISHED, `waiting for job ${id} to end`, o);
  return host.jobs.waitFor(id);
}
