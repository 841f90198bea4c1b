import path from 'node:path';
import { writeAvatarBundle } from '@engine/export/avatar-bundle';
import { bundleInputFromFiles, runDataExport } from '../data-export';
import { writeExportFile } from '../write-export';
import type { ExportWriter } from './types';

/** `bundle`: the whole avatar in one versioned .avatar file (docs/avatar-bundle.md). */
export const bundleWriter: ExportWriter<'bundle'> = {
  format: 'bundle',
  run: (ctx, p) =>
    runDataExport(ctx, p, ({ dir, data, done }) => {
      ctx.progress({ fraction: 0.2, stage: 'Packing the bundle' });
      const bytes = writeAvatarBundle(bundleInputFromFiles(dir, p.files, data));
      ctx.throwIfCancelled();
      ctx.progress({ fraction: 0.7, stage: `Writing ${path.basename(p.target)}` });
      return done(writeExportFile(p.target, bytes));
    }),
};
