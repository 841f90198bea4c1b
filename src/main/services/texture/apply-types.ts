import type { ResampleReport } from '@engine/avatar/bake/resample';
import type { TextureLayerMeta } from '@shared/texture/schema';

/** Params of a `texture.apply` job (resolved by the host: the worker reads only files). */
export interface ApplyTextureParams {
  projectId: string;
  /** The edited avatar (its version stays untouched). */
  avatarId: string;
  /** Its version number, recorded in the new version's meta.json (absent in jobs queued before it was passed). */
  avatarVersion?: number;
  /** The id of the new version the job records. */
  newAvatarId: string;
  /** The saved document: layers bottom first, each with its PNG (project-relative; null for fill layers). */
  layers: { layer: TextureLayerMeta; image: string | null }[];
  files: {
    bakedAvatar: string;
    maps: string;
    colour: string;
    opacity: string;
    visibility: string;
    report: string;
    meta: string;
    headTuning: string | null;
    expressionSpace: string;
    /** A fit.json with the subject's shape (the neutral head the Gaussians are bound to); null: the mean shape. */
    fit: string | null;
  };
}

export interface ApplyTextureOutput {
  /** Files written into the new version's folder (relative to it). */
  files: string[];
  gaussians: number;
  report: ResampleReport;
}
