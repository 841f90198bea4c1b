import { writeMeshObj } from '@engine/export/mesh-obj';
import { meshPoser, runDataExport } from '../data-export';
import { writeExportFolder } from '../write-export-folder';
import type { ExportWriter } from './types';

/** `mesh-obj`: the tracked head mesh, one OBJ per (every n-th) tracked frame, into a folder. */
export const meshObjWriter: ExportWriter<'mesh-obj'> = {
  format: 'mesh-obj',
  run: (ctx, p) =>
    runDataExport(ctx, p, ({ dir, data, done }) => {
      const { poser, base, frames } = meshPoser(dir, p.files, data);
      const F = frames.length;
      const title = `Avatar Studio ${data.metadata.name} v${data.metadata.avatarVersion}`;
      function* objs() {
        for (let i = 0; i < F; i++) {
          ctx.throwIfCancelled();
          if (i % 20 === 0) ctx.progress({ fraction: 0.05 + (0.9 * i) / F, stage: `Frame ${i + 1} of ${F}` });
          const f = frames[i]!;
          const { vertices } = poser.vertices({ frame: f.idx });
          yield { name: `frame-${String(f.idx).padStart(6, '0')}.obj`, bytes: writeMeshObj({ ...base, vertices }, `${title}: tracked frame ${f.idx} (model space, metres, +y up)`) };
        }
      }
      const w = writeExportFolder(p.target, objs());
      return done(w, w.files);
    }),
};
