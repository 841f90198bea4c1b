import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StudioError } from '@shared/api/errors';
import { useTempDirs } from '../../testing/temp-dir';
import { ProjectsRepo } from '../projects/projects-repo';
import { capturePartialDir } from '../capture/import-capture.worker';
import { trackingPartialDir } from '../tracking/tracking-paths';
import { avatarPartialDir } from '../training/training-types';
import { bakePartialDir } from '../bake/bake-paths';
import { writeFileAtomic } from '../fs/atomic-write';
import { DB_FILE, Library } from './library';
import { LATEST_SCHEMA_VERSION, migrate } from './migrations';

const tempDir = useTempDirs();

function schemaDump(db: Database.Database): string[] {
  return (db.prepare(`SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all() as { sql: string | null }[]).map(
    (r) => (r.sql ?? '').replace(/\s+/g, ' '),
  );
}

function expectStudioError(fn: () => unknown, code: string): StudioError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    expect((e as StudioError).code).toBe(code);
    return e as StudioError;
  }
  throw new Error(`expected a ${code} error`);
}

describe('Library.open', () => {
  it('creates a library with WAL, foreign keys and the latest schema', () => {
    const dir = path.join(tempDir(), 'lib');
    const lib = Library.open(dir, { frontDoor: 'test' });
    expect(lib.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(lib.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(lib.info()).toMatchObject({ path: dir, schemaVersion: LATEST_SCHEMA_VERSION, readOnly: false, readOnlyReason: null });
    for (const table of ['projects', 'captures', 'frames', 'tracks', 'avatars', 'training_runs', 'training_metrics', 'texture_layers', 'exports', 'jobs', 'blobs']) {
      expect(lib.db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(table), table).toBeTruthy();
    }
    lib.close();
  });

  it('migrates a version-1 database forward, keeping its rows and backing it up first', () => {
    const dir = tempDir();
    const old = new Database(path.join(dir, DB_FILE));
    migrate(old, 1);
    old.prepare(`INSERT INTO projects (id, name, folder, created_at, updated_at) VALUES (?, 'Old head', ?, 1, 2)`).run('a'.repeat(32), `projects/${'a'.repeat(32)}`);
    old.prepare(`INSERT INTO settings (key, value) VALUES ('theme', '"dark"')`).run();
    old.close();

    const lib = Library.open(dir);
    expect(lib.info().schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    const projects = new ProjectsRepo(lib).list();
    expect(projects.map((p) => p.name)).toEqual(['Old head']);
    expect(projects[0]!.thumbnail).toBeNull();
    expect(fs.existsSync(path.join(dir, 'library.v1.backup.sqlite'))).toBe(true);

    const fresh = Library.open(tempDir());
    expect(schemaDump(lib.db)).toEqual(schemaDump(fresh.db));
    fresh.close();
    lib.close();
  });

  it('refuses a database from a newer studio and leaves it untouched', () => {
    const dir = tempDir();
    Library.open(dir).close();
    const file = path.join(dir, DB_FILE);
    const db = new Database(file);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 7}`);
    db.pragma('journal_mode = DELETE');
    db.close();
    const before = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const err = expectStudioError(() => Library.open(dir), 'LIBRARY_TOO_NEW');
    expect(err.message).toMatch(/newer Avatar Studio/);
    expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(before);
    expect(new Database(file, { readonly: true }).pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION + 7);
  });

  it('explains a missing folder, a file in place of a folder, and a folder that is not a library', () => {
    const dir = tempDir();
    expectStudioError(() => Library.open(path.join(dir, 'missing'), { create: false }), 'LIBRARY_UNAVAILABLE');
    fs.writeFileSync(path.join(dir, 'afile'), 'x');
    expect(expectStudioError(() => Library.open(path.join(dir, 'afile')), 'LIBRARY_UNAVAILABLE').message).toMatch(/is a file/);
    expect(expectStudioError(() => Library.open(dir, { create: false }), 'LIBRARY_UNAVAILABLE').message).toMatch(/not an Avatar Studio library/);
  });

  it('gives a second instance a read-only view with the reason, and refuses its writes', () => {
    const dir = tempDir();
    const first = Library.open(dir, { frontDoor: 'web' });
    new ProjectsRepo(first).create('Shared');
    const second = Library.open(dir, { frontDoor: 'cli' });
    expect(second.readOnly).toBe(true);
    expect(second.readOnlyReason).toMatch(/in use by a web-mode studio/);
    const repo = new ProjectsRepo(second);
    expect(repo.list().map((p) => p.name)).toEqual(['Shared']);
    expectStudioError(() => repo.create('Nope'), 'LIBRARY_READ_ONLY');
    second.close();
    first.close();
    const third = Library.open(dir);
    expect(third.readOnly).toBe(false);
    third.close();
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const dir = tempDir();
    Library.open(dir).close();
    fs.writeFileSync(path.join(dir, 'library.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, hostname: (require('node:os') as typeof import('node:os')).hostname(), frontDoor: 'web', since: 0 }));
    const lib = Library.open(dir);
    expect(lib.readOnly).toBe(false);
    lib.close();
  });
});

