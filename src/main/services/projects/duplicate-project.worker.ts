import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import { copyFileAtomic, hashFile } from '../fs/atomic-write';
import type { WorkerJob } from '../../jobs/worker-context';

export interface DuplicateParams {
  sourceId: string;
  targetId: string;
  name: string;
}

export interface DuplicateOutput {
  files: { path: string; sha256: string; size: number }[];
}

/** Folder the copy is assembled in; renamed to its final name only when the job commits. */
export const partialFolder = (libraryDir: string, targetId: string) => path.join(libraryDir, 'projects', `${targetId}.partial`);

function listFiles(root: string, rel = ''): { rel: string; size: number }[] {
  const out: { rel: string; size: number }[] = [];
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(root, r));
    else if (entry.isFile() && !entry.name.endsWith('.tmp')) out.push({ rel: r, size: fs.statSync(path.join(root, r)).size });
  }
  return out;
}

/**
 * Copies every file of the source project into `<target>.partial`, file by file (each copy atomic). A resumed job
 * skips files already copied whole, so a kill costs at most the file in flight.
 */
export const duplicateProjectWorker: WorkerJob<DuplicateParams, null, DuplicateOutput> = {
  async run(ctx, params) {
    if (!ctx.projectDir || !fs.existsSync(ctx.projectDir)) throw new StudioError('NOT_FOUND', 'The project to duplicate has no folder any more.');
    const source = ctx.projectDir;
    const target = partialFolder(ctx.libraryDir, params.targetId);
    fs.mkdirSync(target, { recursive: true });
    const files = listFiles(source);
    const totalBytes = files.reduce((s, f) => s + f.size, 0) || 1;
    const delayMs = Number(process.env.AVATAR_STUDIO_TEST_JOB_DELAY_MS ?? 0);
    let doneBytes = 0;
    const out: DuplicateOutput['files'] = [];
    for (const [i, f] of files.entries()) {
      ctx.throwIfCancelled();
      const dst = path.join(target, f.rel);
      const already = fs.existsSync(dst) && fs.statSync(dst).size === f.size;
      const info = already ? hashFile(dst) : copyFileAtomic(path.join(source, f.rel), dst);
      out.push({ path: f.rel, ...info });
      doneBytes += f.size;
      ctx.progress({ fraction: doneBytes / totalBytes, stage: 'Copying files', done: i + 1, total: files.length, unit: 'files' });
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    }
    return { files: out };
  },
};
