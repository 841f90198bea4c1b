import { EventEmitter } from 'node:events';
import { StudioError, type StudioErrorShape } from '@shared/api/errors';
import { canResumeJob, PAUSABLE_JOB_KINDS, RESUMABLE_JOB_STATUSES, type Job, type JobKind, type JobProgress } from '@shared/model/job';
import { newId } from '../services/library/ids';
import type { StudioServices } from '../services/studio-services';
import type { JobDefinition } from './job-definition';
import { resumeHint, toPublicJob, type JobRecord } from './jobs-repo';
import type { WorkerHandle, WorkerLauncher } from './launcher';
import type { WorkerToHost } from './protocol';
import { JobGpuRelay, NODE_JOB_GPU, type JobGpuPlacement } from './job-gpu-relay';

interface Running {
  worker: WorkerHandle;
  cancelRequested: boolean;
  pauseRequested: boolean;
  startedAt: number;
  startFraction: number;
  lastDbWrite: number;
  lastEmit: number;
  progress: JobProgress;
  killTimer?: NodeJS.Timeout;
}

const PROGRESS_DB_INTERVAL_MS = 500;
const PROGRESS_EVENT_INTERVAL_MS = 100;
const CANCEL_GRACE_MS = 3000;
/** A pausing worker writes a checkpoint first (a large avatar takes a while to read back from the GPU). */
const PAUSE_GRACE_MS = 60_000;

/**
 * Runs long work in worker processes, one process per job, at most `maxConcurrent` at a time. The job row in the
 * library is the source of truth: status, progress, checkpoint and result survive a restart. A worker that dies
 * leaves its job interrupted and resumable from its last checkpoint; output is committed only when it finished.
 * Pausable kinds stop at a checkpoint on `pause` (status `paused`, partial output kept) and resume from it.
 */
export class JobRunner extends EventEmitter<{ updated: [Job] }> {
  private readonly running = new Map<string, Running>();
  private readonly definitions = new Map<JobKind, JobDefinition>();
  private closed = false;

  constructor(
    private readonly services: StudioServices,
    private readonly launcher: WorkerLauncher,
    private readonly maxConcurrent = 2,
    /** Where workers' GPU sessions run (the services host's placement; job-gpu-relay.ts). */
    private readonly gpu: JobGpuPlacement = NODE_JOB_GPU,
  ) {
    super();
  }

  register(def: JobDefinition): void {
    this.definitions.set(def.kind, def);
  }

  /** Call once at start-up (writable libraries only). */
  recoverAfterRestart(): void {
    for (const id of this.services.jobs.markInterrupted()) this.emitJob(this.services.jobs.get(id));
  }

  enqueue<P>(kind: JobKind, params: P, projectId: string | null): Job {
    this.services.library.assertWritable();
    const def = this.definition(kind);
    const parsed = def.params.parse(params);
    const job = this.services.jobs.insert({
      id: newId(),
      kind,
      title: def.title(parsed, this.services),
      projectId,
      params: parsed,
      progress: { fraction: 0, stage: 'Waiting to start', etaSeconds: null },
    });
    this.emitJob(job);
    this.pump();
    return toPublicJob(this.services.jobs.get(job.id));
  }

  cancel(id: string): Job {
    const job = this.services.jobs.get(id);
    const run = this.running.get(id);
    if (run) {
      run.cancelRequested = true;
      run.worker.send({ type: 'cancel' });
      if (run.killTimer) clearTimeout(run.killTimer);
      run.killTimer = setTimeout(() => run.worker.kill(), CANCEL_GRACE_MS);
      return toPublicJob(job);
    }
    if (job.status === 'queued' || job.status === 'interrupted' || job.status === 'failed' || job.status === 'paused') return this.finishCancelled(job);
    throw new StudioError('CONFLICT', `This job has already ${job.status === 'completed' ? 'finished' : 'been cancelled'}.`);
  }

  /**
   * Asks a running job to checkpoint and stop, keeping its partial output; a queued one is held back. `resume`
   * continues it. Only kinds in PAUSABLE_JOB_KINDS accept it (their workers checkpoint and stop on `pause`).
   */
  pause(id: string): Job {
    this.services.library.assertWritable();
    const job = this.services.jobs.get(id);
    if (!PAUSABLE_JOB_KINDS.includes(job.kind)) throw new StudioError('CONFLICT', 'This kind of job cannot be paused. Cancel it, or let it finish.');
    if (job.status === 'paused') return toPublicJob(job);
    const run = this.running.get(id);
    if (run) {
      if (!run.pauseRequested && !run.cancelRequested) {
        run.pauseRequested = true;
        run.worker.send({ type: 'pause' });
        run.killTimer = setTimeout(() => run.worker.kill(), PAUSE_GRACE_MS);
        run.progress = { ...run.progress, stage: 'Pausing: writing a checkpoint' };
        this.emitJob(this.services.jobs.update(id, { progress: run.progress }));
      }
      return toPublicJob(this.services.jobs.get(id));
    }
    if (job.status === 'queued') return this.finishPaused(job, job.progress);
    throw new StudioError('CONFLICT', `Only running or waiting jobs can be paused; this one is ${job.status}.`);
  }

