import { StudioError } from '@shared/api/errors';
import type { HostToWorker, WorkerToHost } from './protocol';
import type { WorkerContext } from './worker-context';
import { workerJobs } from './worker-registry';

/**
 * Entry of a job worker process: receives one `start`, runs that job's worker half, reports progress and
 * checkpoints, and exits. A `cancel` aborts the job's signal; the job stops at its next check.
 */
// Electron's utility processes talk through process.parentPort; Node's fork through process.send.
const parentPort = (process as unknown as { parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (e: { data: unknown }) => void): void } }).parentPort;
const send = (msg: WorkerToHost) => (parentPort ? parentPort.postMessage(msg) : process.send?.(msg));
const abort = new AbortController();
const onMessage = (l: (m: unknown) => void) => (parentPort ? parentPort.on('message', (e) => l(e.data)) : process.on('message', l));
// A utility process is ended by the host once it has the result; a forked child disconnects and exits.
const finish = () => (parentPort ? undefined : process.disconnect?.());

onMessage((raw) => {
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
    .finally(finish);
});

process.on('disconnect', () => process.exit(0));
