import fs from 'node:fs';
import path from 'node:path';
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import { readBakedMaps, writeBakedMaps } from '@engine/avatar/bake/baked-maps-file';
import { StudioError } from '@shared/api/errors';
import { decodePng, encodePng } from '@shared/texture/png';
import type { RasterImage, TextureLayer } from '@shared/texture/types';
import type { WorkerJob } from '../../jobs/worker-context';
import { writeFileAtomic } from '../fs/atomic-write';
import type { StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';
import { HeadRig, type FitFile } from '@engine/avatar/head-rig';
import { readHeadTuningExport } from '@engine/avatar/trainer/head-tuning';
import { BAKE_FILES, bakeFilePaths } from '../bake/bake-paths';
import { avatarDir, avatarPartialDir } from '../training/training-types';
import { serializeBound } from '@engine/avatar/binding/avatar-file';
import { applyTexture } from './apply-texture';
import { appliedMeta } from './applied-meta';
import type { ApplyTextureOutput, ApplyTextureParams } from './apply-types';

/**
 * `texture.apply`: composites the saved texture document over the bake's colour map, re-samples the baked avatar
 * (apply-texture.ts) and writes the new version's folder `avatars/<newId>.partial/`: avatar.bin (the re-sampled baked
 * avatar), meta.json (the source's, less its held-out figures: appliedMeta), head-tuning.bin (the source's), and bake/ (maps.bin with the edited colour channels,
 * baked-avatar.bin = avatar.bin, colour.png = the composite, the source's opacity/visibility maps and report). The
 * host renames the folder into place and records the avatar row on commit. CPU only (look-ups, no optimisation).
 */
export const applyTextureWorker: WorkerJob<ApplyTextureParams, null, ApplyTextureOutput> = {
  async run(ctx, p) {
    if (!ctx.projectDir) throw new StudioError('NOT_FOUND', 'The project of this avatar no longer exists.');
    const root = ctx.projectDir;
    const abs = (rel: string) => path.join(root, ...rel.split('/'));
    const read = (rel: string, what: string) => {
      try {
        return new Uint8Array(fs.readFileSync(abs(rel)));
      } catch (err) {
        throw new StudioError('CONFLICT', `${what} (${rel}) cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
      }
    };
    const png = (rel: string, what: string): RasterImage => {
      try {
        return decodePng(read(rel, what));
      } catch (err) {
        if (err instanceof StudioError) throw err;
        throw new StudioError('CONFLICT', `${what} (${rel}) is not a readable PNG (${(err as Error).message}).`);
      }
    };
    ctx.progress({ fraction: 0, stage: 'Loading the bake and the layers' });
    let inputs;
    try {
      const baked = parseAvatarBin(read(p.files.bakedAvatar, "The bake's avatar"));
      const maps = readBakedMaps(read(p.files.maps, "The bake's maps"));
      const space = JSON.parse(new TextDecoder().decode(read(p.files.expressionSpace, "The capture's expression space"))) as StoredExpressionSpace;
      const fit = p.files.fit ? (JSON.parse(new TextDecoder().decode(read(p.files.fit, 'The tracked fit'))) as FitFile) : null;
      // The neutral head exactly as the editor's 3D view shows it (shape + the run's correctives), so the new
      // version is the avatar the editor previewed.
      const rig = new HeadRig(space, fit, p.files.headTuning ? readHeadTuningExport(read(p.files.headTuning, "The avatar's head tuning")).correctives : null);
      const model = rig.model;
      if (!model.uv) throw new StudioError('CONFLICT', 'The head model has no UV layout.');
      const images: Record<string, RasterImage> = {};
      const layers: TextureLayer[] = [];
      for (const { layer, image } of p.layers) {
        ctx.throwIfCancelled();
        if (image) images[layer.id] = png(image, `The layer "${layer.name}"`);
        layers.push(layer as TextureLayer);
      }
      inputs = { baked, maps, base: png(p.files.colour, "The bake's colour map"), layers, images, uv: model.uv, mesh: { vertices: rig.vertices(rig.neutral(), false), triangles: model.triangles } };
    } catch (err) {
      if (err instanceof RangeError) throw new StudioError('CONFLICT', `The bake cannot be used: ${err.message} Bake the avatar again.`);
      throw err;
    }
    ctx.throwIfCancelled();
    ctx.progress({ fraction: 0.3, stage: `Re-sampling ${inputs.baked.count.toLocaleString('en')} Gaussians under ${p.layers.length} layers` });
    const result = applyTexture(inputs);
    ctx.throwIfCancelled();
    ctx.progress({ fraction: 0.7, stage: 'Writing the new version' });
    const partial = path.join(root, avatarPartialDir(p.newAvatarId));
    fs.rmSync(partial, { recursive: true, force: true });
    const avatarBin = serializeBound(result.avatar);
    const files: string[] = [];
    const write = (rel: string, data: Uint8Array | string) => {
      writeFileAtomic(path.join(partial, ...rel.split('/')), data);
      files.push(rel);
    };
    const M = result.maps.mapSize;
    write('avatar.bin', avatarBin);
    const meta = fs.existsSync(abs(p.files.meta)) ? (JSON.parse(new TextDecoder().decode(read(p.files.meta, "The avatar's meta.json"))) as Record<string, unknown>) : {};
    write('meta.json', JSON.stringify(appliedMeta(meta, { avatarId: p.newAvatarId, from: p.avatarId, fromVersion: p.avatarVersion, gaussians: result.avatar.count, layers: p.layers.length, report: result.report }), null, 1));
    if (p.files.headTuning) write('head-tuning.bin', read(p.files.headTuning, "The avatar's head tuning"));
    // An avatar without a capture (imported) keeps its head and motion in its own folder: the new version needs them.
    const own = `${avatarDir(p.avatarId)}/`;
    for (const rel of [p.files.expressionSpace, p.files.fit]) if (rel?.startsWith(own)) write(rel.slice(own.length), read(rel, 'The avatar\'s head'));
    write(`bake/${BAKE_FILES.maps}`, writeBakedMaps(result.maps));
    write(`bake/${BAKE_FILES.bakedAvatar}`, avatarBin);
    write(`bake/${BAKE_FILES.colour}`, encodePng({ width: M, height: M, data: result.composite.rgba }));
    write(`bake/${BAKE_FILES.opacity}`, read(p.files.opacity, "The bake's opacity map"));
    write(`bake/${BAKE_FILES.visibility}`, read(p.files.visibility, "The bake's visibility map"));
    // The bake's report, as the new version's (its avatar id and file paths point at the new folder).
    const bakeReport = JSON.parse(new TextDecoder().decode(read(p.files.report, "The bake's report"))) as Record<string, unknown>;
    write(`bake/${BAKE_FILES.report}`, JSON.stringify({ ...bakeReport, avatarId: p.newAvatarId, files: bakeFilePaths(p.newAvatarId) }, null, 1));
    ctx.progress({ fraction: 1, stage: 'Done' });
    return { files, gaussians: result.avatar.count, report: result.report };
  },
};
