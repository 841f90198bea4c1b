import { describe, expect, it } from 'vitest';
import { writeArray } from '../../gpu/buffers';
import { testDevice } from '../../gpu/test-device';
import { placeChildBarycentric, triangleFrame, type Q4, type V3 } from '../../reference/binding';
import { SceneGradients } from '../../splat/backward-grads';
import { GaussianScene } from '../../splat/scene';
import { Densifier } from '../../train/densify';
import { BoundGaussians, type BoundGaussianData } from './bound-gaussians';
import { BindingDeformer, BindingMesh } from './deform';
import { triangleChildRule } from './densify-rule';
import { randomBound, uvSphere } from './test-fixtures';
import { ENGINE_TEST_TIMEOUT } from '../../test-timeout';

const gpu = await testDevice();

describe.skipIf(!gpu.device)('triangle child placement rule (Densifier)', () => {
  for (const mode of ['gaussian', 'uniform'] as const) {
    it(`children stay on their parent's triangle, inside it (${mode}), matching the CPU twin`, async () => {
      const device = gpu.device!;
      const { vertices, triangles } = uvSphere(6, 8, 0.1, 0.1, 5);
      const T = triangles.length / 3;
      const N = 300;
      const ref = randomBound(17, N, T, 0);
      // Gaussians 0..99 are selected: even ones small (clone), odd ones large (split); 100.. kept; 7 pruned.
      const logScales = Float32Array.from(ref.logScales);
      for (let i = 0; i < 100; i++) logScales.fill(i % 2 === 0 ? Math.log(0.05) : Math.log(0.3), i * 3, i * 3 + 3);
      const opac = Float32Array.from(ref.opacities).fill(1);
      opac[7] = -10;
      const data: BoundGaussianData = {
        count: N,
        shDegree: 0,
        triangle: Uint32Array.from(ref.triangle),
        barycentric: Float32Array.from(ref.barycentric),
        offset: Float32Array.from(ref.offset),
        rotations: Float32Array.from(ref.rotations),
        logScales,
        opacities: opac,
        sh: Float32Array.from(ref.sh),
      };
      const verts32 = Float32Array.from(vertices);
      const mesh = new BindingMesh(device, triangles, verts32);
      const bound = BoundGaussians.fromData(device, data);
      const world = GaussianScene.create(device, { capacity: N, shDegree: 0 });
      const deformer = new BindingDeformer(device);
      const enc = device.createCommandEncoder();
      deformer.encodeForward(enc, bound, mesh, world); // writes mesh.frames
      device.queue.submit([enc.finish()]);
      const grads = new SceneGradients(bound.params);
      const stats = new Float32Array(N * 4);
      for (let i = 0; i < 100; i++) stats.set([0, 0, 1, 1], i * 4);
      writeArray(device, grads.stats, stats);
      const densifier = new Densifier(bound.params, grads, null, triangleChildRule(bound, mesh, { mode }));
      const seed = 1234;
      const res = await densifier.run({ gradThreshold: 0.5, cloneMaxScale: 0.1, minOpacity: 0.005, seed, splitFactor: 1.6 });
      expect(res.after).toBe(N - 1 + 50 + 50 - 1); // 7 is selected but pruned: 50 clones, 49 splits (+1 row each)
      const out = await bound.read();
      // Expected rows: source order; a clone follows its parent; a split parent becomes two children.
      const rows: Array<{ src: number; kind: number }> = [];
      for (let i = 0; i < N; i++) {
        if (i === 7) continue;
        if (i < 100 && i % 2 === 1) rows.push({ src: i, kind: 2 }, { src: i, kind: 3 });
        else {
          rows.push({ src: i, kind: 0 });
          if (i < 100) rows.push({ src: i, kind: 1 });
        }
      }
      expect(rows.length).toBe(res.after);
      let moved = 0;
      rows.forEach(({ src, kind }, d) => {
        expect(out.triangle[d]).toBe(data.triangle[src]);
        const b0 = out.barycentric[d * 2], b1 = out.barycentric[d * 2 + 1];
        expect(b0).toBeGreaterThanOrEqual(0);
        expect(b1).toBeGreaterThanOrEqual(0);
        expect(b0 + b1).toBeLessThanOrEqual(1 + 1e-6);
        expect(out.offset[d]).toBe(data.offset[src]);
        for (let a = 0; a < 4; a++) expect(out.rotations[d * 4 + a]).toBe(data.rotations[src * 4 + a]);
        const ls = data.logScales[src * 3];
        expect(out.logScales[d * 3]).toBeCloseTo(kind >= 2 ? ls - Math.log(1.6) : ls, 5);
        if (kind === 0) {
          expect(b0).toBe(data.barycentric[src * 2]);
          return;
        }
        const f = triangleFrame(verts32, triangles, data.triangle[src]);
        const parent = {
          b0: data.barycentric[src * 2],
          b1: data.barycentric[src * 2 + 1],
          rotation: Array.from(data.rotations.subarray(src * 4, src * 4 + 4)) as Q4,
          logScale: Array.from(data.logScales.subarray(src * 3, src * 3 + 3)) as V3,
        };
        const [w0, w1] = placeChildBarycentric(f, parent, mode, seed, d);
        expect(Math.abs(b0 - w0)).toBeLessThan(1e-4);
        expect(Math.abs(b1 - w1)).toBeLessThan(1e-4);
        if (Math.hypot(b0 - parent.b0, b1 - parent.b1) > 1e-3) moved++;
      });
      expect(moved).toBeGreaterThan(90); // children do not sit on their parents
      // The world scene follows the densified bound set on the next deform (grows, count updated, all finite).
      const enc2 = device.createCommandEncoder();
      deformer.encodeForward(enc2, bound, mesh, world);
      device.queue.submit([enc2.finish()]);
      expect(world.count).toBe(res.after);
      const w = await world.read();
      expect(w.means.every((x) => Number.isFinite(x))).toBe(true);
      for (const x of [densifier, grads, bound, mesh, world, deformer]) x.destroy();
    }, ENGINE_TEST_TIMEOUT);
  }

  it("'fate' mode with sampled copies: children uniform in the parent's triangle, scale × 0.75 (CPU twin)", async () => {
    const device = gpu.device!;
    const { vertices, triangles } = uvSphere(6, 8, 0.1, 0.1, 5);
    const T = triangles.length / 3;
    const N = 120;
    const ref = randomBound(23, N, T, 0);
    const data: BoundGaussianData = {
      count: N, shDegree: 0, triangle: Uint32Array.from(ref.triangle), barycentric: Float32Array.from(ref.barycentric),
      offset: Float32Array.from(ref.offset), rotations: Float32Array.from(ref.rotations), logScales: Float32Array.from(ref.logScales),
      opacities: new Float32Array(N).fill(1), sh: Float32Array.from(ref.sh),
    };
    const mesh = new BindingMesh(device, triangles, Float32Array.from(vertices));
    const bound = BoundGaussians.fromData(device, data);
    const grads = new SceneGradients(bound.params);
    const copies = new Uint32Array(N);
    for (let i = 0; i < N; i += 4) copies[i] = 1 + (i % 3);
    const densifier = new Densifier(bound.params, grads, null, triangleChildRule(bound, mesh, { mode: 'fate' }));
    const seed = 99;
    const res = await densifier.run({ gradThreshold: 0, cloneMaxScale: 0, minOpacity: 0.005, seed, splitFactor: 4 / 3, copies });
    const rows: Array<{ src: number; kind: number }> = [];
    for (let i = 0; i < N; i++) {
      rows.push({ src: i, kind: 0 });
      for (let c = 0; c < copies[i]; c++) rows.push({ src: i, kind: 1 });
    }
    expect(res.after).toBe(rows.length);
    const out = await bound.read();
    rows.forEach(({ src, kind }, d) => {
      expect(out.triangle[d]).toBe(data.triangle[src]);
      expect(out.offset[d]).toBe(data.offset[src]);
      expect(out.logScales[d * 3 + 1]).toBeCloseTo(data.logScales[src * 3 + 1] + (kind ? Math.log(0.75) : 0), 5);
      const f = triangleFrame(Float32Array.from(vertices), triangles, data.triangle[src]);
      const parent = { b0: data.barycentric[src * 2], b1: data.barycentric[src * 2 + 1], rotation: Array.from(data.rotations.subarray(src * 4, src * 4 + 4)) as Q4, logScale: Array.from(data.logScales.subarray(src * 3, src * 3 + 3)) as V3 };
      const [w0, w1] = kind ? placeChildBarycentric(f, parent, 'uniform', seed, d) : [parent.b0, parent.b1];
      expect(Math.abs(out.barycentric[d * 2] - w0)).toBeLessThan(1e-5);
      expect(Math.abs(out.barycentric[d * 2 + 1] - w1)).toBeLessThan(1e-5);
    });
    for (const x of [densifier, grads, bound, mesh]) x.destroy();
  }, ENGINE_TEST_TIMEOUT);
});
