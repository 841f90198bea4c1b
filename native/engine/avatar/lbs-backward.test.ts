/**
 * HeadPosing: the forward equals model.evaluate + the rigid pose; every gradient (expression, all joint axis-angles,
 * rigid rotation correction, translation, expression and pose correctives, with and without base pose correctives)
 * matches central differences of a random linear functional of the world vertices; the expression gradient also
 * matches the model's exact blend-shape Jacobian (SubsetEvaluator.blendJacobian).
 */
import { describe, expect, it } from 'vitest';
import { SkinnedHeadModel, SubsetEvaluator, type HeadModel } from './head-model';
import { composeRotation, composeRotationVjp, HeadPosing, rodriguesVjp, type Correctives, type PoseInput } from './lbs-backward';
import { gaussian, makeRandom, rodrigues } from './math';
import { openHeadWithExpressions } from './trainer/test-fixtures';
import { posedVertices } from './trainer/frames';

function withPoseDirs(model: HeadModel, seed: number): SkinnedHeadModel {
  const r = makeRandom(seed);
  const P = 36;
  const poseDirs = Float32Array.from({ length: model.vertexCount * 3 * P }, () => 0.002 * gaussian(r));
  return new SkinnedHeadModel('open-head', { ...model.data, poseDirs }, model.uv, model.landmarks, model.expressionRange);
}

