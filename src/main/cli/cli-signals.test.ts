import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { JOB_TEST_TIMEOUT, STALL_MS } from '../testing/job-wait';
import { REPO_ROOT, runCli } from '../testing/run-cli';
import { useTempDirs } from '../testing/temp-dir';
import { EXIT } from './exit-codes';

const tempDir = useTempDirs();
// Another wrapper to try the test on (e.g. an older bin/avatar-studio.js saved beside it, to see the test fail).
const BIN = process.env.AVATAR_STUDIO_SIGNAL_TEST_BIN ?? path.join(REPO_ROOT, 'bin/avatar-studio.js');

/** Processes of this test: their command line names the test's library, or their environment carries its marker (the job worker's names neither). */
function processesOf(lib: string, marker: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // ended, not yet reaped
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const env = fs.readFileSync(`/proc/${name}/environ`, 'utf8');
      if (cmd.includes(lib) || env.includes(marker)) found.push({ pid: Number(name), cmd: cmd.trim() });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** The library's jobs, read without taking its lock. */
function jobRows(lib: string): { id: string; status: string; progress: { done?: number } }[] {
  const file = path.join(lib, 'library.sqlite');
  if (!fs.existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    return (db.prepare('SELECT id, status, progress FROM jobs').all() as { id: string; status: string; progress: string }[]).map((r) => ({ ...r, progress: JSON.parse(r.progress) }));
  } finally {
    db.close();
  }
}

/**
 * Polls `probe` until it returns something, with no fixed deadline: `state()` (the jobs' rows, the processes left…)
 * is the progress, and the wait fails only when it stayed the same for STALL_MS (testing/job-wait.ts).
 */
async function until<T>(what: string, probe: () => T | null | undefined | false, state: () => string): Promise<T> {
  let last = '';
  let since = Date.now();
  for (;;) {
    let v: T | null | undefined | false = null;
    try {
      v = probe();
    } catch {
      v = null; // e.g. the database is being written: try again
    }
    if (v) return v;
    let now = '';
    try {
      now = state();
    } catch {
      now = last;
    }
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since > STALL_MS) throw new Error(`nothing changed for ${STALL_MS / 1000} s while waiting for ${what}: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let leftovers: (() => void) | null = null;
afterEach(() => {
  // Whatever the outcome, nothing this test started outlives it.
  leftovers?.();
  leftovers = null;
});

// POSIX signals, and /proc to see which processes are left.
describe.skipIf(process.platform !== 'linux')('avatar-studio and signals', () => {
  it('SIGTERM to `avatar-studio` (running the sources) stops the CLI and its job worker, releases the library and leaves the job interrupted and resumable', async () => {
    const lib = tempDir();
    const marker = `signal-test-${randomUUID()}`;
    const src = runCli(['--library', lib, '--json', 'projects', 'create', 'Big']).json.project;
    const folder = path.join(lib, 'projects', src.id);
    // 400 files at 250 ms each: the copy takes 100 s or more, so processes that end with the job interrupted (checked
    // below) were stopped by the signal, not by the copy's end.
    for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(folder, `f${i}.bin`), Buffer.alloc(1024, i));

    const cli: ChildProcess = spawn(process.execPath, [BIN, '--library', lib, 'projects', 'duplicate', 'Big', '--name', 'Big copy'], {
      cwd: REPO_ROOT,
      env: { ...process.env, AVATAR_STUDIO_FROM_SOURCE: '1', AVATAR_STUDIO_TEST_JOB_DELAY_MS: '250', AVATAR_STUDIO_SIGNAL_TEST_MARKER: marker },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    leftovers = () => {
      for (const p of processesOf(lib, marker)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    let stderr = '';
    cli.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    cli.stdout!.resume();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => cli.once('exit', (code, signal) => resolve({ code, signal })));

    // The job is running once its worker has copied a file; then the wrapper, the CLI it runs and the worker are all up.
    const job = await until('the duplicate job to copy its first file', () => jobRows(lib).find((j) => j.status === 'running' && (j.progress.done ?? 0) >= 1), () => `${JSON.stringify(jobRows(lib))} ${stderr}`);
    const before = processesOf(lib, marker);
    expect(before.map((p) => p.pid)).toContain(cli.pid);
    expect(before.length, `the wrapper, the CLI from the sources and the job worker: ${JSON.stringify(before)}`).toBeGreaterThanOrEqual(3);

    cli.kill('SIGTERM');

    const ended = await until('every process of this CLI run to end', () => processesOf(lib, marker).length === 0, () => JSON.stringify(processesOf(lib, marker)));
    expect(ended).toBe(true);
    const exit = await exited;
    expect(exit.code !== 0, `exit ${JSON.stringify(exit)}`).toBe(true);
    expect(stderr).toMatch(/SIGTERM/);
    expect(stderr).toContain(`is left interrupted; resume it with: avatar-studio jobs resume ${job.id}`);

    // The lock is released, not merely left to be taken over from a dead holder.
    expect(fs.existsSync(path.join(lib, 'library.lock'))).toBe(false);
    const row = jobRows(lib).find((j) => j.id === job.id)!;
    expect(row.status).toBe('interrupted');
    expect(runCli(['--library', lib, '--json', 'projects', 'list']).json.projects.map((p: { name: string }) => p.name)).toEqual(['Big']);

    // Resumable: `jobs resume` (without the test delay) finishes the copy.
    const resumed = runCli(['--library', lib, '--json', 'jobs', 'resume', job.id]);
    expect(resumed.code, resumed.stderr).toBe(EXIT.ok);
    expect(resumed.json.job.status).toBe('completed');
    expect(runCli(['--library', lib, '--json', 'projects', 'list']).json.projects.map((p: { name: string }) => p.name).sort()).toEqual(['Big', 'Big copy']);
  }, JOB_TEST_TIMEOUT);
});
