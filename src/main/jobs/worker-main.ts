import { StudioError } from '@shared/api/errors';
import { toStudioFsError } from '../services/fs/atomic-write';
import type { HostToWorker, WorkerToHost } from './protocol';
import type { WorkerContext } from './worker-context';
import { openJobGpu } from './job-gpu';
import { workerJobs } from './worker-registry';

/**
 * Entry of a job worker process: receives one `start`, runs that job's worker half, reports progress and
 * checkpoints, and exits. A `cancel` aborts the job's signal; the job stops at its next check.
 */
// Electron's utility processes talk through process.parentPort; Node's fork through process.send.
const parentPort = (process as unknown as { parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (e: { data: unknown }) => void): void } }).parentPort;
/** Resolves once the message is handed to the channel, so a large final result is not cut off by the exit. */
const send = (msg: WorkerToHost): Promise<void> =>
  new Promise((resolve) => {
    if (parentPort) {
      parentPort.postMessage(msg);
      resolve();
    } else if (process.send) process.send(msg, undefined, undefined, () => resolve());
    else resolve();
  });
const abort = new AbortController();
let pauseRequested = false;
let lastProgress = { at: 0, stage: '' };
const onMessage = (l: (m: unknown) => void) => (parentPort ? parentPort.on('message', (e) => l(e.data)) : process.on('message', l));
// A utility process is ended by the host once it has the result; a forked child disconnects and exits.
const finish = () => (parentPort ? undefined : process.disconnect?.());

const gpuListeners: ((message: unknown) => void)[] = [];
const gpuClosedListeners: ((reason: string) => void)[] = [];

onMessage((raw) => {
  const msg = raw as HostToWorker;
  if (msg.type === 'gpu') {
    for (const l of gpuListeners) l(msg.message);
    return;
  }
  if (msg.type === 'gpu-closed') {
    for (const l of gpuClosedListeners) l(msg.reason);
    return;
  }
  if (msg.type === 'cancel' || msg.type === 'pause') {
    if (msg.type === 'pause') pauseRequested = true;
    abort.abort();
    return;
  }
  if (msg.type !== 'start') return;
  const job = workerJobs[msg.kind];
  const gpu = openJobGpu(msg.gpu ?? 'node', `job-${msg.kind}`, {
    send: (message) => void send({ type: 'gpu', message }),
    onMessage: (l) => gpuListeners.push(l),
    onClosed: (l) => gpuClosedListeners.push(l),
  });
  const ctx: WorkerContext = {
    gpu,
    libraryDir: msg.libraryDir,
    projectDir: msg.projectDir,
    signal: abort.signal,
    pauseRequested: () => pauseRequested,
    progress: (p) => {
      // At most ~30 progress messages a second; a stage change always goes through.
      const now = Date.now();
      if (now - lastProgress.at < 33 && p.stage === lastProgress.stage && p.fraction < 1) return;
      lastProgress = { at: now, stage: p.stage };
      void send({ type: 'progress', progress: p });
    },
    checkpoint: (state) => void send({ type: 'checkpoint', checkpoint: state }),
    throwIfCancelled: () => {
      if (abort.signal.aborted) throw new StudioError('CANCELLED', pauseRequested ? 'Paused.' : 'Cancelled.');
    },
  };
  job
    .run(ctx, msg.params, msg.checkpoint as never)
    .then(
      async (output) => {
        await gpu.close().catch(() => undefined);
        await send({ type: 'done', output });
      },
      async (err: unknown) => {
        await gpu.close().catch(() => undefined);
        await send({ type: 'failed', error: toErrorShape(err) });
      },
    )
    .finally(finish);
});

process.on('disconnect', () => process.exit(0));

function toErrorShape(err: unknown) {
  if (err instanceof StudioError) return err.toShape();
  const e = err as NodeJS.ErrnoException | null;
  if (e?.code === 'ENOENT') return { code: 'NOT_FOUND' as const, message: `A file the job needed disappeared${e.path ? ` (${e.path})` : ''}. Put it back or choose it again, then resume.` };
  const mapped = toStudioFsError(err, 'working');
  if (mapped instanceof StudioError) return mapped.toShape();
  return { code: 'INTERNAL' as const, message: e?.message ?? String(err) };
}
