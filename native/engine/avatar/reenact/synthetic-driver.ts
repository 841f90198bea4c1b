/**
 * Synthetic driver landmarks for tests and benches: a head model (e.g. the open head on some face with an expression
 * basis) evaluated at known expression / jaw / eyes, its 478 embedded landmarks rotated, scaled and placed in a
 * detector frame (x right, y down, pixels; z away from the camera, pixel scale).
 */
import type { HeadModel } from '../head-model';
import { rodrigues } from '../math';

export interface SyntheticDriverPose {
  expression?: ArrayLike<number>;
  /** Jaw axis-angle (rad). */
  jaw?: [number, number, number];
  /** Left eye then right eye axis-angles. */
  eyes?: ArrayLike<number>;
  /** Head rotation axis-angle in model space (applied about the model origin). */
  rotation?: [number, number, number];
  /** Head shift in metres (model axes) before projection. */
  shift?: [number, number, number];
  /** Pixels per metre (face size on the image). Default 2000. */
  pixelsPerMetre?: number;
  /** Image position of the model origin. Default (320, 240). */
  centre?: [number, number];
}

export function syntheticDriverLandmarks(model: HeadModel, pose: SyntheticDriverPose = {}): Float32Array {
  const joints = new Float64Array(15);
  if (pose.jaw) joints.set(pose.jaw, 6);
  if (pose.eyes) for (let k = 0; k < 6; k++) joints[9 + k] = pose.eyes[k] ?? 0;
  const v = model.evaluate({ expression: pose.expression ? Array.from(pose.expression) : undefined, jointRotations: joints });
  const R = rodrigues(...(pose.rotation ?? [0, 0, 0]));
  const sh = pose.shift ?? [0, 0, 0];
  const s = pose.pixelsPerMetre ?? 2000;
  const [cx, cy] = pose.centre ?? [320, 240];
  const { landmarkIndex, triangle, barycentric } = model.landmarks;
  const n = Math.max(...landmarkIndex) + 1;
  const out = new Float32Array(n * 3);
  const tri = model.triangles;
  for (let l = 0; l < landmarkIndex.length; l++) {
    const p = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      const vi = tri[triangle[l]! * 3 + c]!, b = barycentric[l * 3 + c]!;
      for (let k = 0; k < 3; k++) p[k]! += b * v[vi * 3 + k]!;
    }
    const q = [0, 1, 2].map((k) => R[k * 3]! * p[0]! + R[k * 3 + 1]! * p[1]! + R[k * 3 + 2]! * p[2]! + sh[k]!);
    const i = landmarkIndex[l]!;
    out[i * 3] = cx + s * q[0]!;
    out[i * 3 + 1] = cy - s * q[1]!;
    out[i * 3 + 2] = -s * q[2]!;
  }
  return out;
}
