import type { StudioErrorShape } from '@shared/api/errors';
import type { JobKind, JobProgress } from '@shared/model/job';
import type { GpuPlacement } from '@engine/host/gpu-jobs';

/** Messages between the job runner (services host) and a job worker process. */
export type HostToWorker =
  /** `gpu`: where the job's GPU sessions run (the host's placement, job-gpu.ts). */
  | { type: 'start'; jobId: string; kind: JobKind; params: unknown; checkpoint: unknown; libraryDir: string; projectDir: string | null; gpu: GpuPlacement }
  /** A message from the job's engine page (placement 'chromium'), relayed by the host. */
  | { type: 'gpu'; message: unknown }
  /** The job's engine page went away (crash, closed). */
  | { type: 'gpu-closed'; reason: string }
  | { type: 'cancel' }
  /** Stop at a checkpoint, keeping partial output (pausable kinds only); the worker then fails with CANCELLED. */
  | { type: 'pause' };

export type WorkerToHost =
  | { type: 'progress'; progress: Omit<JobProgress, 'etaSeconds'> }
  | { type: 'checkpoint'; checkpoint: unknown }
  | { type: 'done'; output: unknown }
  | { type: 'failed'; error: StudioErrorShape }
  /** A message for the job's engine page (placement 'chromium'); the host opens the page on the first one. */
  | { type: 'gpu'; message: unknown };
