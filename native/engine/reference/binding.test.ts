import { describe, expect, it } from 'vitest';
import {
  deformBackwardReference,
  deformReference,
  frameToQuat,
  placeChildBarycentric,
  triangleFrame,
  type BoundRef,
  type DeformedGrads,
} from './binding';
import { quatToMat } from './quat';
import { rng } from './test-scenes';
import { jitteredOctahedron, randomBound } from '../avatar/binding/test-fixtures';

function randomGrads(seed: number, count: number, shDegree: number): DeformedGrads {
  const r = rng(seed);
  const K3 = (shDegree + 1) ** 2 * 3;
  const f = (n: number) => Float64Array.from({ length: n }, () => r() * 2 - 1);
  return { means: f(count * 3), logScales: f(count * 3), rotations: f(count * 4), opacities: f(count), sh: f(count * K3) };
}

function loss(bound: BoundRef, vertices: Float64Array, triangles: Uint32Array, g: DeformedGrads): number {
  const d = deformReference(bound, vertices, triangles);
  let s = 0;
  const acc = (a: Float64Array, b: ArrayLike<number>) => {
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  };
  acc(d.means, g.means);
  acc(d.logScales, g.logScales);
  acc(d.rotations, g.rotations);
  acc(d.opacities, g.opacities);
  acc(d.sh, g.sh);
  return s;
}

describe('binding reference: forward', () => {
  it('frame is a proper rotation with the unit normal as its second column; world rotation = R_tri · R_local', () => {
    const { vertices, triangles } = jitteredOctahedron(3);
    const bound = randomBound(4, 30, 8);
    const out = deformReference(bound, vertices, triangles);
    for (let i = 0; i < bound.count; i++) {
      const t = bound.triangle[i];
      const f = triangleFrame(vertices, triangles, t);
      const R = quatToMat(frameToQuat(f.a0, f.a1, f.a2));
      for (let r = 0; r < 3; r++) {
        expect(R[r * 3]).toBeCloseTo(f.a0[r], 12);
        expect(R[r * 3 + 1]).toBeCloseTo(f.a1[r], 12);
        expect(R[r * 3 + 2]).toBeCloseTo(f.a2[r], 12);
      }
      // normal ⟂ both edges
      const e0 = [0, 1, 2].map((a) => f.v1[a] - f.v0[a]), e1 = [0, 1, 2].map((a) => f.v2[a] - f.v0[a]);
      expect(Math.abs(e0[0] * f.a1[0] + e0[1] * f.a1[1] + e0[2] * f.a1[2])).toBeLessThan(1e-14);
      expect(Math.abs(e1[0] * f.a1[0] + e1[1] * f.a1[1] + e1[2] * f.a1[2])).toBeLessThan(1e-14);
      // k = (|e0| + 2·area/|e0|)/2
      const l0 = Math.hypot(e0[0], e0[1], e0[2]);
      const area2 = Math.hypot(e0[1] * e1[2] - e0[2] * e1[1], e0[2] * e1[0] - e0[0] * e1[2], e0[0] * e1[1] - e0[1] * e1[0]);
      expect(f.k).toBeCloseTo(0.5 * (l0 + area2 / l0), 14);
      expect(out.logScales[i * 3 + 1]).toBeCloseTo(bound.logScales[i * 3 + 1] + Math.log(f.k), 12);
      // mean − offset·normal lies on the triangle at the barycentric point
      const b0 = bound.barycentric[i * 2], b1 = bound.barycentric[i * 2 + 1];
      for (let a = 0; a < 3; a++) {
        const p = b0 * f.v0[a] + b1 * f.v1[a] + (1 - b0 - b1) * f.v2[a];
        expect(out.means[i * 3 + a] - bound.offset[i] * f.a1[a]).toBeCloseTo(p, 14);
      }
      // world rotation matrix = R_tri · R_local
      const ql = [0, 1, 2, 3].map((a) => bound.rotations[i * 4 + a]);
      const ln = Math.hypot(...ql);
      const Rl = quatToMat(ql.map((x) => x / ln) as [number, number, number, number]);
      const Rw = quatToMat([0, 1, 2, 3].map((a) => out.rotations[i * 4 + a]) as [number, number, number, number]);
      for (let r = 0; r < 3; r++)
        for (let c = 0; c < 3; c++) {
          const want = R[r * 3] * Rl[c] + R[r * 3 + 1] * Rl[3 + c] + R[r * 3 + 2] * Rl[6 + c];
          expect(Rw[r * 3 + c]).toBeCloseTo(want, 12);
        }
    }
  });

  it('is rigid-motion equivariant: rotating and translating the mesh moves the Gaussians with it, scales unchanged', () => {
    const { vertices, triangles } = jitteredOctahedron(5);
    const bound = randomBound(6, 20, 8);
    const a = deformReference(bound, vertices, triangles);
    const Q: [number, number, number, number] = [0.8, 0.2, -0.5, 0.26];
    const ln = Math.hypot(...Q);
    const R = quatToMat(Q.map((x) => x / ln) as [number, number, number, number]);
    const t = [0.3, -0.1, 2];
    const moved = new Float64Array(vertices.length);
    for (let v = 0; v < vertices.length / 3; v++)
      for (let r = 0; r < 3; r++) moved[v * 3 + r] = R[r * 3] * vertices[v * 3] + R[r * 3 + 1] * vertices[v * 3 + 1] + R[r * 3 + 2] * vertices[v * 3 + 2] + t[r];
    const b = deformReference(bound, moved, triangles);
    for (let i = 0; i < bound.count; i++) {
      for (let r = 0; r < 3; r++) {
        const want = R[r * 3] * a.means[i * 3] + R[r * 3 + 1] * a.means[i * 3 + 1] + R[r * 3 + 2] * a.means[i * 3 + 2] + t[r];
        expect(b.means[i * 3 + r]).toBeCloseTo(want, 12);
        expect(b.logScales[i * 3 + r]).toBeCloseTo(a.logScales[i * 3 + r], 12);
      }
      const Ra = quatToMat([0, 1, 2, 3].map((k) => a.rotations[i * 4 + k]) as [number, number, number, number]);
      const Rb = quatToMat([0, 1, 2, 3].map((k) => b.rotations[i * 4 + k]) as [number, number, number, number]);
      for (let r = 0; r < 3; r++)
        for (let c = 0; c < 3; c++) expect(Rb[r * 3 + c]).toBeCloseTo(R[r * 3] * Ra[c] + R[r * 3 + 1] * Ra[3 + c] + R[r * 3 + 2] * Ra[6 + c], 12);
    }
  });

  it('uniform stretch of the mesh by s adds log s to every log-scale', () => {
    const { vertices, triangles } = jitteredOctahedron(7);
    const bound = randomBound(8, 10, 8);
    const a = deformReference(bound, vertices, triangles);
    const b = deformReference(bound, vertices.map((x) => 1.7 * x), triangles);
    for (let i = 0; i < 30; i++) expect(b.logScales[i] - a.logScales[i]).toBeCloseTo(Math.log(1.7), 12);
  });
});

