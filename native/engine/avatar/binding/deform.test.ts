import { describe, expect, it } from 'vitest';
import { writeArray } from '../../gpu/buffers';
import { readF32 } from '../../gpu/readback';
import { testDevice } from '../../gpu/test-device';
import { deformBackwardReference, deformReference, type BoundRef } from '../../reference/binding';
import { rng } from '../../reference/test-scenes';
import { SceneGradients } from '../../splat/backward-grads';
import { GaussianScene, type ShDegree } from '../../splat/scene';
import { BoundGaussians, type BoundGaussianData } from './bound-gaussians';
import { BindingDeformer, BindingMesh } from './deform';
import { jitteredOctahedron, randomBound, uvSphere } from './test-fixtures';
import { ENGINE_TEST_TIMEOUT } from '../../test-timeout';

const gpu = await testDevice();

function toData(b: BoundRef): BoundGaussianData {
  return {
    count: b.count,
    shDegree: b.shDegree as ShDegree,
    triangle: Uint32Array.from(b.triangle),
    barycentric: Float32Array.from(b.barycentric),
    offset: Float32Array.from(b.offset),
    rotations: Float32Array.from(b.rotations),
    logScales: Float32Array.from(b.logScales),
    opacities: Float32Array.from(b.opacities),
    sh: Float32Array.from(b.sh),
  };
}

/** The f32-rounded bound parameters as the GPU sees them (so the CPU reference differs only by arithmetic). */
function rounded(b: BoundRef): BoundRef {
  const d = toData(b);
  return { ...d };
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, relTol: number, name: string) {
  expect(got.length, name).toBe(want.length);
  const scale = maxAbs(want) + 1e-30;
  let worst = 0, at = -1;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]) / scale;
    if (!(e <= worst)) { worst = e; at = i; }
  }
  if (!(worst <= relTol)) throw new Error(`${name}: max error ${worst.toExponential(2)} (relative to max |x| ${scale.toExponential(2)}) at ${at}: ${got[at]} vs ${want[at]}`);
}

const cases = [
  { name: 'jittered octahedron, 24 Gaussians, SH 1', mesh: () => jitteredOctahedron(101), n: 24, sh: 1 as ShDegree, seed: 5 },
  { name: 'jittered sphere (12×16), 3000 Gaussians, SH 0', mesh: () => uvSphere(12, 16, 0.12, 0.15, 7), n: 3000, sh: 0 as ShDegree, seed: 9 },
];

