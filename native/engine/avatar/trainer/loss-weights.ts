/**
 * Per-pixel photometric loss weights (the `mask` weight map of `PhotometricLoss`, which normalises by Σw):
 * w = m + (1 − m)·outsideMatte, multiplied by `mouth` inside the mouth region. The mouth region is the convex hull of
 * the projected outer-lip landmarks (MediaPipe ids: corners 61/291 + the outer lip contours), found through the head
 * model's landmark embedding on the frame's posed vertices — so it follows the jaw and expression of each frame — and
 * dilated by `mouthMarginPx`. Models whose embedding lacks ≥ 3 of these landmarks get no mouth region.
 */
import type { Camera } from '../../splat/camera';
import type { HeadModel } from '../head-model';
import { LIPS_OUTER_LOWER, LIPS_OUTER_UPPER } from '../open-head/build';

export interface LossWeightOptions {
  /** Weight of pixels outside the matte (m = 0); 1 = unweighted (default). */
  outsideMatte: number;
  /** Multiplier inside the mouth region (default 1 = off; GaussianAvatars-style mouth emphasis uses > 1). */
  mouth: number;
  /** Dilation of the mouth hull, pixels (default 2). */
  mouthMarginPx: number;
}

export const DEFAULT_LOSS_WEIGHTS: LossWeightOptions = { outsideMatte: 1, mouth: 1, mouthMarginPx: 2 };

export const MOUTH_LANDMARK_IDS: readonly number[] = [61, 291, ...LIPS_OUTER_UPPER, ...LIPS_OUTER_LOWER];

/** True when the options change nothing (the trainer then runs the loss without a weight map). */
export function isUniformWeighting(o: LossWeightOptions): boolean {
  return o.outsideMatte === 1 && o.mouth === 1;
}

/** Projected pixel positions of the embedded mouth landmarks (x, y pairs), or null when < 3 are embedded / in front. */
export function mouthLandmarksPx(model: HeadModel, vertices: ArrayLike<number>, camera: Camera): Float64Array | null {
  const lm = model.landmarks;
  const want = new Set(MOUTH_LANDMARK_IDS);
  const V = camera.viewMatrix;
  const pts: number[] = [];
  for (let l = 0; l < lm.landmarkIndex.length; l++) {
    if (!want.has(lm.landmarkIndex[l])) continue;
    const t = lm.triangle[l];
    let X = 0, Y = 0, Z = 0;
    for (let k = 0; k < 3; k++) {
      const v = model.triangles[t * 3 + k] * 3, b = lm.barycentric[l * 3 + k];
      X += b * vertices[v];
      Y += b * vertices[v + 1];
      Z += b * vertices[v + 2];
    }
    const x = V[0] * X + V[4] * Y + V[8] * Z + V[12];
    const y = V[1] * X + V[5] * Y + V[9] * Z + V[13];
    const z = V[2] * X + V[6] * Y + V[10] * Z + V[14];
    if (!(z > 1e-6)) continue;
    pts.push(camera.fx * (x / z) + camera.cx, camera.fy * (y / z) + camera.cy);
  }
  return pts.length >= 6 ? Float64Array.from(pts) : null;
}

/** Convex hull (Andrew's monotone chain), counter-clockwise in image coordinates; input x, y pairs. */
export function convexHull(points: ArrayLike<number>): Array<[number, number]> {
  const p: Array<[number, number]> = [];
  for (let i = 0; i + 1 < points.length; i += 2) p.push([points[i], points[i + 1]]);
  p.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o: [number, number], a: [number, number], b: [number, number]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Array<[number, number]> = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: Array<[number, number]> = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/**
 * The weight map of one frame (H·W), or null when uniform. `mask` is the frame's matte (null = all foreground);
 * `mouthPoints` the projected mouth landmarks (`mouthLandmarksPx`).
 */
export function lossWeightMap(
  width: number,
  height: number,
  mask: Float32Array | null,
  mouthPoints: ArrayLike<number> | null,
  o: LossWeightOptions,
  out: Float32Array<ArrayBuffer> = new Float32Array(width * height),
): Float32Array<ArrayBuffer> | null {
  if (isUniformWeighting(o)) return null;
  const n = width * height;
  for (let p = 0; p < n; p++) {
    const m = mask ? mask[p] : 1;
    out[p] = m + (1 - m) * o.outsideMatte;
  }
  if (o.mouth === 1 || !mouthPoints) return out;
  const region = mouthRegion(width, height, mouthPoints, o.mouthMarginPx);
  for (let p = 0; p < n; p++) if (region[p]) out[p] *= o.mouth;
  return out;
}

/** Pixels (centres) within `marginPx` of the convex hull of `points` (x, y pairs): 1, else 0. */
export function mouthRegion(width: number, height: number, points: ArrayLike<number>, marginPx: number): Uint8Array {
  const region = new Uint8Array(width * height);
  const hull = convexHull(points);
  if (hull.length < 3) return region;
  const margin = marginPx;
  const edges = hull.map((a, i) => {
    const b = hull[(i + 1) % hull.length];
    const ex = b[0] - a[0], ey = b[1] - a[1];
    const len = Math.hypot(ex, ey) || 1;
    return { ax: a[0], ay: a[1], nx: ey / len, ny: -ex / len };
  });
  // Orient the normals outwards: the centroid must be on the inner side of every edge.
  const cx = hull.reduce((s, q) => s + q[0], 0) / hull.length, cy = hull.reduce((s, q) => s + q[1], 0) / hull.length;
  if ((cx - edges[0].ax) * edges[0].nx + (cy - edges[0].ay) * edges[0].ny > 0) for (const e of edges) { e.nx = -e.nx; e.ny = -e.ny; }
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const [x, y] of hull) {
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  const i0 = Math.max(0, Math.floor(x0 - margin)), i1 = Math.min(width - 1, Math.ceil(x1 + margin));
  const j0 = Math.max(0, Math.floor(y0 - margin)), j1 = Math.min(height - 1, Math.ceil(y1 + margin));
  for (let j = j0; j <= j1; j++)
    for (let i = i0; i <= i1; i++) {
      const px = i + 0.5, py = j + 0.5;
      let inside = true;
      for (const e of edges) if ((px - e.ax) * e.nx + (py - e.ay) * e.ny > margin) { inside = false; break; }
      if (inside) region[j * width + i] = 1;
    }
  return region;
}