describe('projects', () => {
  it('creates, renames, searches, trashes and restores, moving the folder with it', () => {
    const lib = Library.open(tempDir());
    const repo = new ProjectsRepo(lib);
    const a = repo.create('Anna');
    repo.create('Bob_1');
    expect(fs.existsSync(path.join(lib.dir, 'projects', a.id))).toBe(true);
    expect(repo.rename(a.id, 'Anna final').name).toBe('Anna final');
    expect(repo.list({ query: 'final' }).map((p) => p.name)).toEqual(['Anna final']);
    expect(repo.list({ query: '_' }).map((p) => p.name)).toEqual(['Bob_1']);
    expect(repo.list({ query: '%' })).toEqual([]);
    repo.trash(a.id);
    expect(fs.existsSync(path.join(lib.dir, 'trash', a.id))).toBe(true);
    expect(repo.list().map((p) => p.name)).toEqual(['Bob_1']);
    expect(repo.list({ trashed: true }).map((p) => p.name)).toEqual(['Anna final']);
    repo.restore(a.id);
    expect(fs.existsSync(path.join(lib.dir, 'projects', a.id))).toBe(true);
    expect(repo.get(a.id).trashedAt).toBeNull();
    expectStudioError(() => repo.get('f'.repeat(32)), 'NOT_FOUND');
    lib.close();
  });

  it('repairs a folder move that a crash separated from its database update', () => {
    const dir = tempDir();
    let lib = Library.open(dir);
    const p = new ProjectsRepo(lib).create('Crashy');
    lib.close();
    fs.renameSync(path.join(dir, 'projects', p.id), path.join(dir, 'trash', p.id)); // the rename happened, the UPDATE did not
    lib = Library.open(dir);
    const repaired = new ProjectsRepo(lib).get(p.id);
    expect(repaired.trashedAt).not.toBeNull();
    lib.close();
  });
});

