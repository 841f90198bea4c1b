import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STALL_MS } from './job-wait';

export const CLI_SOURCE = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

function lastJsonLine(stdout: string): any {
  try {
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
  } catch {
    return null;
  }
}

/**
 * Runs the CLI from its TypeScript sources in a child process, as a user would run `avatar-studio`. Synchronous, so
 * nothing can watch the run: its limit (STALL_MS) only ends a hang, however slowly a busy machine starts Node and
 * tsx. Commands that run jobs use runCliWhileAdvancing.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, wrap: string[] = []): CliResult {
  const cmd = [...wrap, process.execPath, '--import', 'tsx', CLI_SOURCE, ...args];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: STALL_MS });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: lastJsonLine(r.stdout) };
}

/** Sizes and times of the files directly in `dir` (a library: its database and journal change as a job reports progress). */
export function folderState(dir: string): string {
  try {
    return fs
      .readdirSync(dir)
      .map((f) => {
        const s = fs.statSync(path.join(dir, f), { throwIfNoEntry: false });
        return s ? `${f}:${s.size}:${s.mtimeMs}` : f;
      })
      .join('|');
  } catch {
    return '';
  }
}

export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command with no fixed deadline: it may take as long as a busy machine makes it, as long as it shows
 * progress — output on stdout or stderr, or a change of `watch()` (e.g. folderState of the library it works in),
 * checked every second. After `stallMs` (STALL_MS) without either it is killed and the promise rejects with what it
 * printed so far.
 */
export function spawnWhileAdvancing(cmd: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; watch?: () => string; stallMs?: number; what?: string } = {}): Promise<ProcessRun> {
  const stallMs = o.stallMs ?? STALL_MS;
  const what = o.what ?? cmd.join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: o.cwd ?? REPO_ROOT, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    let lastChange = performance.now();
    let watched = o.watch?.() ?? '';
    const advanced = () => (lastChange = performance.now());
    child.stdout!.on('data', (d: Buffer) => ((stdout += d.toString()), advanced()));
    child.stderr!.on('data', (d: Buffer) => ((stderr += d.toString()), advanced()));
    const timer = setInterval(() => {
      const now = o.watch?.() ?? '';
      if (now !== watched) {
        watched = now;
        advanced();
      }
      if (performance.now() - lastChange >= stallMs) {
        clearInterval(timer);
        child.kill('SIGKILL');
        reject(new Error(`${what}: no output and no progress for ${(stallMs / 1000).toFixed(0)} s (the stall limit); killed. stdout:\n${stdout.slice(-2000)}\nstderr:\n${stderr.slice(-2000)}`));
      }
    }, 1000);
    child.once('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * runCli for commands that run jobs (bake, drive, export, make-avatar…), whose time grows with the machine's load: no
 * fixed deadline, the CLI's progress lines on stderr (and `watch`, e.g. folderState of the library) keep it going;
 * it fails after STALL_MS without any.
 */
export async function runCliWhileAdvancing(args: string[], env: NodeJS.ProcessEnv = {}, o: { wrap?: string[]; watch?: () => string; stallMs?: number } = {}): Promise<CliResult> {
  const cmd = [...(o.wrap ?? []), process.execPath, '--import', 'tsx', CLI_SOURCE, ...args];
  const r = await spawnWhileAdvancing(cmd, { env, watch: o.watch, stallMs: o.stallMs, what: `avatar-studio ${args.join(' ')}` });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, json: lastJsonLine(r.stdout) };
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI_SOURCE, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Wraps a command so it sees `dir` as a read-only mount (a user namespace; works as root, unlike chmod). */
export function readOnlyMountWrapper(dir: string): string[] | null {
  const probe = spawnSync('unshare', ['-rm', 'true']);
  if (probe.status !== 0) return null;
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return ['unshare', '-rm', 'sh', '-c', `mount --bind ${q(dir)} ${q(dir)} && mount -o remount,bind,ro ${q(dir)} && exec "$@"`, 'sh'];
}
