import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import { writeFileAtomic } from '../fs/atomic-write';

/**
 * Writes an export file atomically (temp beside it + rename, `writeFileAtomic`): a read-only or full location gets a
 * StudioError that names the folder, and no partial file (nor temp file) is left behind.
 */
export function writeExportFile(target: string, bytes: Uint8Array): { sha256: string; size: number } {
  const dir = path.dirname(target);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw exportRefusal(err, dir);
  }
  try {
    return writeFileAtomic(target, bytes);
  } catch (err) {
    throw exportRefusal(err, dir);
  }
}

/** A file-system failure while exporting into `dir` → the export's read-only / disk-full message (else unchanged). */
export function exportRefusal(err: unknown, dir: string): unknown {
  const code = err instanceof StudioError ? err.code : (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'DISK_FULL' || code === 'ENOSPC' || code === 'EDQUOT')
    return new StudioError('DISK_FULL', `The disk holding ${dir} is full: the export was not written (no partial file is left). Free some space or choose another location.`);
  if (code === 'LIBRARY_READ_ONLY' || code === 'EROFS' || code === 'EACCES' || code === 'EPERM')
    return new StudioError('LIBRARY_READ_ONLY', `The folder ${dir} is read-only: the export was not written. Choose another location.`);
  return err;
}
