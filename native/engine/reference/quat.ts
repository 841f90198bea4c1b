/** Quaternion (w, x, y, z) → rotation matrix, and its backward. Row-major 3×3. */
import type { Mat3 } from './camera';

export type Quat = [number, number, number, number];

/** Normalise; a zero (or non-finite-length) quaternion becomes identity. */
export function normalizeQuat(q: Quat): { q: Quat; len: number } {
  const len = Math.hypot(q[0], q[1], q[2], q[3]);
  if (!(len > 0) || !Number.isFinite(len)) return { q: [1, 0, 0, 0], len: 0 };
  return { q: [q[0] / len, q[1] / len, q[2] / len, q[3] / len], len };
}

/** Rotation matrix of a *normalised* quaternion. */
export function quatToMat(q: Quat): Mat3 {
  const [w, x, y, z] = q;
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
}

/**
 * Gradient w.r.t. the stored (unnormalised) quaternion given `G = dL/dR`.
 * `qRaw` is the stored quaternion; a zero quaternion gets zero gradient.
 */
export function quatToMatBackward(qRaw: Quat, G: Mat3): Quat {
  const { q, len } = normalizeQuat(qRaw);
  if (len === 0) return [0, 0, 0, 0];
  const [w, x, y, z] = q;
  const dw = 2 * (-z * G[1] + y * G[2] + z * G[3] - x * G[5] - y * G[6] + x * G[7]);
  const dx = 2 * (y * G[1] + z * G[2] + y * G[3] - 2 * x * G[4] - w * G[5] + z * G[6] + w * G[7] - 2 * x * G[8]);
  const dy = 2 * (-2 * y * G[0] + x * G[1] + w * G[2] + x * G[3] + z * G[5] - w * G[6] + z * G[7] - 2 * y * G[8]);
  const dz = 2 * (-2 * z * G[0] - w * G[1] + x * G[2] + w * G[3] - 2 * z * G[4] + y * G[5] + x * G[6] + y * G[7]);
  // Through normalisation: dq_raw = (I − q qᵀ) dq / |q_raw|.
  const dot = w * dw + x * dx + y * dy + z * dz;
  return [(dw - w * dot) / len, (dx - x * dot) / len, (dy - y * dot) / len, (dz - z * dot) / len];
}
