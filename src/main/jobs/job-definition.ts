import type { z } from 'zod';
import type { JobKind } from '@shared/model/job';
import type { StudioServices } from '../services/studio-services';
import type { JobRecord } from './jobs-repo';

/**
 * The host half of a job kind. The long work runs in a worker process (see worker-registry.ts); the host prepares
 * it, then commits its output to the library in one transaction, or discards partial output on cancel.
 */
export interface JobDefinition<P = any, O = any> {
  kind: JobKind;
  params: z.ZodType<P>;
  title(params: P, services: StudioServices): string;
  /** The folder the worker works in, if any. Called before every (re)start. */
  projectDir?(params: P, services: StudioServices): string | null;
  /** Validates the worker's output and records it. Must be all-or-nothing. Returns the job's public result. */
  commit(services: StudioServices, job: JobRecord, output: O): unknown;
  /**
   * On DISK_FULL the runner frees the partial output and drops the checkpoint (a resume starts afresh), unless the
   * kind keeps them: its checkpoints are written atomically, so the last one is intact and worth resuming from.
   */
  keepPartialOnDiskFull?: boolean;
  /** Where the job's progress preview lives once committed (its partial folder was renamed); null drops it. */
  previewAfterCommit?(job: JobRecord): string | null;
  /** Removes partial output after a cancel. */
  discard?(services: StudioServices, job: JobRecord): void;
}