  resume(id: string): Job {
    this.services.library.assertWritable();
    const job = this.services.jobs.get(id);
    if (!RESUMABLE_JOB_STATUSES.includes(job.status)) throw new StudioError('CONFLICT', `Only paused, interrupted, failed or cancelled jobs can be resumed; this one is ${job.status}.`);
    if (!canResumeJob(job)) throw new StudioError('CONFLICT', `This job's input was refused and would be again: ${job.error!.message} Start a new one instead.`);
    const updated = this.services.jobs.update(id, { status: 'queued', error: null, finishedAt: null, progress: { ...job.progress, stage: 'Waiting to resume', etaSeconds: null } });
    this.emitJob(updated);
    this.pump();
    return toPublicJob(this.services.jobs.get(id));
  }

  dismiss(id: string): void {
    const job = this.services.jobs.get(id);
    if (job.status === 'running' || job.status === 'queued') throw new StudioError('CONFLICT', 'Cancel the job before removing it from the list.');
    if (job.status !== 'completed') this.definition(job.kind).discard?.(this.services, job);
    this.services.jobs.delete(id);
  }

  /** Resolves when the job reaches a final or interrupted state. */
  waitFor(id: string): Promise<Job> {
    return new Promise((resolve) => {
      const check = (job: Job) => {
        if (job.id === id && !['queued', 'running'].includes(job.status)) {
          this.off('updated', check);
          resolve(job);
        }
      };
      this.on('updated', check);
      check(toPublicJob(this.services.jobs.get(id)));
    });
  }

  /** Stops every worker; their jobs stay interrupted (resumable) in the library. */
  async close(): Promise<void> {
    this.closed = true;
    const exits = [...this.running.entries()].map(
      ([id, run]) =>
        new Promise<void>((resolve) => {
          run.worker.onExit(() => resolve());
          this.services.jobs.update(id, {
            status: 'interrupted',
            progress: run.progress,
            error: { code: 'CANCELLED', message: `The studio closed while this job was running. ${resumeHint(this.services.jobs.get(id).checkpoint != null)}` },
          });
          run.worker.kill();
        }),
    );
    await Promise.all(exits);
  }

  private definition(kind: JobKind): JobDefinition {
    const def = this.definitions.get(kind);
    if (!def) throw new StudioError('INTERNAL', `No handler for jobs of kind ${kind}.`);
    return def;
  }

  private pump(): void {
    if (this.closed) return;
    while (this.running.size < this.maxConcurrent) {
      const next = this.services.jobs
        .list({ includeFinished: false })
        .filter((j) => j.status === 'queued' && !this.running.has(j.id))
        .sort((a, b) => a.createdAt - b.createdAt)[0];
      if (!next) return;
      this.start(next);
    }
  }

  private start(job: JobRecord): void {
    const def = this.definition(job.kind);
    let projectDir: string | null;
    try {
      projectDir = def.projectDir?.(job.params, this.services) ?? null;
    } catch (err) {
      this.finishFailed(job, err);
      return;
    }
    const now = Date.now();
    const updated = this.services.jobs.update(job.id, { status: 'running', startedAt: job.startedAt ?? now, attempts: job.attempts + 1, progress: { ...job.progress, stage: 'Starting' } });
    const worker = this.launcher();
    const run: Running = { worker, cancelRequested: false, pauseRequested: false, startedAt: now, startFraction: job.progress.fraction, lastDbWrite: 0, lastEmit: 0, progress: updated.progress };
    this.running.set(job.id, run);
    this.emitJob(updated);

    let settled = false;
    const gpu = this.gpu;
    const relay = gpu.placement === 'chromium' ? new JobGpuRelay(gpu.openEnginePage, (m) => worker.send(m)) : null;
    worker.onMessage((msg: WorkerToHost) => {
      if (settled) return;
      switch (msg.type) {
        case 'gpu':
          relay?.fromWorker(msg.message);
          break;
        case 'progress':
          this.onProgress(job.id, run, msg.progress);
          break;
        case 'checkpoint':
          this.services.jobs.update(job.id, { checkpoint: msg.checkpoint, progress: run.progress });
          break;
        case 'done':
          settled = true;
          relay?.close();
          this.running.delete(job.id);
          this.onDone(job.id, run, msg.output);
          setTimeout(() => worker.kill(), 2000).unref();
          this.pump();
          break;
        case 'failed':
          settled = true;
          relay?.close();
          this.running.delete(job.id);
          this.onFailed(job.id, run, msg.error);
          setTimeout(() => worker.kill(), 2000).unref();
          this.pump();
          break;
      }
    });
    worker.onExit((code, signal) => {
      relay?.close();
      if (run.killTimer) clearTimeout(run.killTimer);
      if (this.running.get(job.id) === run) this.running.delete(job.id);
      if (!settled && !this.closed) {
        const current = this.services.jobs.get(job.id);
        if (run.cancelRequested) this.finishCancelled(current);
        else if (run.pauseRequested) this.finishPaused(current, run.progress);
        else {
          const how = signal ? `was stopped (${signal})` : `exited with code ${code}`;
          const error: StudioErrorShape = { code: 'INTERNAL', message: `The job's process ${how}. ${resumeHint(current.checkpoint != null)}` };
          this.emitJob(this.services.jobs.update(job.id, { status: 'interrupted', error, progress: run.progress }));
        }
      }
      this.pump();
    });
    worker.send({ type: 'start', jobId: job.id, kind: job.kind, params: job.params, checkpoint: job.checkpoint, libraryDir: this.services.library.dir, projectDir, gpu: gpu.placement });
  }