describe('partial job output inside projects', () => {
  const id = (c: string) => c.repeat(32);
  function addJob(lib: Library, kind: string, projectId: string, status: string, params: Record<string, unknown>, error: object | null = null): void {
    lib.db
      .prepare(`INSERT INTO jobs (id, kind, title, project_id, status, params, progress, checkpoint, error, created_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`)
      .run(randomId(), kind, kind, projectId, status, JSON.stringify({ projectId, ...params }), JSON.stringify({ fraction: 0.4, stage: 'x', etaSeconds: null }), JSON.stringify({ camera: 0, framesDone: 10 }), error ? JSON.stringify(error) : null, Date.now());
  }
  let n = 0;
  const randomId = () => (++n).toString(16).padStart(32, '0');
  function makeFolder(root: string, rel: string): void {
    fs.mkdirSync(path.join(root, rel), { recursive: true });
    fs.writeFileSync(path.join(root, rel, 'frame.jpg'), 'x');
  }

  it('removes partial folders no resumable job can continue from, and keeps the ones a resumable job needs', () => {
    const dir = tempDir();
    let lib = Library.open(dir);
    const projects = new ProjectsRepo(lib);
    const p = projects.create('Leftovers');
    const trashed = projects.create('Trashed');
    const root = projects.folderOf(p.id);
    const kept = [
      capturePartialDir(id('a')), // interrupted import: resumes from its checkpointed frames
      capturePartialDir(id('b')), // failed on a crash (INTERNAL): resumable
      capturePartialDir(id('c')), // still 'running' in a library whose studio died: becomes interrupted
      capturePartialDir(id('d')), // failed on a full disk before the runner could discard: resumable
      avatarPartialDir(id('e')), // paused training: continues from checkpoint.bin
      avatarPartialDir(id('f')), // training interrupted by a lost GPU
      trackingPartialDir(id('a')), // tracking still running (the library re-opened in the same process)
    ];
    const removed = [
      capturePartialDir(id('1')), // import refused (not a video): no Resume
      capturePartialDir(id('2')), // import refused at commit (duplicate, details.final): no Resume
      capturePartialDir(id('3')), // no job at all (dismissed, or the row is gone)
      capturePartialDir(id('4')), // cancelled: a resume starts afresh
      capturePartialDir(id('5')), // completed job (its folder was renamed; a stale copy)
      trackingPartialDir(id('6')), // tracking always starts afresh, even when resumed
      trackingPartialDir(id('7')),
      avatarPartialDir(id('8')), // training refused its input
      avatarPartialDir(id('9')), // texture.apply rewrites its partial folder from scratch on resume
      bakePartialDir(id('9')), // so does a bake
    ];
    for (const rel of [...kept, ...removed]) makeFolder(root, rel);
    makeFolder(root, `captures/${id('6')}/frames`); // the committed capture around a leftover tracking.partial
    addJob(lib, 'capture.import', p.id, 'interrupted', { captureId: id('a') });
    addJob(lib, 'capture.import', p.id, 'failed', { captureId: id('b') }, { code: 'INTERNAL', message: 'crashed' });
    addJob(lib, 'capture.import', p.id, 'running', { captureId: id('c') });
    addJob(lib, 'capture.import', p.id, 'failed', { captureId: id('d') }, { code: 'DISK_FULL', message: 'full' });
    addJob(lib, 'avatar.train', p.id, 'paused', { captureId: id('6'), avatarId: id('e') });
    addJob(lib, 'avatar.train', p.id, 'interrupted', { captureId: id('6'), avatarId: id('f') }, { code: 'GPU_UNAVAILABLE', message: 'lost', details: { interrupted: true } });
    addJob(lib, 'capture.import', p.id, 'failed', { captureId: id('1') }, { code: 'BAD_REQUEST', message: 'not a video' });
    addJob(lib, 'capture.import', p.id, 'failed', { captureId: id('2') }, { code: 'CONFLICT', message: 'already there', details: { final: true } });
    addJob(lib, 'capture.import', p.id, 'cancelled', { captureId: id('4') });
    addJob(lib, 'capture.import', p.id, 'completed', { captureId: id('5') });
    addJob(lib, 'capture.track', p.id, 'interrupted', { captureId: id('6') });
    addJob(lib, 'capture.track', p.id, 'running', { captureId: id('a') });
    addJob(lib, 'avatar.train', p.id, 'failed', { captureId: id('6'), avatarId: id('8') }, { code: 'BAD_REQUEST', message: 'too few frames' });
    addJob(lib, 'texture.apply', p.id, 'interrupted', { avatarId: id('e'), newAvatarId: id('9') });
    addJob(lib, 'avatar.bake', p.id, 'interrupted', { avatarId: id('9') });
    // The same rule in a trashed project's folder.
    projects.trash(trashed.id);
    const trashedRoot = projects.folderOf(trashed.id);
    makeFolder(trashedRoot, capturePartialDir(id('a')));
    makeFolder(trashedRoot, capturePartialDir(id('b')));
    addJob(lib, 'capture.import', trashed.id, 'interrupted', { captureId: id('b') });
    lib.close();

    lib = Library.open(dir);
    for (const rel of kept) expect(fs.existsSync(path.join(root, rel)), `${rel} is kept`).toBe(true);
    for (const rel of removed) expect(fs.existsSync(path.join(root, rel)), `${rel} is removed`).toBe(false);
    expect(fs.existsSync(path.join(root, `captures/${id('6')}/frames/frame.jpg`))).toBe(true);
    expect(fs.existsSync(path.join(trashedRoot, capturePartialDir(id('a'))))).toBe(false);
    expect(fs.existsSync(path.join(trashedRoot, capturePartialDir(id('b'))))).toBe(true);
    lib.close();
  });

  it('a read-only view leaves them alone', () => {
    const dir = tempDir();
    const lib = Library.open(dir);
    const projects = new ProjectsRepo(lib);
    const root = projects.folderOf(projects.create('Busy').id);
    const leftover = path.join(root, capturePartialDir(id('1')));
    makeFolder(root, capturePartialDir(id('1')));
    const second = Library.open(dir);
    expect(second.readOnly).toBe(true);
    second.close();
    expect(fs.existsSync(leftover)).toBe(true);
    lib.close();
  });
});

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves no temporary file behind, even when the write fails', () => {
    const dir = tempDir();
    const target = path.join(dir, 'a', 'b.json');
    const { sha256, size } = writeFileAtomic(target, '{"v":1}');
    expect(size).toBe(7);
    expect(sha256).toBe(createHash('sha256').update('{"v":1}').digest('hex'));
    writeFileAtomic(target, '{"v":2}');
    expect(fs.readFileSync(target, 'utf8')).toBe('{"v":2}');
    fs.mkdirSync(path.join(dir, 'a', 'dir-in-the-way'));
    expect(() => writeFileAtomic(path.join(dir, 'a', 'dir-in-the-way'), 'x')).toThrow();
    expect(fs.readdirSync(path.join(dir, 'a')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
