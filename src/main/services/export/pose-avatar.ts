/**
 * World Gaussians of a trained avatar at one head state: the open head built from the capture's expression space,
 * the fitted shape, and either a tracked frame's expression, jaw and eye rotations or given expression coefficients
 * (neutral when none), deformed by the CPU reference of the binding (`deformReference`, f64, the same maths as the
 * GPU `BindingDeformer`), with the run's learnt correctives when given — the engine's `HeadPoser`, which the avatar
 * bundle's `poseBundle` (web player) uses too. The head is left in its model space (metres, +y up, the face looking
 * along +z, no rigid pose), which is how splat viewers and glTF expect an object to stand.
 */
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import type { Correctives } from '@engine/avatar/lbs-backward';
import { HeadPoser, PoseChoiceError } from '@engine/export/avatar-bundle-pose';
import type { SplatCloud } from '@engine/export/splat-cloud';
import { StudioError } from '@shared/api/errors';
import { openHeadFor, type StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';

/** One tracked frame of `tracking/<cam>/fit.json` (the fields posing needs). */
export interface FitFrameLike {
  idx: number;
  expression: number[];
  jaw: number[];
  eyes: number[];
}
export interface FitFileLike {
  shape: number[];
  frames: FitFrameLike[];
}

export type PoseChoice = { frame: number } | { expression: number[] } | { neutral: true };

export interface PosedAvatar {
  cloud: SplatCloud;
  /** What was posed, for the export's settings: the frame, or the expression coefficients used (clamped). */
  pose: { frame: number | null; expression: number[] };
}

export function poseAvatar(avatarBin: Uint8Array, space: StoredExpressionSpace, fit: FitFileLike | null, choice: PoseChoice, correctives: Correctives | null = null): PosedAvatar {
  let bound;
  try {
    bound = parseAvatarBin(avatarBin);
  } catch (err) {
    throw new StudioError('BAD_REQUEST', `The avatar's file cannot be read: ${(err as Error).message} Train the avatar again.`);
  }
  if (!Array.isArray(space?.mean) || !Array.isArray(space.basis)) throw new StudioError('BAD_REQUEST', "The capture's expression space file is malformed; track the capture again.");
  try {
    const poser = new HeadPoser({ model: openHeadFor(space), shape: fit?.shape ?? [], correctives, frames: fit?.frames.map((f) => ({ rotation: [], translation: [], ...f })) ?? null });
    const posed = poser.gaussians(bound, choice);
    return { cloud: posed.cloud, pose: { frame: posed.pose.frame, expression: posed.pose.expression } };
  } catch (err) {
    if (err instanceof PoseChoiceError) throw new StudioError('BAD_REQUEST', err.message.replace('the avatar has no tracked motion', 'the capture has no tracking'));
    throw err;
  }
}
