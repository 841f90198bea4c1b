import type { StudioErrorShape } from '@shared/api/errors';
import type { JobKind, JobProgress } from '@shared/model/job';

/** Messages between the job runner (services host) and a job worker process. */
export type HostToWorker =
  | { type: 'start'; jobId: string; kind: JobKind; params: unknown; checkpoint: unknown; libraryDir: string; projectDir: string | null }
  | { type: 'cancel' }
  /** Stop at a checkpoint, keeping partial output (pausable kinds only); the worker then fails with CANCELLED. */
  | { type: 'pause' };

export type WorkerToHost =
  | { type: 'progress'; progress: Omit<JobProgress, 'etaSeconds'> }
  | { type: 'checkpoint'; checkpoint: unknown }
  | { type: 'done'; output: unknown }
  | { type: 'failed'; error: StudioErrorShape };
