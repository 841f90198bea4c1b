import { utilityProcess } from 'electron';
import type { WorkerHandle, WorkerLauncher } from '../jobs/launcher';
import type { WorkerToHost } from '../jobs/protocol';

/** Job workers in Electron run as utility processes (Node without a window; no ELECTRON_RUN_AS_NODE needed). */
export function utilityProcessLauncher(entry: string): WorkerLauncher {
  return (): WorkerHandle => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'Avatar Studio job', stdio: 'inherit' });
    return {
      get pid() {
        return child.pid;
      },
      send: (msg) => child.postMessage(msg),
      onMessage: (l) => child.on('message', (m: unknown) => l(m as WorkerToHost)),
      onExit: (l) => child.on('exit', (code: number) => l(code, null)),
      kill: () => {
        child.kill();
      },
    };
  };
}
