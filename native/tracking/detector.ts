/**
 * BlazeFace (full-range/back variant, 256 × 256) decoding: SSD anchors, box and keypoint regression, weighted
 * non-maximum suppression (MediaPipe's "weighted" NMS blends overlapping boxes by score, which steadies the box).
 */
import type { DetectedFace } from './types';

export const DETECTOR_SIZE = 256;
const KEYPOINTS = 6;

/** Anchor centres in input pixels: stride 16 (2 per cell) then stride 32 (6 per cell) — 512 + 384 = 896. */
export function blazefaceAnchors(size = DETECTOR_SIZE): Float32Array {
  const spec = [
    { stride: size / 16, n: 2 },
    { stride: size / 8, n: 6 },
  ];
  const out: number[] = [];
  for (const { stride, n } of spec) {
    const cells = Math.ceil(size / stride);
    for (let gy = 0; gy < cells; gy++) for (let gx = 0; gx < cells; gx++) for (let k = 0; k < n; k++) out.push(stride * (gx + 0.5), stride * (gy + 0.5));
  }
  return Float32Array.from(out);
}

export interface RawDetection {
  score: number;
  /** input pixels */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  keypoints: [number, number][];
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Decodes the model outputs: `scores` [896] logits and `regressors` [896 × 16] (cx, cy, w, h, 6 keypoints), both
 * ordered stride-16 anchors first.
 */
export function decodeDetections(scores: Float32Array, regressors: Float32Array, anchors: Float32Array, minScore: number): RawDetection[] {
  const out: RawDetection[] = [];
  const n = anchors.length / 2;
  for (let i = 0; i < n; i++) {
    const logit = Math.max(-100, Math.min(100, scores[i]!));
    const score = sigmoid(logit);
    if (score < minScore) continue;
    const r = i * 16;
    const ax = anchors[2 * i]!;
    const ay = anchors[2 * i + 1]!;
    const cx = regressors[r]! + ax;
    const cy = regressors[r + 1]! + ay;
    const w = regressors[r + 2]!;
    const h = regressors[r + 3]!;
    if (!(w > 0 && h > 0)) continue;
    const keypoints: [number, number][] = [];
    for (let k = 0; k < KEYPOINTS; k++) keypoints.push([regressors[r + 4 + 2 * k]! + ax, regressors[r + 5 + 2 * k]! + ay]);
    out.push({ score, x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2, keypoints });
  }
  return out;
}

export function iou(a: { x0: number; y0: number; x1: number; y1: number }, b: { x0: number; y0: number; x1: number; y1: number }): number {
  const ix = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0));
  const iy = Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const inter = ix * iy;
  const u = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter;
  return u > 0 ? inter / u : 0;
}

/** Weighted NMS: clusters by IoU ≥ `threshold` around the best remaining box; members are averaged by score. */
export function weightedNms(dets: RawDetection[], threshold = 0.3, maxFaces = 10): RawDetection[] {
  const rest = [...dets].sort((a, b) => b.score - a.score);
  const out: RawDetection[] = [];
  while (rest.length && out.length < maxFaces) {
    const best = rest[0]!;
    const cluster = rest.filter((d) => iou(best, d) >= threshold);
    const others = rest.filter((d) => iou(best, d) < threshold);
    let ws = 0;
    const acc = { x0: 0, y0: 0, x1: 0, y1: 0, kp: new Array(KEYPOINTS * 2).fill(0) as number[] };
    for (const d of cluster) {
      ws += d.score;
      acc.x0 += d.x0 * d.score;
      acc.y0 += d.y0 * d.score;
      acc.x1 += d.x1 * d.score;
      acc.y1 += d.y1 * d.score;
      d.keypoints.forEach(([x, y], k) => {
        acc.kp[2 * k] += x * d.score;
        acc.kp[2 * k + 1] += y * d.score;
      });
    }
    out.push({
      score: best.score,
      x0: acc.x0 / ws,
      y0: acc.y0 / ws,
      x1: acc.x1 / ws,
      y1: acc.y1 / ws,
      keypoints: Array.from({ length: KEYPOINTS }, (_, k) => [acc.kp[2 * k]! / ws, acc.kp[2 * k + 1]! / ws] as [number, number]),
    });
    rest.length = 0;
    rest.push(...others);
  }
  return out;
}

/** Detector input pixels → source pixels for a letterboxed square input (`scale` source px per input px, offset). */
export function toSourceFace(d: RawDetection, scale: number, offX: number, offY: number): DetectedFace {
  const x0 = d.x0 * scale + offX;
  const y0 = d.y0 * scale + offY;
  return {
    box: { x: x0, y: y0, width: (d.x1 - d.x0) * scale, height: (d.y1 - d.y0) * scale },
    score: d.score,
    keypoints: d.keypoints.map(([x, y]) => [x * scale + offX, y * scale + offY] as [number, number]),
  };
}
