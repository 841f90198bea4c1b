import { StudioError } from '@shared/api/errors';
import type { HostToWorker, WorkerToHost } from './protocol';
import type { WorkerContext } from './worker-context';
import { workerJobs } from './worker-registry';

/**
 * Entry of a job worker process: receives one `start`, runs that job's worker half, reports progress and
 * checkpoints, and exits. A `cancel` aborts the job's signal; the job stops at its next check.
 */
const send = (msg: WorkerToHost) => process.send?.(msg);
const abort = new AbortController();

process.on('message', (raw) => {
  const msg = raw as HostToWorker;
  if (msg.type === 'cancel') {
    abort.abort();
    return;
  }
  if (msg.type !== 'start') return;
  const job = workerJobs[msg.kind];
  const ctx: WorkerContext = {
    libraryDir: msg.libraryDir,
    projectDir: msg.projectDir,
    signal: abort.signal,
    progress: (p) => send({ type: 'progress', progress: p }),
    checkpoint: (state) => send({ type: 'checkpoint', checkpoint: state }),
    throwIfCancelled: () => {
      if (abort.signal.aborted) throw new StudioError('CANCELLED', 'Cancelled.');
    },
  };
  job
    .run(ctx, msg.params, msg.checkpoint as never)
    .then((output) => send({ type: 'done', output }))
    .catch((err: unknown) => {
      const error = err instanceof StudioError ? err.toShape() : { code: 'INTERNAL' as const, message: (err as Error)?.message ?? String(err) };
      send({ type: 'failed', error });
    })
    .finally(() => process.disconnect?.());
});

process.on('disconnect', () => process.exit(0));