function setup(model: HeadModel, seed: number) {
  const r = makeRandom(seed);
  const E = model.expressionCount;
  const input: PoseInput = {
    shape: Float64Array.from({ length: model.shapeCount }, () => 0.5 * gaussian(r)),
    expression: Float64Array.from({ length: E }, () => 0.6 * gaussian(r)),
    jointRotations: Float64Array.from({ length: 15 }, () => 0.15 * gaussian(r)),
    rotation: rodrigues(0.3, -2.8, 0.4), // near π: a head facing an OpenCV camera
    translation: [0.01, -0.02, 0.5],
  };
  const V = model.vertexCount;
  const corr: Correctives = {
    expression: Float32Array.from({ length: V * 3 * E }, () => 0.003 * gaussian(r)),
    pose: Float32Array.from({ length: V * 3 * 18 }, () => 0.01 * gaussian(r)),
    poseJoints: [2, 3],
  };
  const c = Float64Array.from({ length: V * 3 }, () => gaussian(r));
  return { input, corr, c };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe('HeadPosing (CPU LBS forward + backward)', () => {
  const base = openHeadWithExpressions();

  it('forward with zero correctives equals posedVertices', () => {
    const posing = new HeadPosing(base);
    const { input } = setup(base, 1);
    const st = posing.forward(input, null);
    const ref = posedVertices(base, { shape: input.shape, expression: input.expression, jointRotations: input.jointRotations, rotation: input.rotation, translation: input.translation });
    let err = 0;
    for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ref[i]! - st.vertices[i]!));
    expect(err).toBeLessThan(1e-6);
    const zero: Correctives = { expression: new Float32Array(base.vertexCount * 3 * base.expressionCount), pose: new Float32Array(base.vertexCount * 3 * 27), poseJoints: [2, 3, 4] };
    const st0 = posing.forward(input, zero);
    for (let i = 0; i < ref.length; i++) expect(st0.vertices[i]).toBe(st.vertices[i]);
  });

  it('rodriguesVjp matches central differences (zero, small and large angles)', () => {
    const r = makeRandom(5);
    for (const w of [[0, 0, 0], [1e-5, -2e-5, 3e-6], [4e-4, 1e-4, -3e-4], [0.3, -0.2, 0.1], [1.5, 2.0, -1.0]]) {
      const M = Array.from({ length: 9 }, () => gaussian(r));
      const g = rodriguesVjp(w, M);
      for (let k = 0; k < 3; k++) {
        const h = 1e-6, wp = [...w], wm = [...w];
        wp[k]! += h; wm[k]! -= h;
        const fd = (dot(M, rodrigues(wp[0]!, wp[1]!, wp[2]!)) - dot(M, rodrigues(wm[0]!, wm[1]!, wm[2]!))) / (2 * h);
        expect(Math.abs(g[k]! - fd)).toBeLessThan(1e-7 * (1 + Math.abs(fd)));
      }
    }
  });

  for (const variant of ['open head', 'with base pose correctives'] as const) {
    it(`every gradient matches central differences (${variant})`, () => {
      const model = variant === 'open head' ? base : withPoseDirs(base, 9);
      const posing = new HeadPosing(model);
      const { input, corr, c } = setup(model, 2);
      const E = model.expressionCount;
      const st = posing.forward(input, corr);
      const g = posing.backward(st, c, corr);
      const L = (inp: PoseInput, cr: Correctives) => dot(c, posing.forward(inp, cr).vertices);
      const h = 1e-6;
      const check = (analytic: number, plus: () => number, minus: () => number, what: string) => {
        const fd = (plus() - minus()) / (2 * h);
        expect(Math.abs(analytic - fd), `${what}: analytic ${analytic}, FD ${fd}`).toBeLessThan(2e-6 * (1 + Math.abs(fd)));
      };
      const bump = (arr: ArrayLike<number>, k: number, d: number) => {
        const a = Float64Array.from(arr);
        a[k]! += d;
        return a;
      };
      for (let e = 0; e < E; e++)
        check(g.expression[e]!, () => L({ ...input, expression: bump(input.expression!, e, h) }, corr), () => L({ ...input, expression: bump(input.expression!, e, -h) }, corr), `expression ${e}`);
      for (let k = 0; k < 15; k++)
        check(g.jointRotations[k]!, () => L({ ...input, jointRotations: bump(input.jointRotations!, k, h) }, corr), () => L({ ...input, jointRotations: bump(input.jointRotations!, k, -h) }, corr), `joint ${k}`);
      for (let k = 0; k < 3; k++)
        check(g.translation[k]!, () => L({ ...input, translation: bump(input.translation, k, h) }, corr), () => L({ ...input, translation: bump(input.translation, k, -h) }, corr), `translation ${k}`);
      // Rigid rotation as a left correction Rod(δ)·R0 at δ = (0.01, −0.02, 0.005).
      const delta = [0.01, -0.02, 0.005];
      const R0 = Float64Array.from(input.rotation);
      const withDelta = (d: ArrayLike<number>) => ({ ...input, rotation: composeRotation(d, R0) });
      const gd = composeRotationVjp(delta, R0, posing.backward(posing.forward(withDelta(delta), corr), c, corr).rotation);
      for (let k = 0; k < 3; k++) check(gd[k]!, () => L(withDelta(bump(delta, k, h)), corr), () => L(withDelta(bump(delta, k, -h)), corr), `rigid rotation ${k}`);
      // Correctives: dL/dΔE[r, e] = u_r ψ_e, dL/dΔP[r, p] = u_r f_p (u = g.rest).
      const V = model.vertexCount, C = corr.pose!.length / (V * 3);
      const r = makeRandom(3);
      for (let n = 0; n < 12; n++) {
        const row = Math.floor(r() * V * 3), e = n % E, p = n % C;
        const bumpE = (d: number): Correctives => ({ ...corr, expression: Float32Array.from(corr.expression!, (x, i) => (i === row * E + e ? x + d : x)) });
        const bumpP = (d: number): Correctives => ({ ...corr, pose: Float32Array.from(corr.pose!, (x, i) => (i === row * C + p ? x + d : x)) });
        // f32 storage: use a step that is exact in f32 around the stored value.
        const hh = 2 ** -12;
        const fdE = (L(input, bumpE(hh)) - L(input, bumpE(-hh))) / (2 * hh);
        const fdP = (L(input, bumpP(hh)) - L(input, bumpP(-hh))) / (2 * hh);
        expect(Math.abs(g.rest[row]! * input.expression![e]! - fdE)).toBeLessThan(1e-6 * (1 + Math.abs(fdE)));
        expect(Math.abs(g.rest[row]! * st.features[p]! - fdP)).toBeLessThan(1e-6 * (1 + Math.abs(fdP)));
      }
    });
  }

  it('expression gradient equals Jᵀc with the model’s exact blend-shape Jacobian (no correctives)', () => {
    const { input, c } = setup(base, 4);
    const posing = new HeadPosing(base);
    const g = posing.backward(posing.forward(input, null), c, null);
    const all = Int32Array.from({ length: base.vertexCount }, (_, i) => i);
    const ev = new SubsetEvaluator(base as SkinnedHeadModel, all);
    ev.blend(input.shape, input.expression);
    const { tf } = ev.pose(input.jointRotations);
    const E = base.expressionCount;
    const jac = new Float64Array(base.vertexCount * 3 * E);
    ev.blendJacobian('expression', 0, E, tf, jac);
    const R = input.rotation;
    for (let e = 0; e < E; e++) {
      let s = 0;
      for (let i = 0; i < base.vertexCount; i++)
        for (let a = 0; a < 3; a++) {
          // world derivative = R · model-space derivative
          const d = R[a * 3]! * jac[(i * 3) * E + e]! + R[a * 3 + 1]! * jac[(i * 3 + 1) * E + e]! + R[a * 3 + 2]! * jac[(i * 3 + 2) * E + e]!;
          s += c[i * 3 + a]! * d;
        }
      expect(Math.abs(g.expression[e]! - s)).toBeLessThan(1e-9 * (1 + Math.abs(s)));
    }
  });
});
