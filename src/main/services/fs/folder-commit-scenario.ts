/**
 * Run by folder-commit.test.ts in a child process. `crash LIB STEP`: opens the library, commits `work/new.partial` as
 * `work/final` recording one row, and kills itself (SIGKILL: nothing more runs) right after STEP. `disk-full BASE`:
 * inside `unshare -rm` (root in a private mount namespace), a library on a small tmpfs that is then filled, so the
 * record's transaction fails with SQLITE_FULL; prints one JSON line with the error and what the folders hold.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Library } from '../library/library';
import { commitFolder, type FolderCommitStep } from './folder-commit';
import { listing, RECORD_KEY, stageFolders } from './folder-commit-fixture';


const [mode, arg, step] = process.argv.slice(2);
if (mode === 'crash') {
  const lib = Library.open(arg!, { frontDoor: 'test' });
  commitFolder({
    partial: path.join(lib.dir, 'work', 'new.partial'),
    final: path.join(lib.dir, 'work', 'final'),
    journal: lib.commits,
    record: () => lib.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(RECORD_KEY, '"new"'),
    afterStep: (s: FolderCommitStep) => {
      if (s === step) process.kill(process.pid, 'SIGKILL');
    },
  });
  process.kill(process.pid, 'SIGKILL');
} else if (mode === 'disk-full') {
  const base = path.join(arg!, 'full');
  fs.mkdirSync(base, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', base]);
  let result: Record<string, unknown>;
  try {
    const lib = Library.open(path.join(base, 'lib'), { frontDoor: 'test' });
    const { final, partial } = stageFolders(lib.dir);
    // Leave about 64 KiB: the journal's small row fits, the record's 1 MiB does not.
    const free = () => {
      const s = fs.statfsSync(base);
      return s.bavail * s.bsize;
    };
    fs.writeFileSync(path.join(base, 'filler.bin'), new Uint8Array(Math.max(0, free() - 64 * 1024)));
    let error: { code: string; message: string } = { code: 'none', message: '' };
    try {
      commitFolder({ partial, final, journal: lib.commits, record: () => lib.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(RECORD_KEY, JSON.stringify('x'.repeat(1 << 20))) });
    } catch (err) {
      error = { code: String((err as { code?: string }).code), message: (err as Error).message };
    }
    result = {
      error,
      final: listing(final),
      partial: listing(partial),
      work: listing(path.join(lib.dir, 'work')),
      recorded: lib.db.prepare('SELECT count(*) FROM settings WHERE key = ?').pluck().get(RECORD_KEY),
      journal: lib.commits.pending().length,
    };
    lib.close();
  } finally {
    execFileSync('umount', ['-l', base]);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
