import type { JobProgress } from '@shared/model/job';
import type { GpuJobs } from '@engine/host/gpu-jobs';

/** What a job's worker-side code gets: where to work, how to report, and when to stop. */
export interface WorkerContext {
  libraryDir: string;
  /** Folder of the job's project (null for library-wide jobs). */
  projectDir: string | null;
  /** Aborted on cancel and on pause (`pauseRequested` tells them apart). */
  signal: AbortSignal;
  /** True once the host asked this job to pause: checkpoint, then stop (throwIfCancelled throws). */
  pauseRequested(): boolean;
  progress(p: Omit<JobProgress, 'etaSeconds'>): void;
  /** Records how far the job got; a resumed job receives the last checkpoint. */
  checkpoint(state: unknown): void;
  throwIfCancelled(): void;
  /**
   * The job's way to the GPU (job-gpu.ts): sessions open where the host placed GPU work — this process on dawn.node,
   * or the job's engine page on Chromium's WebGPU in the desktop app. No job creates a device of its own.
   */
  gpu: GpuJobs;
}

/** The half of a job kind that runs in the worker process: the long work itself. */
export interface WorkerJob<P = unknown, C = unknown, O = unknown> {
  run(ctx: WorkerContext, params: P, checkpoint: C | null): Promise<O>;
}
