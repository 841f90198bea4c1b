import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '@shared/api/errors';
import { TextureLayerMetaSchema, type TextureLayerMeta } from '@shared/texture/schema';
import type { JobDefinition } from '../../jobs/job-definition';
import { hashFile } from '../fs/atomic-write';
import { commitFolder } from '../fs/folder-commit';
import { newId } from '../library/ids';
import type { StudioServices } from '../studio-services';
import { avatarWithFiles } from '../training/avatar-files';
import { avatarDir, avatarPartialDir } from '../training/training-types';
import type { ApplyTextureOutput, ApplyTextureParams } from './apply-types';
import { appliedMeta } from './applied-meta';
import { assertTextureEditable } from './texture-lock';
import { layerImagePath } from './texture-paths';
import { TextureLayersRepo } from './texture-layers-repo';

const Output = z.object({
  files: z.array(z.string()),
  gaussians: z.number().int(),
  report: z.object({ gaussians: z.number(), touched: z.number(), added: z.number(), kept: z.number().default(0), editedTexels: z.number(), densityBefore: z.number(), densityAfter: z.number() }),
});

/**
 * `texture.apply`: the worker writes the new version into `avatars/<newId>.partial/`; the commit renames it into place
 * and records the avatar row (version = the project's highest + 1, parent = the edited avatar) with its blobs in one
 * transaction. The row's meta keeps what is still true of the source but not its held-out figures (appliedMeta): the
 * new version is never evaluated. The edited avatar's folder and row are never touched. Cancel and failure remove the partial folder.
 */
export const applyTextureJob: JobDefinition<ApplyTextureParams, ApplyTextureOutput> = {
  kind: 'texture.apply',
  params: z.object({
    projectId: z.string(),
    avatarId: z.string(),
    avatarVersion: z.number().int().optional(),
    newAvatarId: z.string(),
    layers: z.array(z.object({ layer: TextureLayerMetaSchema, image: z.string().nullable() })),
    files: z.object({
      bakedAvatar: z.string(),
      maps: z.string(),
      colour: z.string(),
      opacity: z.string(),
      visibility: z.string(),
      report: z.string(),
      meta: z.string(),
      headTuning: z.string().nullable(),
      expressionSpace: z.string(),
      fit: z.string().nullable(),
    }),
  }) as z.ZodType<ApplyTextureParams>,
  title: (p, s) => `Apply the texture edits to ${s.avatars.label(p.avatarId)} (new version)`,
  projectDir: (p, s) => s.projects.folderOf(p.projectId),
  commit(s: StudioServices, job, raw) {
    const out = Output.parse(raw);
    const p = job.params as ApplyTextureParams;
    const root = s.projects.folderOf(p.projectId);
    const partial = path.join(root, avatarPartialDir(p.newAvatarId));
    const final = path.join(root, avatarDir(p.newAvatarId));
    if (!fs.existsSync(path.join(partial, 'avatar.bin'))) throw new StudioError('INTERNAL', 'The new version went missing before it could be recorded. Apply again.');
    const source = s.library.db.prepare('SELECT name, version, head_model, meta FROM avatars WHERE id = ?').get(p.avatarId) as { name: string; version: number; head_model: string; meta: string } | undefined;
    if (!source) throw new StudioError('NOT_FOUND', 'The edited avatar was deleted while its texture was being applied.');
    const hashes = out.files.map((f) => ({ f, ...hashFile(path.join(partial, ...f.split('/'))) }));
    try {
      commitFolder({
        partial,
        final,
        journal: s.library.commits,
        record: () => {
          for (const h of hashes) s.blobs.record(p.projectId, `${avatarDir(p.newAvatarId)}/${h.f}`, h.sha256, h.size);
          const meta = appliedMeta(JSON.parse(source.meta) as Record<string, unknown>, { from: p.avatarId, fromVersion: source.version, gaussians: out.gaussians, layers: p.layers.length, report: out.report });
          s.avatars.insert({ id: p.newAvatarId, projectId: p.projectId, name: source.name, headModel: source.head_model, parentId: p.avatarId, meta });
        },
      });
    } catch (err) {
      // Not recorded: the new version's files (back in the partial folder) are of no use; a resume writes them again.
      fs.rmSync(partial, { recursive: true, force: true });
      throw err;
    }
    return { avatar: s.avatars.get(p.newAvatarId), report: out.report };
  },
  discard(s, job) {
    const p = job.params as ApplyTextureParams;
    try {
      fs.rmSync(path.join(s.projects.folderOf(p.projectId), avatarPartialDir(p.newAvatarId)), { recursive: true, force: true });
    } catch {
      // the project is gone
    }
  },
};

const ACTIVE = new Set(['queued', 'running', 'paused', 'interrupted']);

/** The saved layers of the avatar's colour map, bottom first (texture_layers rows + their PNGs). */
export function savedLayers(s: Pick<StudioServices, 'library' | 'projects'>, projectId: string, avatarId: string): ApplyTextureParams['layers'] {
  const root = s.projects.folderOf(projectId);
  let layers: TextureLayerMeta[];
  try {
    layers = new TextureLayersRepo(s.library).list(avatarId);
  } catch (err) {
    throw new StudioError('CONFLICT', `The saved texture layers cannot be read (${(err as Error).message.slice(0, 200)}); open the texture editor and save again.`);
  }
  return layers.map((layer) => {
    if (layer.kind === 'fill') return { layer, image: null };
    const image = layerImagePath(avatarId, layer.id);
    if (!fs.existsSync(path.join(root, ...image.split('/')))) throw new StudioError('CONFLICT', `The image of the layer "${layer.name}" (${image}) is missing; open the texture editor and save again.`);
    return { layer, image };
  });
}

/** Checks a `textures.apply` request and turns it into the job's params (host side). */
export function prepareApplyTexture(s: Pick<StudioServices, 'avatars' | 'captures' | 'projects' | 'jobs' | 'library'>, r: { avatarId: string }): ApplyTextureParams {
  assertTextureEditable(s, r.avatarId);
  const busy = s.jobs.list({ includeFinished: false }).some((j) => ACTIVE.has(j.status) && j.kind === 'texture.apply' && (j.params as { avatarId?: string }).avatarId === r.avatarId);
  if (busy) throw new StudioError('CONFLICT', 'This texture is already being applied; wait for that job to finish or cancel it.');
  const info = avatarWithFiles(s, r.avatarId);
  const a = info.avatar;
  if (!info.files.bake) throw new StudioError('CONFLICT', 'This avatar has not been baked: bake it, edit its texture, then apply.');
  if (!info.files.expressionSpace) throw new StudioError('CONFLICT', "The avatar's head (its expression space) is gone; track the capture again.");
  const layers = savedLayers(s, a.projectId, a.id);
  if (layers.length === 0) throw new StudioError('CONFLICT', 'The texture has no saved layers to apply; paint or place a sticker first (the editor saves on its own).');
  const b = info.files.bake;
  return {
    projectId: a.projectId,
    avatarId: a.id,
    avatarVersion: a.version,
    newAvatarId: newId(),
    layers,
    files: {
      bakedAvatar: b.bakedAvatar,
      maps: b.maps,
      colour: b.colour,
      opacity: b.opacity,
      visibility: b.visibility,
      report: b.report,
      meta: info.files.meta,
      headTuning: info.files.headTuning,
      expressionSpace: info.files.expressionSpace,
      fit: info.files.fits[0]?.path ?? null,
    },
  };
}
