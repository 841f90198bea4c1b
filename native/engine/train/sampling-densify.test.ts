import { describe, expect, it } from 'vitest';
import { writeArray } from '../gpu/buffers';
import { readF32 } from '../gpu/readback';
import { testDevice } from '../gpu/test-device';
import { randomScene, rng } from '../reference/test-scenes';
import { SceneGradients } from '../splat/backward-grads';
import { GaussianScene, SCENE_PARAMS } from '../splat/scene';
import { GpuAdam } from './adam';
import { Densifier } from './densify';
import { copiesCompactionReference, densifyBudget, sampleParents, samplingWeights } from './sampling-densify';

const gpu = await testDevice();

describe('sampling-based densification: multinomial draw (CPU)', () => {
  it('is deterministic for a seed, spends exactly the budget and never picks zero weights', () => {
    const r = rng(5);
    const w = Float64Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? 0 : r()));
    const a = sampleParents(w, 137, 42);
    const b = sampleParents(w, 137, 42);
    const c = sampleParents(w, 137, 43);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(a.reduce((s, x) => s + x, 0)).toBe(137);
    for (let i = 0; i < 500; i += 3) expect(a[i]).toBe(0);
    expect(sampleParents(new Float64Array(10), 5, 1).reduce((s, x) => s + x, 0)).toBe(0);
  });

  it('draws in proportion to the weights', () => {
    const w = [1, 2, 3, 4, 0, 10];
    const K = 40000;
    const c = sampleParents(w, K, 9);
    for (let i = 0; i < w.length; i++) expect(Math.abs(c[i] / K - w[i] / 20)).toBeLessThan(0.01);
  });

  it('weights drop prunable / non-finite Gaussians; budget respects the cap', () => {
    const stats = Float32Array.from([0, 0, 1, 1, 0, 0, 2, 1, 0, 0, NaN, 1, 0, 0, 3, 1]);
    const op = Float32Array.from([0, -10, 0, 0]);
    expect(Array.from(samplingWeights(stats, op, 4, 0.005))).toEqual([1, 0, 0, 3]);
    expect(densifyBudget(1000, 64000, 65000)).toBe(1000);
    expect(densifyBudget(1000, 64500, 65000)).toBe(500);
    expect(densifyBudget(1000, 66000, 65000)).toBe(0);
  });
});

describe.skipIf(!gpu.device)('sampling-based densification: GPU compaction with copies vs CPU twin', () => {
  it('keeps survivors in order, appends each parent\'s copies after it, zeroes their moments', async () => {
    const device = gpu.device!;
    const N = 400;
    const ref = randomScene(77, N, 0, 0);
    const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
    const data = { count: N, means: f32(ref.means), logScales: f32(ref.logScales), rotations: f32(ref.rotations), opacities: f32(ref.opacities), sh: f32(ref.sh) };
    for (let i = 0; i < N; i += 11) data.opacities[i] = -9; // prunable
    data.sh[3 * 20] = Infinity; // non-finite → pruned
    const scene = GaussianScene.fromData(device, data, { shDegree: 0, capacity: N });
    const grads = new SceneGradients(scene);
    const adam = new GpuAdam(scene);
    const r = rng(8);
    const stats = new Float32Array(N * 4);
    for (let i = 0; i < N; i++) stats.set([0, 0, r() * r() * 5, 3], i * 4);
    writeArray(device, grads.stats, stats);
    const m0 = Float32Array.from({ length: N }, () => 1 + r());
    writeArray(device, adam.m.get('opacities')!, m0);
    const weights = samplingWeights(stats, data.opacities, N, 0.005);
    // A copy drawn for a parent that the GPU prunes (the Inf one has finite weight here) must vanish with it.
    const copies = sampleParents(weights, 300, 2024);
    copies[20] += 2;
    const densifier = new Densifier(scene, grads, adam);
    const res = await densifier.run({ gradThreshold: 0, cloneMaxScale: 0, minOpacity: 0.005, seed: 3, copies, maxGaussians: 10_000 });
    const survives = (i: number) => i % 11 !== 0 && i !== 20;
    const want = copiesCompactionReference(copies, survives, N);
    expect(res.after).toBe(want.source.length);
    expect(want.kind.filter((k) => k === 1).length).toBeGreaterThan(250);
    const got = await scene.read();
    want.source.forEach((s, d) => {
      for (const p of SCENE_PARAMS) {
        const F = scene.floatsPer(p);
        const g = got[p], w = data[p as 'means'];
        if (!g || !w || F === 0) continue;
        for (let k = 0; k < F; k++) expect(g[d * F + k]).toBe(w[s * F + k]); // default rule: copies are exact
      }
    });
    const m = await readF32(device, adam.m.get('opacities')!, 0, res.after);
    want.source.forEach((s, d) => expect(m[d]).toBe(want.kind[d] === 0 ? m0[s] : 0));
    // The cap truncates the tail of the output.
    const res2 = await densifier.run({ gradThreshold: 0, cloneMaxScale: 0, minOpacity: 0.005, seed: 3, copies: new Uint32Array(res.after).fill(1), maxGaussians: res.after + 10 });
    expect(res2.after).toBe(res.after + 10);
    for (const x of [densifier, adam, grads, scene]) x.destroy();
  });
});
