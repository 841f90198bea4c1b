/**
 * The tracked rigid head motion, shown as the studio's viewport, the web player and the video export show it: a fit maps
 * model space to the capture camera (R·v + t, OpenCV: +y down, +z forward, a frontal head has R = diag(1, −1, −1)),
 * so the head is drawn at F·(R·v + t − t̄) with F = diag(1, −1, −1) and t̄ the mean tracked translation — it turns
 * and moves as in the footage while staying where the orbit camera looks.
 */
import { rodrigues } from './math';

export function meanTranslation(frames: readonly { translation: number[] }[]): [number, number, number] {
  const t = [0, 0, 0];
  for (const f of frames) for (let k = 0; k < 3; k++) t[k] += f.translation[k] ?? 0;
  const n = Math.max(1, frames.length);
  return [t[0] / n, t[1] / n, t[2] / n];
}

/** Model-space vertices (V×3) → the tracked pose, in place. */
export function applyTrackedPose(v: Float32Array, rotation: readonly number[], translation: readonly number[], mean: readonly [number, number, number]): Float32Array {
  const R = rodrigues(rotation[0] ?? 0, rotation[1] ?? 0, rotation[2] ?? 0);
  const tx = (translation[0] ?? 0) - mean[0], ty = -((translation[1] ?? 0) - mean[1]), tz = -((translation[2] ?? 0) - mean[2]);
  for (let i = 0; i < v.length; i += 3) {
    const x = v[i], y = v[i + 1], z = v[i + 2];
    v[i] = R[0] * x + R[1] * y + R[2] * z + tx;
    v[i + 1] = -(R[3] * x + R[4] * y + R[5] * z) + ty;
    v[i + 2] = -(R[6] * x + R[7] * y + R[8] * z) + tz;
  }
  return v;
}
