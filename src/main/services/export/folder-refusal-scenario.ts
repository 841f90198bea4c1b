/**
 * Run by data-export.test.ts inside `unshare -rm` (a private mount namespace where this process is root): a folder
 * export (`writeExportFolder`) into a read-only tmpfs and into a nearly full one. Prints one JSON line: each error and
 * what the parent folder holds afterwards (no partial folder may be left).
 */
import path from 'node:path';
import { attemptWrite, mountRefusingFolders } from './refusal-mounts';
import { writeExportFolder } from './write-export-folder';

const { ro, full, unmount } = mountRefusingFolders(process.argv[2]!, 100 * 1024);
function* frames() {
  for (let i = 0; i < 8; i++) yield { name: `frame-${i}.obj`, bytes: new Uint8Array(40 * 1024).fill(i) };
}
const attempt = (dir: string) => attemptWrite(dir, () => writeExportFolder(path.join(dir, 'mesh-obj'), frames()));
const result = { readOnly: await attempt(ro), full: await attempt(full) };
unmount();
process.stdout.write(`${JSON.stringify(result)}\n`);
