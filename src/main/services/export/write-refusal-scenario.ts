/**
 * Run by export-job.test.ts inside `unshare -rm` (a private mount namespace where this process is root): export
 * writes into a read-only tmpfs and into a nearly full one. Prints one JSON line: each error and what the folder holds
 * afterwards.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import { writeExportFile } from './write-export';

const base = process.argv[2]!;
const ro = path.join(base, 'ro'), full = path.join(base, 'full');
fs.mkdirSync(ro, { recursive: true });
fs.mkdirSync(full, { recursive: true });
execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', full]);
fs.writeFileSync(path.join(full, 'filler.bin'), new Uint8Array(200 * 1024));
const attempt = (dir: string) => {
  try {
    writeExportFile(path.join(dir, 'avatar.ply'), new Uint8Array(300 * 1024).fill(7));
    return { code: 'none', message: 'written', left: fs.readdirSync(dir) };
  } catch (err) {
    return { code: err instanceof StudioError ? err.code : String(err), message: (err as Error).message, left: fs.readdirSync(dir).sort() };
  }
};
const result = { readOnly: attempt(ro), full: attempt(full) };
execFileSync('umount', [ro]);
execFileSync('umount', [full]);
process.stdout.write(`${JSON.stringify(result)}\n`);
