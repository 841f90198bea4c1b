import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';

/** Maps file-system failures to errors a user can act on; anything else is rethrown unchanged. */
export function toStudioFsError(err: unknown, what: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new StudioError('DISK_FULL', `The disk is full while ${what}. Free some space and try again; nothing was changed.`);
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM')
    return new StudioError('LIBRARY_READ_ONLY', `The studio is not allowed to write while ${what} (${code}). Check the folder's permissions or choose another library folder.`);
  return err;
}

/** Makes renames in `dir` durable (fsync of the directory); a no-op on Windows, where rename is already journaled. */
export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes `data` to `target` so that readers only ever see the old file or the complete new one: write a temp file
 * beside it, fsync, rename over the target, fsync the directory. A crash or a full disk leaves the old file intact.
 */
export function writeFileAtomic(target: string, data: Uint8Array | string): { sha256: string; size: number } {
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fd = fs.openSync(tmp, 'wx');
    try {
      let off = 0;
      while (off < bytes.byteLength) off += fs.writeSync(fd, bytes, off, bytes.byteLength - off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
    fsyncDir(dir);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw toStudioFsError(err, `writing ${path.basename(target)}`);
  }
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength };
}

/** Copies a file atomically (temp + rename) and returns the copy's hash and size. */
export function copyFileAtomic(source: string, target: string): { sha256: string; size: number } {
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    fs.copyFileSync(source, tmp);
    const fd = fs.openSync(tmp, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw toStudioFsError(err, `copying ${path.basename(source)}`);
  }
  return hashFile(target);
}

export function hashFile(file: string): { sha256: string; size: number } {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let size = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      size += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { sha256: hash.digest('hex'), size };
}
