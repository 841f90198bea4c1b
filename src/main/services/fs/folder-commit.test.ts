import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../testing/temp-dir';
import { JOB_TEST_TIMEOUT, STALL_MS } from '../../testing/job-wait';
import { REPO_ROOT } from '../../testing/run-cli';
import { Library } from '../library/library';
import { asideOf, commitFolder, recoverFolderCommits, type FolderCommitStep } from './folder-commit';
import { listing, RECORD_KEY, stageFolders } from './folder-commit-fixture';

const tempDir = useTempDirs();
const SCENARIO = path.join(REPO_ROOT, 'src/main/services/fs/folder-commit-scenario.ts');
const stage = stageFolders;
const recorded = (lib: Library) => lib.db.prepare('SELECT count(*) FROM settings WHERE key = ?').pluck().get(RECORD_KEY);
const recordRow = (lib: Library) => () => lib.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(RECORD_KEY, '"new"').changes;

// Some tests run a scenario in a child process (Node and tsx start-up, as slow as the machine's load makes it): no
// speed budget per test, STALL_MS ends a hung child (testing/job-wait.ts).
describe('commitFolder', { timeout: JOB_TEST_TIMEOUT }, () => {
  it('replaces the old folder once the record is written, and keeps nothing aside', () => {
    const lib = Library.open(path.join(tempDir(), 'lib'), { frontDoor: 'test' });
    const { final, partial } = stage(lib.dir);
    const seen: FolderCommitStep[] = [];
    const result = commitFolder({ partial, final, journal: lib.commits, record: recordRow(lib), afterStep: (s) => seen.push(s) });
    expect(result).toBe(1);
    expect(seen).toEqual(['begun', 'aside', 'swapped', 'recorded']);
    expect(listing(final)).toEqual(['new.txt']);
    expect(fs.existsSync(partial)).toBe(false);
    expect(listing(path.join(lib.dir, 'work'))).toEqual(['final']);
    expect(recorded(lib)).toBe(1);
    expect(lib.commits.pending()).toEqual([]);
    lib.close();
  });

  it('puts a new folder in place where there was none', () => {
    const dir = tempDir();
    const partial = path.join(dir, '.x.partial'), final = path.join(dir, 'x');
    fs.mkdirSync(partial);
    fs.writeFileSync(path.join(partial, 'a'), 'a');
    commitFolder({ partial, final });
    expect(listing(dir)).toEqual(['x']);
    expect(listing(final)).toEqual(['a']);
  });

  it('a failure in the database write: the old folder is back, the new output back in its partial folder, no row', () => {
    const lib = Library.open(path.join(tempDir(), 'lib'), { frontDoor: 'test' });
    const { final, partial } = stage(lib.dir);
    const failing = () => {
      recordRow(lib)();
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    expect(() => commitFolder({ partial, final, journal: lib.commits, record: failing })).toThrow(/disk is full/);
    expect(listing(final)).toEqual(['old.txt']);
    expect(listing(partial)).toEqual(['new.txt']);
    expect(fs.existsSync(asideOf(final))).toBe(false);
    expect(recorded(lib)).toBe(0);
    expect(lib.commits.pending()).toEqual([]);
    lib.close();
  });

  it('a rename that fails leaves the old folder where it was', () => {
    const dir = tempDir();
    const final = path.join(dir, 'final');
    fs.mkdirSync(final);
    fs.writeFileSync(path.join(final, 'old.txt'), 'old');
    expect(() => commitFolder({ partial: path.join(dir, 'missing.partial'), final })).toThrow(/Nothing to commit/);
    // The partial folder vanishes after the old one moved aside: its rename fails, and the old folder comes back.
    const gone = path.join(dir, 'gone');
    fs.mkdirSync(path.join(gone, 'p'), { recursive: true });
    expect(() =>
      commitFolder({
        partial: path.join(gone, 'p'),
        final,
        afterStep: (s) => {
          if (s === 'aside') fs.rmSync(gone, { recursive: true });
        },
      }),
    ).toThrow();
    expect(listing(final)).toEqual(['old.txt']);
    expect(fs.existsSync(asideOf(final))).toBe(false);
  });

  it('without a journal, an old folder left aside by a crash is put back (or dropped) by the next commit there', () => {
    const dir = tempDir();
    const final = path.join(dir, 'seq');
    fs.mkdirSync(asideOf(final));
    fs.writeFileSync(path.join(asideOf(final), 'old.txt'), 'old');
    const partial = path.join(dir, '.seq.partial');
    fs.mkdirSync(partial);
    fs.writeFileSync(path.join(partial, 'new.txt'), 'new');
    commitFolder({ partial, final });
    expect(listing(dir)).toEqual(['seq']);
    expect(listing(final)).toEqual(['new.txt']);
  });

  // A real crash: the child process kills itself (SIGKILL) right after each step; opening the library again settles it.
  for (const step of ['begun', 'aside', 'swapped', 'recorded'] as const) {
    it(`a crash after "${step}": the next open ${step === 'recorded' ? 'keeps the new folder and drops the old' : 'restores the old folder and the partial one'}`, () => {
      const dir = path.join(tempDir(), 'lib');
      const lib = Library.open(dir, { frontDoor: 'test' });
      const { final, partial } = stage(lib.dir);
      lib.close();
      const r = spawnSync(process.execPath, ['--import', 'tsx', SCENARIO, 'crash', dir, step], { cwd: REPO_ROOT, encoding: 'utf8', timeout: STALL_MS });
      expect(r.signal, r.stderr).toBe('SIGKILL');
      const again = Library.open(dir, { frontDoor: 'test' });
      expect(again.commits.pending()).toEqual([]);
      if (step === 'recorded') {
        expect(listing(final)).toEqual(['new.txt']);
        expect(fs.existsSync(partial)).toBe(false);
        expect(recorded(again)).toBe(1);
      } else {
        expect(listing(final)).toEqual(['old.txt']);
        expect(listing(partial)).toEqual(['new.txt']);
        expect(recorded(again)).toBe(0);
      }
      expect(fs.existsSync(asideOf(final))).toBe(false);
      again.close();
    });
  }

  it('recoverFolderCommits settles a commit whose rollback itself failed (the journal kept it)', () => {
    const lib = Library.open(path.join(tempDir(), 'lib'), { frontDoor: 'test' });
    const { final, partial } = stage(lib.dir);
    // As if the process had stopped after moving the old folder aside and the new one in, before recording.
    lib.commits.begin({ id: 'c1', partial, final, hadOld: true });
    fs.renameSync(final, asideOf(final));
    fs.renameSync(partial, final);
    expect(recoverFolderCommits(lib.commits)).toEqual({ rolledForward: 0, rolledBack: 1 });
    expect(listing(final)).toEqual(['old.txt']);
    expect(listing(partial)).toEqual(['new.txt']);
    expect(lib.commits.pending()).toEqual([]);
    lib.close();
  });

  it('a full disk during the record (a real full tmpfs, private mount namespace): the old folder is back', () => {
    const probe = spawnSync('unshare', ['-rm', 'true']);
    expect(probe.status, 'unshare (util-linux) is needed to mount a tiny tmpfs').toBe(0);
    const r = spawnSync('unshare', ['-rm', process.execPath, '--import', 'tsx', SCENARIO, 'disk-full', tempDir()], { cwd: REPO_ROOT, encoding: 'utf8', timeout: STALL_MS });
    expect(r.status, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(seen.error.code).toMatch(/SQLITE_FULL|ENOSPC/);
    expect(seen.final).toEqual(['old.txt']);
    expect(seen.partial).toEqual(['new.txt']);
    expect(seen.work).toEqual(['final', 'new.partial']);
    expect(seen.recorded).toBe(0);
    expect(seen.journal).toBe(0);
  });
});
