import { describe, expect, it } from 'vitest';
import { gaussian, makeRandom, rodrigues } from '../math';
import { canonicalFace, createOpenHead, FACE_VERTEX_COUNT } from './build';
import { learnExpressionSpace, similarityAlign } from './expression-space';
import { proceduralExpressionBasis } from './procedural-expressions';

describe('per-subject expression space', () => {
  it('aligns rigidly (similarity) and recovers the generating expression subspace by PCA', () => {
    const N = FACE_VERTEX_COUNT;
    const face = canonicalFace();
    const gen = proceduralExpressionBasis(face);
    const rand = makeRandom(7);
    const frames = [];
    const coeffs: number[][] = [];
    for (let f = 0; f < 120; f++) {
      const c = Array.from({ length: gen.count }, () => gaussian(rand) * 0.4);
      coeffs.push(c);
      const R = rodrigues(0.3 * gaussian(rand), 0.4 * gaussian(rand), 0.1 * gaussian(rand));
      const s = 2000 + 300 * rand(); // pixels per metre
      const lm = new Float32Array(478 * 3);
      for (let i = 0; i < N; i++) {
        const p = [0, 1, 2].map((k) => face[i * 3 + k]! + c.reduce((acc, ck, e) => acc + ck * gen.basis[(e * N + i) * 3 + k]!, 0));
        const q = [0, 1, 2].map((k) => R[k * 3]! * p[0]! + R[k * 3 + 1]! * p[1]! + R[k * 3 + 2]! * p[2]!);
        // detector frame: x right, y down, z away from the camera
        lm[i * 3] = 256 + s * q[0]!; lm[i * 3 + 1] = 256 - s * q[1]!; lm[i * 3 + 2] = -s * q[2]!;
      }
      frames.push({ landmarks: lm });
    }
    const space = learnExpressionSpace(frames, { components: 10 });
    expect(space.count).toBe(10);
    expect(space.varianceKept).toBeGreaterThan(0.999);
    // 7 generating components keep almost all the variance (the rest is what similarity alignment mixes in)
    const v = [...space.sigma].map((x) => x * x);
    expect(v.slice(0, 7).reduce((a, b) => a + b, 0) / v.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.98);
    // mean face ≈ canonical (same size and placement)
    let err = 0;
    for (let i = 0; i < N * 3; i++) err = Math.max(err, Math.abs(space.mean[i]! - face[i]!));
    expect(err).toBeLessThan(0.002);
    // ranges bracket zero; a model built from it evaluates
    for (let k = 0; k < space.count; k++) { expect(space.range[k * 2]!).toBeLessThan(0); expect(space.range[k * 2 + 1]!).toBeGreaterThan(0); }
    const head = createOpenHead({ face: space.mean, expression: { basis: space.basis, count: space.count, range: space.range } });
    expect(head.expressionCount).toBe(10);
    expect(head.evaluate({ expression: [1, 0, 0] }).every(Number.isFinite)).toBe(true);
  });

  it('similarity alignment recovers a known transform', () => {
    const a = canonicalFace();
    const R = rodrigues(0.2, -0.5, 0.1);
    const b = new Float64Array(a.length);
    for (let i = 0; i < a.length / 3; i++) for (let k = 0; k < 3; k++) b[i * 3 + k] = 3 * (R[k * 3]! * a[i * 3]! + R[k * 3 + 1]! * a[i * 3 + 1]! + R[k * 3 + 2]! * a[i * 3 + 2]!) + [1, 2, 3][k]!;
    const sim = similarityAlign(a, b, null, a.length / 3);
    expect(sim.s).toBeCloseTo(3, 5);
    for (let k = 0; k < 9; k++) expect(sim.R[k]!).toBeCloseTo(R[k]!, 5);
    expect(sim.t[2]!).toBeCloseTo(3, 5);
  });
});
