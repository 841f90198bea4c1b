/**
 * World Gaussians of a trained avatar at one head state: the open head built from the capture's expression space,
 * the fitted shape, and either a tracked frame's expression, jaw and eye rotations or given expression coefficients
 * (neutral when none), deformed by the CPU reference of the binding (`deformReference`, f64, the same maths as the
 * GPU `BindingDeformer`). The head is left in its model space (metres, +y up, the face looking along +z, no rigid
 * pose), which is how splat viewers and glTF expect an object to stand.
 */
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import { deformReference } from '@engine/reference/binding';
import type { SplatCloud } from '@engine/export/splat-cloud';
import { StudioError } from '@shared/api/errors';
import { openHeadFor, type StoredExpressionSpace } from '../tracking/open-head-space';

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

export function poseAvatar(avatarBin: Uint8Array, space: StoredExpressionSpace, fit: FitFileLike | null, choice: PoseChoice): PosedAvatar {
  let bound;
  try {
    bound = parseAvatarBin(avatarBin);
  } catch (err) {
    throw new StudioError('BAD_REQUEST', `The avatar's file cannot be read: ${(err as Error).message} Train the avatar again.`);
  }
  if (!Array.isArray(space?.mean) || !Array.isArray(space.basis)) throw new StudioError('BAD_REQUEST', "The capture's expression space file is malformed; track the capture again.");
  const model = openHeadFor(space);
  const T = model.triangles.length / 3;
  for (let i = 0; i < bound.count; i++)
    if (!(bound.triangle[i] < T)) throw new StudioError('BAD_REQUEST', `The avatar does not fit this head: Gaussian ${i} is bound to triangle ${bound.triangle[i]} of ${T}.`);
  const E = model.expressionCount;
  const clamp = (k: number, v: number) => Math.min(model.expressionRange[k * 2 + 1] ?? 3, Math.max(model.expressionRange[k * 2] ?? -3, v));
  let expression = new Array<number>(E).fill(0);
  const joints = new Float64Array(15);
  let frame: number | null = null;
  if ('frame' in choice) {
    const f = fit?.frames.find((x) => x.idx === choice.frame);
    if (!f) {
      const have = fit?.frames.map((x) => x.idx) ?? [];
      throw new StudioError('BAD_REQUEST', `Frame ${choice.frame} has no tracked fit${have.length ? ` (tracked frames: ${have[0]}–${have.at(-1)})` : ': the capture has no tracking'}.`);
    }
    frame = f.idx;
    expression = expression.map((_, k) => clamp(k, f.expression[k] ?? 0));
    for (let k = 0; k < 3; k++) joints[6 + k] = f.jaw[k] ?? 0;
    for (let k = 0; k < 6; k++) joints[9 + k] = f.eyes[k] ?? 0;
  } else if ('expression' in choice) {
    if (choice.expression.length > E) throw new StudioError('BAD_REQUEST', `The expression has ${choice.expression.length} coefficients; this avatar's head has ${E}.`);
    expression = expression.map((_, k) => clamp(k, choice.expression[k] ?? 0));
  }
  const vertices = model.evaluate({ shape: fit?.shape ?? [], expression, jointRotations: joints });
  const world = deformReference(bound, vertices, model.triangles);
  return { cloud: world, pose: { frame, expression } };
}
