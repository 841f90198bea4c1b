import fs from 'node:fs';
import path from 'node:path';
import type { WorkerJob } from '../../jobs/worker-context';

export interface EmptyTrashParams {
  /** Folders (relative to the library) already detached from the database, to delete. */
  folders: string[];
}

/** Deletes trashed project folders, one at a time, reporting progress. Re-running it finishes what is left. */
export const emptyTrashWorker: WorkerJob<EmptyTrashParams, null, { deleted: number }> = {
  async run(ctx, params) {
    let deleted = 0;
    for (const [i, rel] of params.folders.entries()) {
      ctx.throwIfCancelled();
      const dir = path.join(ctx.libraryDir, rel);
      ctx.progress({ fraction: i / Math.max(1, params.folders.length), stage: 'Deleting projects', done: i, total: params.folders.length, unit: 'projects' });
      if (fs.existsSync(dir)) {
        await fs.promises.rm(dir, { recursive: true, force: true });
        deleted++;
      }
    }
    ctx.progress({ fraction: 1, stage: 'Deleting projects', done: params.folders.length, total: params.folders.length, unit: 'projects' });
    return { deleted };
  },
};
