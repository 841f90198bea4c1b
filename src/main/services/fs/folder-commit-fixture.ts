/** Test support for folder-commit.test.ts and its child-process scenario: the folders a commit test stages. */
import fs from 'node:fs';
import path from 'node:path';

/** The settings key the test commits record as their row. */
export const RECORD_KEY = 'test:folder-commit-recorded';

/** `work/final` (old.txt) and `work/new.partial` (new.txt) in a library folder. */
export function stageFolders(dir: string): { final: string; partial: string } {
  const final = path.join(dir, 'work', 'final'), partial = path.join(dir, 'work', 'new.partial');
  fs.mkdirSync(final, { recursive: true });
  fs.mkdirSync(partial, { recursive: true });
  fs.writeFileSync(path.join(final, 'old.txt'), 'old');
  fs.writeFileSync(path.join(partial, 'new.txt'), 'new');
  return { final, partial };
}

/** A folder's entries, sorted; null when it does not exist. */
export const listing = (dir: string): string[] | null => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : null);
