/**
 * The avatar's rest expression: the coefficients the reenactment core adds the driver's expression change to
 * (`RetargetOptions.avatarNeutral`). Coefficient 0 is the mean face of the avatar's footage, which is no rest face when
 * the mouth opened in it: for footage that opens and closes the mouth it is half open, so a closed driver mouth left
 * the avatar's half open and a wide one ran into the clamp at the footage's widest — the lips barely moved.
 *
 * A space learnt by `learnExpressionSpace` records its rest (`rest`: the most closed-mouthed frames' mean
 * coefficients). For a space learnt before that, `avatarRest` estimates it from the capture's fitted frames (fit.json):
 * the mean expression of the frames whose posed inner lips are the most closed.
 */
import type { HeadModel } from '../head-model';
import { innerLipGap, REST_FRACTION } from '../open-head/expression-space';
import type { AvatarExpressionSpace } from './retarget';

/** A fitted frame's face (fit.json's `frames[]`: expression coefficients and jaw axis-angle). */
export interface FittedFace {
  expression: ArrayLike<number>;
  jaw?: ArrayLike<number>;
}

/**
 * The space's recorded rest, else the estimate from fitted frames posed on `model` (the avatar's head), else null
 * (the mean face stays the rest).
 */
export function avatarRest(space: AvatarExpressionSpace, fitted?: { model: HeadModel; frames: readonly FittedFace[] } | null): ArrayLike<number> | null {
  if (space.rest && space.rest.length >= space.count) return space.rest;
  if (!fitted || !fitted.frames.length || space.count === 0) return null;
  return restFromFittedFrames(fitted.model, fitted.frames, space.count);
}

/** The mean expression of the `REST_FRACTION` of `frames` whose posed inner lips are the most closed. */
export function restFromFittedFrames(model: HeadModel, frames: readonly FittedFace[], count: number): Float32Array {
  const joints = new Float64Array(15);
  let out: Float32Array | undefined;
  const scored = frames.map((f) => {
    joints.fill(0);
    for (let k = 0; k < 3; k++) joints[6 + k] = f.jaw?.[k] ?? 0;
    out = model.evaluate({ expression: Array.from({ length: count }, (_, k) => f.expression[k] ?? 0), jointRotations: joints }, out);
    return { f, gap: innerLipGap(out) };
  });
  scored.sort((a, b) => a.gap - b.gap);
  const chosen = scored.slice(0, Math.max(1, Math.round(frames.length * REST_FRACTION)));
  const rest = new Float32Array(count);
  for (const { f } of chosen) for (let k = 0; k < count; k++) rest[k]! += (f.expression[k] ?? 0) / chosen.length;
  return rest;
}
