/**
 * Driver landmarks in the head model's axes, and the left/right mirror of a landmark set.
 *
 * The detector's frame is x right, y down (pixels), z away from the camera (pixel scale); the model's is x right in the
 * image (the subject's left), y up, z towards the camera — the same flip `learnExpressionSpace` applies.
 */
import { canonicalFace, FACE_VERTEX_COUNT } from '../open-head/build';

/** Landmarks the reenactment reads: 468 face points, optionally the 10 iris points (468–477) after them. */
export const FACE_POINTS = FACE_VERTEX_COUNT;
export const IRIS_POINTS = 10;

/** N × 3 detector-frame landmarks → N × 3 model-axes points (still in pixels). */
export function toModelAxes(landmarks: ArrayLike<number>, count: number, out = new Float64Array(count * 3)): Float64Array {
  if (landmarks.length < count * 3) throw new Error(`reenact: expected ${count} × 3 landmark numbers, got ${landmarks.length}`);
  for (let i = 0; i < count; i++) {
    out[i * 3] = landmarks[i * 3]!;
    out[i * 3 + 1] = -landmarks[i * 3 + 1]!;
    out[i * 3 + 2] = -landmarks[i * 3 + 2]!;
  }
  return out;
}

let mirrorTable: Int32Array | null = null;

/**
 * Landmark i's mirror partner: for the face mesh, the canonical face's vertex nearest to i reflected in x (the
 * canonical face is symmetric); the iris points swap eyes one for one (468+k ↔ 473+k), because the detector already
 * mirrors the left eye's crop (its contour points come in the reflected order, see open-head/build.ts).
 */
export function mirrorPartners(): Int32Array {
  if (mirrorTable) return mirrorTable;
  const face = canonicalFace();
  const n = FACE_POINTS;
  const table = new Int32Array(n + IRIS_POINTS);
  for (let i = 0; i < n; i++) {
    const x = -face[i * 3]!, y = face[i * 3 + 1]!, z = face[i * 3 + 2]!;
    let best = i, bestD = Infinity;
    for (let j = 0; j < n; j++) {
      const d = (face[j * 3]! - x) ** 2 + (face[j * 3 + 1]! - y) ** 2 + (face[j * 3 + 2]! - z) ** 2;
      if (d < bestD) { bestD = d; best = j; }
    }
    table[i] = best;
  }
  for (let k = 0; k < 5; k++) { table[n + k] = n + 5 + k; table[n + 5 + k] = n + k; }
  mirrorTable = table;
  return table;
}

/**
 * The mirror image of model-axes points (x → −x, partners swapped), so the avatar moves like a mirror: the driver's
 * right eyebrow raises the avatar's left one. Works for 468 or 478 points.
 */
export function mirrorPoints(points: ArrayLike<number>, count: number, out = new Float64Array(count * 3)): Float64Array {
  const table = mirrorPartners();
  for (let i = 0; i < count; i++) {
    const j = table[i]!;
    out[i * 3] = -points[j * 3]!;
    out[i * 3 + 1] = points[j * 3 + 1]!;
    out[i * 3 + 2] = points[j * 3 + 2]!;
  }
  return out;
}

/** Mirrors per-point weights with the same partner table. */
export function mirrorWeights(w: ArrayLike<number>, count: number): Float64Array {
  const table = mirrorPartners();
  return Float64Array.from({ length: count }, (_, i) => w[table[i]!]!);
}
