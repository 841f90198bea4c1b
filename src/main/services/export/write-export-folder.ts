import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write';
import { commitFolder } from '../fs/folder-commit';
import { exportRefusal } from './write-export';

/**
 * Writes a folder export atomically: every file (`writeFileAtomic`) into a hidden temp folder beside the target,
 * then `commitFolder` puts the temp folder in place (an older folder there is moved aside first and removed after). A
 * read-only or full location, a cancel or any error removes the temp folder, so no partial folder is left, and an
 * older export at the target stays as it was. Files come from a generator so a long sequence is never all in memory.
 * Returns the total size and a sha256 over the files' names and hashes.
 */
export function writeExportFolder(target: string, files: Iterable<{ name: string; bytes: Uint8Array }>): { sha256: string; size: number; files: number } {
  const parent = path.dirname(target);
  const tmp = path.join(parent, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    fs.mkdirSync(parent, { recursive: true });
    fs.mkdirSync(tmp);
  } catch (err) {
    throw exportRefusal(err, parent);
  }
  const digest = createHash('sha256');
  let size = 0, count = 0;
  try {
    for (const f of files) {
      const w = writeFileAtomic(path.join(tmp, f.name), f.bytes);
      digest.update(`${f.name}\u0000${w.sha256}\n`);
      size += w.size;
      count++;
    }
    commitFolder({ partial: tmp, final: target });
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw exportRefusal(err, parent);
  }
  return { sha256: digest.digest('hex'), size, files: count };
}
