/**
 * Run by data-export.test.ts inside `unshare -rm` (a private mount namespace where this process is root): a folder
 * export (`writeExportFolder`) into a read-only tmpfs and into a nearly full one. Prints one JSON line: each error and
 * what the parent folder holds afterwards (no partial folder may be left).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import { writeExportFolder } from './write-export-folder';

const base = process.argv[2]!;
const ro = path.join(base, 'ro'), full = path.join(base, 'full');
fs.mkdirSync(ro, { recursive: true });
fs.mkdirSync(full, { recursive: true });
execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', full]);
fs.writeFileSync(path.join(full, 'filler.bin'), new Uint8Array(100 * 1024));
function* frames() {
  for (let i = 0; i < 8; i++) yield { name: `frame-${i}.obj`, bytes: new Uint8Array(40 * 1024).fill(i) };
}
const attempt = (dir: string) => {
  try {
    writeExportFolder(path.join(dir, 'mesh-obj'), frames());
    return { code: 'none', message: 'written', left: fs.readdirSync(dir).sort() };
  } catch (err) {
    return { code: err instanceof StudioError ? err.code : String(err), message: (err as Error).message, left: fs.readdirSync(dir).sort() };
  }
};
const result = { readOnly: attempt(ro), full: attempt(full) };
execFileSync('umount', [ro]);
execFileSync('umount', [full]);
process.stdout.write(`${JSON.stringify(result)}\n`);