  private onProgress(id: string, run: Running, p: Omit<JobProgress, 'etaSeconds'>): void {
    const now = Date.now();
    const elapsed = (now - run.startedAt) / 1000;
    const gained = p.fraction - run.startFraction;
    const eta = gained > 0.01 && elapsed > 0.5 ? (elapsed * (1 - p.fraction)) / gained : null;
    run.progress = { ...p, fraction: Math.min(1, Math.max(0, p.fraction)), etaSeconds: eta === null ? null : Math.round(eta) };
    if (now - run.lastDbWrite >= PROGRESS_DB_INTERVAL_MS) {
      run.lastDbWrite = now;
      this.services.jobs.update(id, { progress: run.progress });
    }
    if (now - run.lastEmit >= PROGRESS_EVENT_INTERVAL_MS) {
      run.lastEmit = now;
      this.emitJob({ ...this.services.jobs.get(id), progress: run.progress });
    }
  }

  private onDone(id: string, run: Running, output: unknown): void {
    const job = this.services.jobs.get(id);
    const def = this.definition(job.kind);
    try {
      const result = def.commit(this.services, job, output);
      const { preview, ...progress } = run.progress;
      const after = preview && def.previewAfterCommit ? def.previewAfterCommit(job) : preview;
      this.emitJob(
        this.services.jobs.update(id, {
          status: 'completed',
          result: result ?? null,
          error: null,
          finishedAt: Date.now(),
          progress: { ...progress, ...(after ? { preview: after } : {}), done: run.progress.total ?? run.progress.done, fraction: 1, stage: 'Done', etaSeconds: 0 },
        }),
      );
    } catch (err) {
      this.finishFailed(job, err);
    }
  }

  private onFailed(id: string, run: Running, error: StudioErrorShape): void {
    const job = this.services.jobs.get(id);
    if (run.cancelRequested) {
      this.finishCancelled(job);
      return;
    }
    if (run.pauseRequested) {
      this.finishPaused(job, run.progress);
      return;
    }
    if (error.code === 'CANCELLED') {
      this.finishCancelled(job);
      return;
    }
    if (error.details?.interrupted === true) {
      // The worker's environment failed under it (e.g. the GPU device was lost): resumable from the last checkpoint.
      this.emitJob(this.services.jobs.update(id, { status: 'interrupted', error, progress: run.progress }));
      return;
    }
    const keep = this.definition(job.kind).keepPartialOnDiskFull === true;
    if (error.code === 'DISK_FULL' && !keep) {
      // Free the space the partial output holds before recording anything; a resume starts that work afresh.
      try {
        this.definition(job.kind).discard?.(this.services, job);
      } catch {
        // nothing more can be freed
      }
    }
    this.emitJob(this.services.jobs.update(id, { status: 'failed', error, finishedAt: Date.now(), progress: run.progress, ...(error.code === 'DISK_FULL' && !keep ? { checkpoint: null } : {}) }));
  }

  private finishFailed(job: JobRecord, err: unknown): void {
    const error = err instanceof StudioError ? err.toShape() : { code: 'INTERNAL' as const, message: `The job failed: ${(err as Error)?.message ?? String(err)}` };
    this.emitJob(this.services.jobs.update(job.id, { status: 'failed', error, finishedAt: Date.now() }));
  }

  private finishPaused(job: JobRecord, progress: JobProgress): Job {
    const updated = this.services.jobs.update(job.id, { status: 'paused', error: null, progress: { ...progress, stage: 'Paused', etaSeconds: null } });
    this.emitJob(updated);
    return toPublicJob(updated);
  }

  private finishCancelled(job: JobRecord): Job {
    try {
      this.definition(job.kind).discard?.(this.services, job);
    } catch {
      // partial output that cannot be removed is left for the next discard; the job is cancelled either way
    }
    const updated = this.services.jobs.update(job.id, {
      status: 'cancelled',
      error: null,
      checkpoint: null,
      finishedAt: Date.now(),
      progress: { fraction: 0, stage: 'Cancelled', etaSeconds: null },
    });
    this.emitJob(updated);
    return toPublicJob(updated);
  }

  private emitJob(job: JobRecord | Job): void {
    const pub = 'params' in job ? toPublicJob(job as JobRecord) : job;
    this.emit('updated', pub);
  }
}
