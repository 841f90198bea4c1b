/**
 * For the write-refusal scenarios, which tests run inside `unshare -rm` (a private mount namespace where the process
 * is root): a read-only tmpfs and a nearly full one, and what an attempt to write into either left behind.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';

/** `base/ro` (read-only) and `base/full` (256 KiB, `fillerBytes` of it taken). */
export function mountRefusingFolders(base: string, fillerBytes: number): { ro: string; full: string; unmount(): void } {
  const ro = path.join(base, 'ro'), full = path.join(base, 'full');
  fs.mkdirSync(ro, { recursive: true });
  fs.mkdirSync(full, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', full]);
  fs.writeFileSync(path.join(full, 'filler.bin'), new Uint8Array(fillerBytes));
  return {
    ro,
    full,
    unmount() {
      execFileSync('umount', [ro]);
      execFileSync('umount', [full]);
    },
  };
}

/** Runs `write` into `dir`: the error's code and message (or 'none'), and the folder's entries afterwards. */
export async function attemptWrite(dir: string, write: () => unknown, onError?: () => Promise<void> | void): Promise<{ code: string; message: string; left: string[] }> {
  try {
    await write();
    return { code: 'none', message: 'written', left: fs.readdirSync(dir).sort() };
  } catch (err) {
    await onError?.();
    return { code: err instanceof StudioError ? err.code : String(err), message: (err as Error).message, left: fs.readdirSync(dir).sort() };
  }
}
