import path from 'node:path';
import { writeMeshSequenceGlb } from '@engine/export/mesh-gltf';
import { meshPoser, runDataExport } from '../data-export';
import { writeExportFile } from '../write-export';
import type { ExportWriter } from './types';

/** `mesh-gltf`: the tracked head mesh as one .glb with a morph target per (every n-th) tracked frame and an animation. */
export const meshGltfWriter: ExportWriter<'mesh-gltf'> = {
  format: 'mesh-gltf',
  run: (ctx, p) =>
    runDataExport(ctx, p, ({ dir, data, done }) => {
      const { poser, base, frames, secondsPerFrame } = meshPoser(dir, p.files, data);
      const seq = frames.map((f, i) => {
        if (i % 20 === 0) {
          ctx.throwIfCancelled();
          ctx.progress({ fraction: 0.05 + (0.7 * i) / frames.length, stage: `Posing frame ${i + 1} of ${frames.length}` });
        }
        return { name: `frame ${f.idx}`, time: (f.idx - frames[0]!.idx) * secondsPerFrame, vertices: poser.vertices({ frame: f.idx }).vertices };
      });
      const glb = writeMeshSequenceGlb({
        mesh: { ...base, vertices: poser.vertices({ neutral: true }).vertices },
        frames: seq,
        generator: 'Avatar Studio',
        extras: { avatar: data.metadata.name, avatarVersion: data.metadata.avatarVersion, frameStep: data.frameStep },
      });
      ctx.progress({ fraction: 0.8, stage: `Writing ${path.basename(p.target)}` });
      return done(writeExportFile(p.target, glb), seq.length);
    }),
};
