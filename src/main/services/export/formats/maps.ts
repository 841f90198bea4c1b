import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import { runDataExport } from '../data-export';
import { writeExportFolder } from '../write-export-folder';
import type { ExportWriter } from './types';

/** `maps`: the bake's colour, opacity and visibility PNGs, copied into a folder. */
export const mapsWriter: ExportWriter<'maps'> = {
  format: 'maps',
  run: (ctx, p) =>
    runDataExport(ctx, p, ({ data, read, done }) => {
      const pngs = (['colour', 'opacity', 'visibility'] as const).map((k) => {
        const rel = data.bake?.[k];
        if (!rel) throw new StudioError('CONFLICT', `The bake has no ${k}.png; bake the avatar again.`);
        return { name: `${k}.png`, bytes: read(rel, `The bake's ${k} map`) };
      });
      ctx.progress({ fraction: 0.5, stage: `Writing ${path.basename(p.target)}/` });
      const w = writeExportFolder(p.target, pngs);
      return done(w, w.files);
    }),
};
