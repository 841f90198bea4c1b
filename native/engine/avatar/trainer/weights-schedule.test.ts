/** CPU parts of issue 6: loss weight maps (matte, mouth region), LR / SH schedules, frame validation. */
import { describe, expect, it } from 'vitest';
import { prepareFrame, posedVertices } from './frames';
import { convexHull, lossWeightMap, mouthLandmarksPx, MOUTH_LANDMARK_IDS } from './loss-weights';
import { activeShDegree, DEFAULT_SCHEDULE, offsetRateFactor } from './schedule';
import { openHeadWithExpressions, randomCamera } from './test-fixtures';

describe('loss weight map', () => {
  it('weights outside the matte and inside a convex mouth hull (with margin)', () => {
    const W = 20, H = 10;
    const mask = new Float32Array(W * H);
    for (let p = 0; p < W * H; p++) mask[p] = p % W < 10 ? 1 : p % W < 12 ? 0.5 : 0;
    expect(lossWeightMap(W, H, mask, null, { outsideMatte: 1, mouth: 1, mouthMarginPx: 0 })).toBeNull();
    const square = [2, 2, 6, 2, 6, 6, 2, 6, 4, 4]; // interior point dropped by the hull
    expect(convexHull(square).length).toBe(4);
    const w = lossWeightMap(W, H, mask, square, { outsideMatte: 0.25, mouth: 3, mouthMarginPx: 0 })!;
    for (let j = 0; j < H; j++)
      for (let i = 0; i < W; i++) {
        const m = mask[j * W + i];
        const inMouth = i + 0.5 >= 2 && i + 0.5 <= 6 && j + 0.5 >= 2 && j + 0.5 <= 6;
        expect(w[j * W + i]).toBeCloseTo((m + (1 - m) * 0.25) * (inMouth ? 3 : 1), 6);
      }
    const dilated = lossWeightMap(W, H, null, square, { outsideMatte: 1, mouth: 2, mouthMarginPx: 1 })!;
    expect(dilated[1 * W + 1]).toBe(2); // pixel centre (1.5, 1.5) is within 1 px of the square
    expect(dilated[0 * W + 0]).toBe(1);
  });

  it('finds the mouth of the open head in a frontal view, inside the face and below the nose', () => {
    const model = openHeadWithExpressions();
    const camera = randomCamera(3, 64);
    const v = posedVertices(model, {});
    const pts = mouthLandmarksPx(model, v, camera)!;
    expect(pts.length).toBe(MOUTH_LANDMARK_IDS.length * 2);
    const hull = convexHull(pts);
    const xs = hull.map((p) => p[0]), ys = hull.map((p) => p[1]);
    const width = Math.max(...xs) - Math.min(...xs), height = Math.max(...ys) - Math.min(...ys);
    expect(width).toBeGreaterThan(3);
    expect(width).toBeLessThan(20);
    expect(height).toBeGreaterThan(0.5);
    expect(height).toBeLessThan(width);
    // Below the nose tip (open-head vertex 1 = MediaPipe landmark 1), image y down.
    const V = camera.viewMatrix, X = v[3], Y = v[4], Z = v[5];
    const noseY = camera.fy * (V[1] * X + V[5] * Y + V[9] * Z + V[13]) / (V[2] * X + V[6] * Y + V[10] * Z + V[14]) + camera.cy;
    expect(Math.min(...ys)).toBeGreaterThan(noseY);
    const w = lossWeightMap(64, 64, null, pts, { outsideMatte: 1, mouth: 4, mouthMarginPx: 1 })!;
    const inside = w.filter((x) => x === 4).length;
    expect(inside).toBeGreaterThan(10);
    expect(inside).toBeLessThan(400);
  });
});

describe('schedules', () => {
  it('decays the offset rate log-linearly to the final factor, then holds', () => {
    const s = { ...DEFAULT_SCHEDULE, offsetFinalFactor: 0.01, offsetDecaySteps: 100 };
    expect(offsetRateFactor(1, s)).toBe(1);
    expect(offsetRateFactor(51, s)).toBeCloseTo(0.1, 10);
    expect(offsetRateFactor(101, s)).toBeCloseTo(0.01, 10);
    expect(offsetRateFactor(5000, s)).toBeCloseTo(0.01, 10);
    expect(offsetRateFactor(50, { ...s, offsetDecaySteps: 0 })).toBe(1);
  });

  it('raises the SH degree every interval up to the maximum', () => {
    const s = { ...DEFAULT_SCHEDULE, shDegreeInterval: 10 };
    expect([1, 10, 11, 20, 21, 31, 500].map((t) => activeShDegree(t, 3, s))).toEqual([0, 0, 1, 1, 2, 3, 3]);
    expect(activeShDegree(500, 0, s)).toBe(0);
  });
});

describe('frame validation', () => {
  it('rejects non-finite pixels with a clear error', () => {
    const model = openHeadWithExpressions();
    const camera = randomCamera(1, 4);
    const image = new Float32Array(16 * 4).fill(0.5);
    image[5 * 4 + 1] = NaN;
    expect(() => prepareFrame(model, { image, camera, head: {} })).toThrow(/non-finite value at pixel 5 \(channel 1\)/);
  });
});