describe.skipIf(!gpu.device)('binding deform on the GPU vs the CPU reference', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const device = gpu.device!;
      const { vertices, triangles } = c.mesh();
      const T = triangles.length / 3;
      const bound = rounded(randomBound(c.seed, c.n, T, c.sh));
      const verts32 = Float32Array.from(vertices);
      const mesh = new BindingMesh(device, triangles, verts32);
      const gb = BoundGaussians.fromData(device, toData(bound));
      const scene = GaussianScene.create(device, { capacity: 16, shDegree: c.sh });
      const deformer = new BindingDeformer(device);
      let enc = device.createCommandEncoder();
      deformer.encodeForward(enc, gb, mesh, scene);
      device.queue.submit([enc.finish()]);
      const got = await scene.read();
      const want = deformReference(bound, verts32, triangles);
      expect(got.count).toBe(c.n);
      expectClose(got.means, want.means, 2e-6, 'means');
      expectClose(got.logScales, want.logScales, 2e-6, 'logScales');
      // Quaternions: same sign expected (same Shepperd branch) — report any flips.
      let flips = 0;
      for (let i = 0; i < c.n; i++) {
        let d = 0;
        for (let a = 0; a < 4; a++) d += got.rotations[i * 4 + a] * want.rotations[i * 4 + a];
        if (d < 0) flips++;
      }
      expect(flips).toBe(0);
      expectClose(got.rotations, want.rotations, 2e-6, 'rotations');
      expect(Array.from(got.opacities)).toEqual(Array.from(Float32Array.from(bound.opacities)));
      expect(Array.from(got.sh)).toEqual(Array.from(Float32Array.from(bound.sh)));

      // Backward from random world-space gradients.
      const r = rng(c.seed + 1);
      const K3 = (c.sh + 1) ** 2 * 3;
      const rand = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
      const g = { means: rand(c.n * 3), logScales: rand(c.n * 3), rotations: rand(c.n * 4), opacities: rand(c.n), sh: rand(c.n * K3), stats: rand(c.n * 4) };
      const sceneGrads = new SceneGradients(scene);
      for (const k of ['means', 'logScales', 'rotations', 'opacities', 'sh', 'stats'] as const) writeArray(device, sceneGrads[k]!, g[k]);
      const boundGrads = new SceneGradients(gb.params);
      for (const learnBarycentrics of [false, true]) {
        enc = device.createCommandEncoder();
        deformer.encodeBackward(enc, gb, mesh, sceneGrads, boundGrads, { learnBarycentrics });
        device.queue.submit([enc.finish()]);
        const bg = await boundGrads.read();
        const vg = await readF32(device, deformer.vertexGrads, 0, vertices.length);
        const ref = deformBackwardReference(bound, verts32, triangles, g, { learnBarycentrics });
        const refMeans = new Float64Array(c.n * 3);
        for (let i = 0; i < c.n; i++) refMeans.set([ref.barycentric[i * 2], ref.barycentric[i * 2 + 1], ref.offset[i]], i * 3);
        expectClose(bg.means, refMeans, 2e-5, 'd[b0, b1, d]');
        expectClose(bg.rotations, ref.rotations, 2e-5, 'd rotations');
        expect(Array.from(bg.logScales)).toEqual(Array.from(g.logScales));
        expect(Array.from(bg.opacities)).toEqual(Array.from(g.opacities));
        expect(Array.from(bg.sh)).toEqual(Array.from(g.sh));
        expect(Array.from(bg.stats)).toEqual(Array.from(g.stats));
        expectClose(vg, ref.vertices, 5e-5, 'd vertices');
      }
      // accumulate: a second backward adds the same amounts.
      enc = device.createCommandEncoder();
      deformer.encodeBackward(enc, gb, mesh, sceneGrads, boundGrads, { learnBarycentrics: true, accumulate: true });
      device.queue.submit([enc.finish()]);
      const bg2 = await boundGrads.read();
      const vg2 = await readF32(device, deformer.vertexGrads, 0, vertices.length);
      const ref = deformBackwardReference(bound, verts32, triangles, g, { learnBarycentrics: true });
      expectClose(bg2.rotations, ref.rotations.map((x) => 2 * x), 2e-5, 'accumulated d rotations');
      expectClose(bg2.opacities, Float64Array.from(g.opacities, (x) => 2 * x), 1e-7, 'accumulated d opacities');
      expectClose(vg2, ref.vertices.map((x) => 2 * x), 5e-5, 'accumulated d vertices');
      for (const x of [mesh, gb, scene, sceneGrads, boundGrads, deformer]) x.destroy();
    }, ENGINE_TEST_TIMEOUT);
  }

  it('unbound / out-of-range triangle ids and degenerate triangles deform to NaN (culled) and get zero gradients', async () => {
    const device = gpu.device!;
    const { vertices, triangles } = jitteredOctahedron(3);
    const v = Float32Array.from(vertices);
    // Collapse triangle 0 (vertices 0, 2, 4) by moving vertex 4 onto vertex 0; this also collapses triangle 3.
    v.set(v.subarray(0, 3), 12);
    const bound = rounded(randomBound(4, 8, 8, 0));
    (bound.triangle as Uint32Array)[5] = 99;
    const mesh = new BindingMesh(device, triangles, v);
    const gb = BoundGaussians.fromData(device, toData(bound));
    const scene = GaussianScene.create(device, { capacity: 8, shDegree: 0 });
    const deformer = new BindingDeformer(device);
    const enc = device.createCommandEncoder();
    deformer.encodeForward(enc, gb, mesh, scene);
    device.queue.submit([enc.finish()]);
    const got = await scene.read();
    const want = deformReference(bound, v, triangles);
    for (let i = 0; i < 8; i++) {
      const bad = i === 0 || i === 3 || i === 5;
      expect(Number.isNaN(got.means[i * 3]), `Gaussian ${i}`).toBe(bad);
      expect(Number.isNaN(want.means[i * 3]), `Gaussian ${i} (reference)`).toBe(bad);
    }
    const sceneGrads = new SceneGradients(scene);
    const boundGrads = new SceneGradients(gb.params);
    for (const k of ['means', 'logScales', 'rotations', 'opacities', 'sh', 'stats'] as const) writeArray(device, sceneGrads[k]!, new Float32Array(8 * (k === 'rotations' || k === 'stats' ? 4 : k === 'means' || k === 'logScales' || k === 'sh' ? 3 : 1)).fill(0.5));
    const enc2 = device.createCommandEncoder();
    deformer.encodeBackward(enc2, gb, mesh, sceneGrads, boundGrads, { learnBarycentrics: true });
    device.queue.submit([enc2.finish()]);
    const bg = await boundGrads.read();
    const vg = await readF32(device, deformer.vertexGrads, 0, v.length);
    expect(vg.every((x) => Number.isFinite(x))).toBe(true);
    for (const i of [0, 3, 5]) {
      expect(Array.from(bg.means.subarray(i * 3, i * 3 + 3))).toEqual([0, 0, 0]);
      expect(Array.from(bg.rotations.subarray(i * 4, i * 4 + 4))).toEqual([0, 0, 0, 0]);
    }
    expect(bg.means[1 * 3 + 2]).not.toBe(0);
    for (const x of [mesh, gb, scene, deformer, sceneGrads, boundGrads]) x.destroy();
  });
});