describe('binding reference: backward vs central finite differences', () => {
  for (const learnBarycentrics of [false, true]) {
    it(`all bound parameters and vertices (learnBarycentrics=${learnBarycentrics})`, () => {
      const { vertices, triangles } = jitteredOctahedron(11);
      const bound = randomBound(12, 24, 8, 1);
      const g = randomGrads(13, bound.count, bound.shDegree);
      const grads = deformBackwardReference(bound, vertices, triangles, g, { learnBarycentrics });
      const h = 1e-6;
      let worst = 0;
      const check = (arr: Float64Array, analytic: ArrayLike<number>, name: string, base: number) => {
        for (let j = 0; j < arr.length; j++) {
          const x = arr[j];
          arr[j] = x + h;
          const lp = loss(bound, vertices, triangles, g);
          arr[j] = x - h;
          const lm = loss(bound, vertices, triangles, g);
          arr[j] = x;
          const fd = (lp - lm) / (2 * h);
          const err = Math.abs(fd - analytic[j]) / (Math.abs(fd) + base);
          worst = Math.max(worst, err);
          if (err > 1e-5) throw new Error(`${name}[${j}]: fd ${fd} vs analytic ${analytic[j]}`);
        }
      };
      check(bound.offset as Float64Array, grads.offset, 'offset', 1e-3);
      check(bound.rotations as Float64Array, grads.rotations, 'rotations', 1e-3);
      check(bound.logScales as Float64Array, grads.logScales, 'logScales', 1e-3);
      check(bound.opacities as Float64Array, grads.opacities, 'opacities', 1e-3);
      check(bound.sh as Float64Array, grads.sh, 'sh', 1e-3);
      if (learnBarycentrics) check(bound.barycentric as Float64Array, grads.barycentric, 'barycentric', 1e-3);
      else expect(grads.barycentric.every((x) => x === 0)).toBe(true);
      check(vertices, grads.vertices, 'vertices', 1e-2);
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it('vertex gradients of a stretched, sheared mesh (large triangles, large offsets)', () => {
    const { vertices, triangles } = jitteredOctahedron(21, 0.5, 1.3);
    const bound = randomBound(22, 16, 8, 0);
    for (let i = 0; i < bound.count; i++) (bound.offset as Float64Array)[i] *= 30;
    const g = randomGrads(23, bound.count, 0);
    const grads = deformBackwardReference(bound, vertices, triangles, g);
    const h = 1e-6;
    for (let j = 0; j < vertices.length; j++) {
      const x = vertices[j];
      vertices[j] = x + h;
      const lp = loss(bound, vertices, triangles, g);
      vertices[j] = x - h;
      const lm = loss(bound, vertices, triangles, g);
      vertices[j] = x;
      const fd = (lp - lm) / (2 * h);
      expect(Math.abs(fd - grads.vertices[j])).toBeLessThan(1e-6 * (Math.abs(fd) + 1));
    }
  });
});

describe('binding reference: child placement', () => {
  it('children stay inside the parent triangle; gaussian children stay near the parent', () => {
    const { vertices, triangles } = jitteredOctahedron(31);
    for (const mode of ['uniform', 'gaussian'] as const) {
      let far = 0;
      for (let dst = 0; dst < 400; dst++) {
        const f = triangleFrame(vertices, triangles, dst % 8);
        const [b0, b1] = placeChildBarycentric(f, { b0: 0.3, b1: 0.3, rotation: [1, 0.1, 0, 0], logScale: [-2.5, -2.5, -2.5] }, mode, 77, dst);
        expect(b0).toBeGreaterThanOrEqual(0);
        expect(b1).toBeGreaterThanOrEqual(0);
        expect(b0 + b1).toBeLessThanOrEqual(1 + 1e-12);
        if (Math.hypot(b0 - 0.3, b1 - 0.3) > 0.3) far++;
      }
      if (mode === 'gaussian') expect(far).toBeLessThan(10);
      else expect(far).toBeGreaterThan(50);
    }
  });
});
