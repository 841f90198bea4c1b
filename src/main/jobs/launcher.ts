import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HostToWorker, WorkerToHost } from './protocol';

/** A running worker process, whatever started it (Node's fork, Electron's utilityProcess). */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(msg: HostToWorker): void;
  onMessage(listener: (msg: WorkerToHost) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export type WorkerLauncher = () => WorkerHandle;

let workerEntry: string | null = null;

/** Entry files of built front doors point this at `job-worker.js` beside them. */
export function setWorkerEntry(path: string): void {
  workerEntry = path;
}

function resolveEntry(): { entry: string; execArgv: string[]; env?: NodeJS.ProcessEnv } {
  if (workerEntry) return { entry: workerEntry, execArgv: [] };
  // Running from TypeScript sources (tests, tsx): fork the TS entry with this checkout's tsx loader and tsconfig (its
  // @shared / @engine paths), not whatever the working directory would resolve.
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
    return { entry: fileURLToPath(new URL('./worker-main.ts', import.meta.url)), execArgv: ['--import', tsx], env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig } };
  }
  return { entry: fileURLToPath(new URL('./job-worker.js', import.meta.url)), execArgv: [] };
}

export const nodeForkLauncher: WorkerLauncher = () => {
  const { entry, execArgv, env } = resolveEntry();
  const child = fork(entry, [], { execArgv, env, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    pid: child.pid,
    send: (msg) => {
      if (child.connected) child.send(msg);
    },
    onMessage: (l) => child.on('message', (m) => l(m as WorkerToHost)),
    onExit: (l) => child.on('exit', (code, signal) => l(code, signal)),
    kill: () => child.kill('SIGKILL'),
  };
};
