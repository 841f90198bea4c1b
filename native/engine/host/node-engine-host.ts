/**
 * NodeEngineHost: the engine in a Node child process on Dawn (npm `webgpu`). Used by web mode, the CLI and tests;
 * a GPU fault or a long render takes the child down, never the services host. Messages use Node's advanced
 * serialization (structured clone), so image bytes arrive as typed arrays without base64 or JSON.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EngineClient, type EngineChannel } from './engine-host';
import type { EngineRequest } from './protocol';

export interface NodeEngineHostOptions {
  /** Built entry (`engine-process.js`); default: beside this module when bundled, the TS source under tsx otherwise. */
  entry?: string;
  env?: NodeJS.ProcessEnv;
  requestTimeoutMs?: number;
}

let builtEntry: string | null = null;

/** Front doors built by electron-vite point this at `engine-process.js` beside them. */
export function setEngineProcessEntry(path: string): void {
  builtEntry = path;
}

export function resolveEngineProcessEntry(): { entry: string; execArgv: string[] } {
  if (builtEntry) return { entry: builtEntry, execArgv: [] };
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return { entry: fileURLToPath(new URL('./node-engine-process.ts', import.meta.url)), execArgv: ['--import', 'tsx'] };
  // Bundled: this module sits in out/main/ or in a shared chunk under out/main/chunks/.
  const candidates = ['./engine-process.js', '../engine-process.js'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return { entry: candidates.find((c) => existsSync(c)) ?? candidates[0]!, execArgv: [] };
}

/** The Node host; `pid` is the engine process's id while one runs (for diagnostics and tests). */
export class NodeEngineHost extends EngineClient {
  private child: ChildProcess | null = null;

  constructor(options: NodeEngineHostOptions = {}) {
    super('node', () => forkEngine(options, (c) => (this.child = c)), options.requestTimeoutMs);
  }

  get pid(): number | undefined {
    return this.child && this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }
}

export function createNodeEngineHost(options: NodeEngineHostOptions = {}): NodeEngineHost {
  return new NodeEngineHost(options);
}

function forkEngine(options: NodeEngineHostOptions, started: (child: ChildProcess) => void): Promise<EngineChannel> {
  const resolved = options.entry ? { entry: options.entry, execArgv: [] } : resolveEngineProcessEntry();
  if (!existsSync(resolved.entry)) return Promise.reject(new Error(`Engine process entry not found: ${resolved.entry} (run \`npm run build\`).`));
  const child: ChildProcess = fork(resolved.entry, [], {
    execArgv: resolved.execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
  });
  started(child);
  return new Promise((resolve, reject) => {
    const onEarlyError = (e: Error) => reject(e);
    child.once('error', onEarlyError);
    child.once('spawn', () => {
      child.off('error', onEarlyError);
      resolve(childChannel(child));
    });
  });
}

function childChannel(child: ChildProcess): EngineChannel {
  let closed = false;
  const closeListeners: ((reason: string) => void)[] = [];
  child.on('exit', (code, signal) => {
    if (closed) return;
    closed = true;
    const reason = signal ? `engine process killed by ${signal}` : `engine process exited with code ${code}`;
    for (const l of closeListeners) l(reason);
  });
  child.on('error', () => {
    // 'exit' follows and reports it.
  });
  return {
    post(message: EngineRequest) {
      if (!child.connected) throw new Error('The engine process is not running.');
      child.send(message);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onClose(listener) {
      closeListeners.push(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        if (child.connected) child.disconnect();
        else child.kill('SIGTERM');
      });
    },
  };
}
