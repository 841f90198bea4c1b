import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_SOURCE = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

/** Runs the CLI from its TypeScript sources in a child process, as a user would run `avatar-studio`. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, wrap: string[] = []): CliResult {
  const cmd = [...wrap, process.execPath, '--import', 'tsx', CLI_SOURCE, ...args];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  let json: any = null;
  try {
    json = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '');
  } catch {
    json = null;
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json };
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
