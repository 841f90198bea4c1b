/**
 * Run by export-job.test.ts inside `unshare -rm` (a private mount namespace where this process is root): export
 * writes into a read-only tmpfs and into a nearly full one. Prints one JSON line: each error and what the folder holds
 * afterwards.
 */
import path from 'node:path';
import { attemptWrite, mountRefusingFolders } from './refusal-mounts';
import { writeExportFile } from './write-export';

const { ro, full, unmount } = mountRefusingFolders(process.argv[2]!, 200 * 1024);
const attempt = (dir: string) => attemptWrite(dir, () => writeExportFile(path.join(dir, 'avatar.ply'), new Uint8Array(300 * 1024).fill(7)));
const result = { readOnly: await attempt(ro), full: await attempt(full) };
unmount();
process.stdout.write(`${JSON.stringify(result)}\n`);
