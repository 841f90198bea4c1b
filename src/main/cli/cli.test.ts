import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { writeAvatarBundle } from '@engine/export/avatar-bundle';
import { fixtureBundleInput } from '@engine/export/avatar-bundle-fixture';
import { LATEST_SCHEMA_VERSION } from '../services/library/migrations';
import { JOB_TEST_TIMEOUT, STALL_MS } from '../testing/job-wait';
import { readOnlyMountWrapper, REPO_ROOT, runCli, spawnCli } from '../testing/run-cli';
import { useTempDirs } from '../testing/temp-dir';
import { EXIT } from './exit-codes';
import { makeVideo } from '../testing/media-fixtures';

const tempDir = useTempDirs();

/** The first match of `re` in what the child prints; STALL_MS (a busy machine starts Node and tsx slowly) ends a hang. */
function waitForLine(child: ReturnType<typeof spawnCli>, stream: 'stdout' | 'stderr', re: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`nothing matched ${re} for ${STALL_MS / 1000} s; got: ${buf}`)), STALL_MS);
    child[stream]!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
  });
}

// Each test runs the CLI from its sources several times (Node and tsx start-up, jobs): as slow as the machine's load
// makes them, so no speed budget per test (testing/job-wait.ts).
describe('avatar-studio CLI', { timeout: JOB_TEST_TIMEOUT }, () => {
  it('creates and lists projects, printing one JSON object with --json', () => {
    const lib = tempDir();
    const created = runCli(['--library', lib, '--json', 'projects', 'create', 'Head one']);
    expect(created.code).toBe(0);
    expect(created.json.project).toMatchObject({ name: 'Head one', trashedAt: null });
    const listed = runCli(['--library', lib, '--json', 'projects', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n')).toHaveLength(1);
    expect(listed.json.projects.map((p: { name: string }) => p.name)).toEqual(['Head one']);
    const human = runCli(['--library', lib, 'projects', 'list']);
    expect(human.stdout).toMatch(/Head one/);
  });

  it('works from any working directory: the `avatar-studio` command and a job it starts (the worker finds its loader and paths)', () => {
    const lib = tempDir(), elsewhere = tempDir();
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/avatar-studio.js'), '--library', lib, '--json', ...args], { cwd: elsewhere, encoding: 'utf8', timeout: STALL_MS });
    const created = cli('projects', 'create', 'Anywhere');
    expect(created.status, created.stderr).toBe(EXIT.ok);
    const copied = cli('projects', 'duplicate', 'Anywhere');
    expect(copied.status, copied.stderr).toBe(EXIT.ok);
    const listed = JSON.parse(cli('projects', 'list').stdout.trim().split('\n').at(-1)!) as { projects: { name: string }[] };
    expect(listed.projects.map((p) => p.name).sort()).toHaveLength(2);
  });

  it('imports footage with `import PROJECT FILE`, printing {capture, frames, …} with --json', () => {
    const lib = tempDir();
    const video = makeVideo(tempDir('media-'), 'take1.mp4', { size: '320x240', seconds: 1 });
    runCli(['--library', lib, 'projects', 'create', 'Takes']);
    const r = runCli(['--library', lib, '--json', 'import', 'Takes', video, '--fps', '10']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ frames: 10, cameras: 1, capture: { name: 'take1', kind: 'video', fps: 10 } });
    expect(r.stderr).toMatch(/Import “take1\.mp4”/);
    const again = runCli(['--library', lib, '--json', 'import', 'Takes', video]);
    expect(again.code).toBe(EXIT.conflict);
    expect(again.json.error.code).toBe('CONFLICT');
    const bad = runCli(['--library', lib, '--json', 'import', 'Takes', '/nonexistent/clip.mp4']);
    expect(bad.code).toBe(EXIT.notFound);
  });

  it('exits with meaningful codes and explains the problem', () => {
    const lib = tempDir();
    const missing = runCli(['--library', lib, '--json', 'projects', 'rename', 'Nobody', 'x']);
    expect(missing.code).toBe(EXIT.notFound);
    expect(missing.json.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(missing.stderr).toMatch(/No project named/);

    expect(runCli(['--library', lib, 'projects', 'frobnicate']).code).toBe(EXIT.usage);
    const empty = runCli(['--library', lib, '--json', 'projects', 'create', '  ']);
    expect(empty.code).toBe(EXIT.usage);
    expect(empty.json.error.code).toBe('BAD_REQUEST');
    expect(runCli(['--library', lib, '--json', 'projects', 'empty-trash']).code).toBe(EXIT.conflict);
  });

  it('import-avatar --project takes a project id or its exact name; an ambiguous name is refused with the ids, an unknown one says how to list projects', () => {
    const lib = tempDir();
    const file = path.join(tempDir('bundle-'), 'head.avatar');
    fs.writeFileSync(file, writeAvatarBundle(fixtureBundleInput({ gaussians: 40, frames: 2 })));
    const anna = runCli(['--library', lib, '--json', 'projects', 'create', 'Anna']).json.project;

    const byName = runCli(['--library', lib, '--json', 'import-avatar', file, '--project', 'Anna']);
    expect(byName.code, byName.stderr).toBe(EXIT.ok);
    expect(byName.json.avatar).toMatchObject({ projectId: anna.id, name: 'Fixture head' });
    const byId = runCli(['--library', lib, 'import-avatar', file, '--project', anna.id, '--name', 'Second']);
    expect(byId.code, byId.stderr).toBe(EXIT.ok);
    expect(byId.stdout).toMatch(/Imported Second as avatar [0-9a-f]{32} .* into “Anna”/);

    const unknown = runCli(['--library', lib, '--json', 'import-avatar', file, '--project', 'Nobody']);
    expect(unknown.code).toBe(EXIT.notFound);
    expect(unknown.json.error.message).toMatch(/No project named “Nobody”\. List them with: avatar-studio projects list/);

    const twins = [1, 2].map(() => runCli(['--library', lib, '--json', 'projects', 'create', 'Twin']).json.project.id as string);
    const ambiguous = runCli(['--library', lib, '--json', 'import-avatar', file, '--project', 'Twin']);
    expect(ambiguous.code).toBe(EXIT.conflict);
    expect(ambiguous.json.error.message).toMatch(/Several projects are named “Twin”/);
    for (const id of twins) expect(ambiguous.json.error.message).toContain(id);

    const listed = runCli(['--library', lib, '--json', 'avatars', 'list', 'Anna']).json.avatars.map((a: { name: string }) => a.name).sort();
    expect(listed).toEqual(['Fixture head', 'Second']);
  });

  it('refuses a library from a newer studio without touching it', () => {
    const lib = tempDir();
    runCli(['--library', lib, 'projects', 'create', 'x']);
    const db = new Database(path.join(lib, 'library.sqlite'));
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    const r = runCli(['--library', lib, '--json', 'projects', 'list']);
    expect(r.code).toBe(EXIT.libraryUnavailable);
    expect(r.json.error.code).toBe('LIBRARY_TOO_NEW');
  });

  it('opens a read-only library folder for viewing and refuses changes with the reason', () => {
    const lib = tempDir();
    runCli(['--library', lib, 'projects', 'create', 'Frozen']);
    const wrap = readOnlyMountWrapper(lib);
    expect(wrap, 'unshare is needed to mount a read-only folder as root (util-linux)').not.toBeNull();
    const list = runCli(['--library', lib, '--json', 'projects', 'list'], {}, wrap!);
    expect(list.code).toBe(0);
    expect(list.json.projects.map((p: { name: string }) => p.name)).toEqual(['Frozen']);
    const create = runCli(['--library', lib, '--json', 'projects', 'create', 'New'], {}, wrap!);
    expect(create.code).toBe(EXIT.readOnly);
    expect(create.json.error.message).toMatch(/cannot be written/);
    const missing = runCli(['--library', path.join(lib, 'sub'), '--json', 'projects', 'list'], {}, wrap!);
    expect(missing.code).toBe(EXIT.libraryUnavailable);
  });

  it('while web mode holds the library, the CLI works through it instead of writing beside it', async () => {
    const lib = tempDir();
    const server = spawnCli(['--library', lib, 'serve', '--port', '0']);
    try {
      await waitForLine(server, 'stdout', /Open http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/);
      const lockFile = path.join(lib, 'library.lock');
      expect(fs.statSync(lockFile).mode & 0o077).toBe(0); // the lock carries the token: owner-only
      const create = runCli(['--library', lib, '--json', 'projects', 'create', 'Through the studio']);
      expect(create.code).toBe(0);
      const dup = runCli(['--library', lib, '--json', 'projects', 'duplicate', 'Through the studio']);
      expect(dup.code).toBe(0);
      expect(dup.json.job.status).toBe('completed');
      const list = runCli(['--library', lib, '--json', 'projects', 'list']);
      expect(list.json.projects.map((p: { name: string }) => p.name).sort()).toEqual(['Through the studio', 'Through the studio copy']);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    expect(fs.existsSync(path.join(lib, 'library.lock'))).toBe(false);
    expect(runCli(['--library', lib, '--json', 'projects', 'list']).json.projects).toHaveLength(2);
  });

  it('a studio killed mid-job leaves an interrupted job that `jobs resume` completes', async () => {
    const lib = tempDir();
    const src = runCli(['--library', lib, '--json', 'projects', 'create', 'Big']).json.project;
    const folder = path.join(lib, 'projects', src.id);
    for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(folder, `f${i}.bin`), Buffer.alloc(4096, i));
    const child = spawnCli(['--library', lib, 'projects', 'duplicate', 'Big', '--name', 'Big copy'], { AVATAR_STUDIO_TEST_JOB_DELAY_MS: '150' });
    await waitForLine(child, 'stderr', /Copying files \d+\/30/);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const jobs = runCli(['--library', lib, '--json', 'jobs', 'list']).json.jobs;
    expect(jobs).toHaveLength(1);
    expect(jobs[0].status).toBe('interrupted');
    expect(runCli(['--library', lib, '--json', 'projects', 'list']).json.projects.map((p: { name: string }) => p.name)).toEqual(['Big']);

    const resumed = runCli(['--library', lib, '--json', 'jobs', 'resume', jobs[0].id]);
    expect(resumed.code).toBe(0);
    expect(resumed.json.job.status).toBe('completed');
    const names = runCli(['--library', lib, '--json', 'projects', 'list']).json.projects.map((p: { name: string }) => p.name).sort();
    expect(names).toEqual(['Big', 'Big copy']);
  });
});
