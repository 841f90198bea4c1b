/**
 * The driver's head pose on the avatar, for the drive pipeline (services/drive/drive-pipeline.ts) and the web
 * player's webcam driving: the reenactment gives a rotation and translation relative to the calibrated neutral, in model space; the head turns
 * about the centroid of its neutral face (the driver's pose is measured about the centroid of the driver's face).
 */
import { rodrigues } from '../math';

/** Centroid of the first 468 vertices (the face) of V×3 model-space vertices. */
export function faceCentroid(v: ArrayLike<number>): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < 468; i++) for (let k = 0; k < 3; k++) c[k] += v[i * 3 + k]! / 468;
  return c;
}

/** V×3 vertices → R·(v − pivot) + pivot + t, in place. */
export function applyDriverPose(v: Float32Array, rotation: ArrayLike<number>, translation: ArrayLike<number>, pivot: readonly [number, number, number]): Float32Array {
  const R = rodrigues(rotation[0] ?? 0, rotation[1] ?? 0, rotation[2] ?? 0);
  const [px, py, pz] = pivot;
  for (let i = 0; i < v.length; i += 3) {
    const x = v[i]! - px, y = v[i + 1]! - py, z = v[i + 2]! - pz;
    v[i] = R[0]! * x + R[1]! * y + R[2]! * z + px + (translation[0] ?? 0);
    v[i + 1] = R[3]! * x + R[4]! * y + R[5]! * z + py + (translation[1] ?? 0);
    v[i + 2] = R[6]! * x + R[7]! * y + R[8]! * z + pz + (translation[2] ?? 0);
  }
  return v;
}
