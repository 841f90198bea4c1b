/**
 * Host side of the data exports — `bundle` (the animated-avatar bundle, docs/avatar-bundle.md), `maps` (the bake's
 * PNG maps into a folder), `mesh-obj` (the tracked mesh sequence, one OBJ per frame, in a folder) and `mesh-gltf` (one
 * .glb with a morph target per frame and an animation): checks the request, resolves the avatar's files and the
 * target, and builds the `avatar.export` job's params. Loads no engine code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '@shared/api/errors';
import { exportFormatInfo, type ExportFormat, type ExportFormatOfKind } from '@shared/model/export-formats';
import { APP_VERSION } from '../../host/version';
import { newId } from '../library/ids';
import type { StudioServices } from '../studio-services';
import { avatarWithFiles } from '../training/avatar-files';
import { EXPORTS_DIR, type ExportParams } from './export-types';

/** The data formats: those that hold the whole avatar or its mesh sequence, except the player (player-request.ts). */
export type DataFormat = Exclude<ExportFormatOfKind<'whole' | 'mesh'>, 'player'>;
export const isDataFormat = (f: ExportFormat): f is DataFormat => f !== 'player' && ['whole', 'mesh'].includes(exportFormatInfo(f).kind);

/** What the data exports need beyond the static exports' files (project-relative paths). */
export const DataParams = z.object({
  meta: z.string().nullable(),
  headTuning: z.string().nullable(),
  bake: z.record(z.string(), z.string()).nullable(),
  metadata: z.object({ name: z.string(), avatarVersion: z.number().int(), source: z.record(z.string(), z.unknown()) }),
  /** mesh-obj / mesh-gltf: every `step`-th tracked frame (1 = all). */
  frameStep: z.number().int().min(1),
  /** The capture's frame rate: the motion's timing in a bundle and in mesh-gltf's animation (null: unknown, 25 assumed). */
  fps: z.number().positive().nullable().optional(),
  /** A FLAME-bound avatar's bundle: which FLAME model it needs (its weights are never written). */
  flame: z.object({ name: z.string(), identifier: z.string(), vertexCount: z.number().int(), shapeCount: z.number().int(), expressionCount: z.number().int() }).nullable().optional(),
});
export type DataParams = z.infer<typeof DataParams>;


export interface DataExportRequest {
  avatarId: string;
  format: DataFormat;
  frame?: number;
  expression?: number[];
  path?: string;
  frameStep?: number;
}

/** The FLAME model a FLAME-bound avatar needs: the model file named in settings, counts from the tracked fit. */
function flameIdentity(s: Partial<Pick<StudioServices, 'settings'>>, fitFile: string, hasFit: boolean): NonNullable<DataParams['flame']> {
  let shapeCount = 0, expressionCount = 0;
  if (hasFit) {
    try {
      const fit = JSON.parse(fs.readFileSync(fitFile, 'utf8')) as { shape?: number[]; frames?: { expression?: number[] }[] };
      shapeCount = fit.shape?.length ?? 0;
      expressionCount = fit.frames?.[0]?.expression?.length ?? 0;
    } catch {
      throw new StudioError('CONFLICT', "The capture's tracked motion cannot be read; track the capture again.");
    }
  }
  const modelPath = s.settings?.get().flame.modelPath ?? null;
  return { name: 'FLAME', identifier: modelPath ? path.basename(modelPath) : 'the FLAME model file the avatar was trained with (flame2023.pkl or generic_model.pkl)', vertexCount: 5023, shapeCount, expressionCount };
}

export function prepareDataExport(s: Pick<StudioServices, 'avatars' | 'captures' | 'projects'> & Partial<Pick<StudioServices, 'settings'>>, r: DataExportRequest): ExportParams {
  if (r.frame !== undefined || r.expression !== undefined)
    throw new StudioError('BAD_REQUEST', `A ${r.format} export holds the whole avatar${r.format.startsWith('mesh') ? ' and every tracked frame' : ''}; a frame or an expression applies to ply and gltf.`);
  const info = avatarWithFiles(s, r.avatarId);
  const a = info.avatar;
  const flame = a.headModel === 'flame' && r.format === 'bundle';
  if (a.headModel !== 'open-head' && !flame)
    throw new StudioError('BAD_REQUEST', `This avatar is bound to the ${a.headModel} head model; ${a.headModel === 'flame' ? `a ${r.format} export needs the FLAME model to pose it, which the studio cannot ship: export a bundle (it names the FLAME model the reader must supply)` : `only open-head avatars can be exported as ${r.format}`}.`);
  if (!info.files.expressionSpace && !flame) throw new StudioError('CONFLICT', "The capture's tracking (its expression space) is gone, so the avatar's head cannot be built. Track the capture again.");
  const fit = info.files.fits[0]?.path ?? null;
  const root0 = s.projects.folderOf(a.projectId);
  const flameModel = flame ? flameIdentity(s, path.join(root0, ...(fit ?? '').split('/')), fit !== null) : null;
  const fmt = exportFormatInfo(r.format);
  if (fmt.requires === 'bake' && !info.files.bake) throw new StudioError('CONFLICT', 'This avatar has no bake yet, so there are no texture maps to export. Bake the avatar first (Bake in the avatars table, or `avatar-studio bake AVATAR`).');
  if (fmt.requires === 'tracked frames' && !fit) throw new StudioError('CONFLICT', "The avatar's capture has no tracked frames, so there is no mesh sequence to export.");
  const root = s.projects.folderOf(a.projectId);
  let target: string;
  if (r.path) {
    if (!path.isAbsolute(r.path)) throw new StudioError('BAD_REQUEST', `The export path must be absolute: ${r.path}`);
    target = r.path;
  } else {
    const slug = a.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'avatar';
    target = path.join(root, EXPORTS_DIR, `${slug}-v${a.version}-${fmt.target}`);
  }
  if (fmt.folder && fs.existsSync(target) && !fs.statSync(target).isDirectory())
    throw new StudioError('BAD_REQUEST', `${target} is a file; a ${r.format} export writes a folder. Choose a folder path.`);
  const bake = info.files.bake ? Object.fromEntries(Object.entries(info.files.bake).filter(([, rel]) => fs.existsSync(path.join(root, ...rel.split('/'))))) : null;
  return {
    exportId: newId(),
    projectId: a.projectId,
    avatarId: a.id,
    format: r.format,
    frame: null,
    expression: null,
    files: { avatar: info.files.avatar, expressionSpace: info.files.expressionSpace ?? '', fit, headTuning: info.files.headTuning },
    data: {
      meta: fs.existsSync(path.join(root, ...info.files.meta.split('/'))) ? info.files.meta : null,
      headTuning: info.files.headTuning,
      bake,
      metadata: {
        name: a.name,
        avatarVersion: a.version,
        source: { avatarId: a.id, projectId: a.projectId, captureId: a.captureId, preset: a.preset, steps: a.steps, gaussians: a.gaussians, metrics: a.metrics, studioVersion: APP_VERSION },
      },
      frameStep: r.frameStep ?? 1,
      fps: info.fps,
      flame: flameModel,
    },
    target,
  };
}
