import { describe, expect, it } from 'vitest';
import { writeArray } from '../gpu/buffers';
import { readF32 } from '../gpu/readback';
import { testDevice } from '../gpu/test-device';
import { densifyReference, KIND_KEPT, type DensifyConfig } from '../reference/densify';
import { randomScene, rng } from '../reference/test-scenes';
import { SceneGradients } from '../splat/backward-grads';
import { GaussianScene, SCENE_PARAMS } from '../splat/scene';
import { GpuAdam } from './adam';
import { Densifier } from './densify';

const gpu = await testDevice();

describe.skipIf(!gpu.device)('GPU densify/prune vs CPU reference', () => {
  it('prunes, clones, splits and compacts parameters and Adam moments', async () => {
    const device = gpu.device!;
    const N = 700;
    const ref = randomScene(31, N, 1, 2);
    const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
    const data = { count: N, means: f32(ref.means), logScales: f32(ref.logScales), rotations: f32(ref.rotations), opacities: f32(ref.opacities), sh: f32(ref.sh), features: f32(ref.features!) };
    // Make some Gaussians prunable, and a NaN one.
    for (let i = 0; i < N; i += 7) data.opacities[i] = -8;
    data.means[3 * 50] = NaN;
    const scene = GaussianScene.fromData(device, data, { shDegree: 1, featureDim: 2, capacity: N });
    const grads = new SceneGradients(scene);
    const adam = new GpuAdam(scene);
    const r = rng(4);
    const stats = new Float32Array(N * 4);
    for (let i = 0; i < N; i++) stats.set([0, 0, r() * 3, Math.floor(r() * 4)], i * 4);
    writeArray(device, grads.stats, stats);
    const moments = new Map<string, Float32Array>();
    for (const p of SCENE_PARAMS) {
      const m = Float32Array.from({ length: N * scene.floatsPer(p) }, () => r());
      moments.set(p, m);
      writeArray(device, adam.m.get(p)!, m);
    }
    const cfg: DensifyConfig = { gradThreshold: 0.5, cloneMaxScale: 0.08, minOpacity: 0.005, seed: 1234 };
    const densifier = new Densifier(scene, grads, adam);
    const res = await densifier.run(cfg);
    const cpuScene = { ...ref, means: data.means, opacities: data.opacities };
    const want = densifyReference(cpuScene, Array.from({ length: N }, (_, i) => stats[i * 4 + 2]), Array.from({ length: N }, (_, i) => stats[i * 4 + 3]), cfg);
    expect(res.before).toBe(N);
    expect(res.after).toBe(want.scene.count);
    expect(want.kind.filter((k) => k === 1).length).toBeGreaterThan(10);
    expect(want.kind.filter((k) => k === 2).length).toBeGreaterThan(10);
    expect(want.scene.count).toBeLessThan(N + want.kind.filter((k) => k !== KIND_KEPT).length);
    const got = await scene.read();
    for (const p of SCENE_PARAMS) {
      const g = got[p]!;
      const w = want.scene[p] as Float64Array;
      expect(g.length).toBe(w.length);
      for (let i = 0; i < w.length; i++) expect(Math.abs(g[i] - w[i]), `${p}[${i}]`).toBeLessThan(1e-4 * (1 + Math.abs(w[i])));
    }
    // Moments: copied for kept rows, zero for new ones.
    const m = await readF32(device, adam.m.get('logScales')!, 0, want.scene.count * 3);
    const src = moments.get('logScales')!;
    want.source.forEach((s, d) => {
      for (let k = 0; k < 3; k++) expect(m[d * 3 + k]).toBe(want.kind[d] === KIND_KEPT ? src[s * 3 + k] : 0);
    });
    const st = await grads.read();
    expect(Math.max(...st.stats)).toBe(0);
    densifier.destroy();
    adam.destroy();
    grads.destroy();
    scene.destroy();
  });

  it('resets opacity to at most the given value', async () => {
    const device = gpu.device!;
    const ref = randomScene(32, 50, 0, 0);
    const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
    const scene = GaussianScene.fromData(device, { count: 50, means: f32(ref.means), logScales: f32(ref.logScales), rotations: f32(ref.rotations), opacities: f32(ref.opacities), sh: f32(ref.sh) }, { shDegree: 0 });
    const grads = new SceneGradients(scene);
    const d = new Densifier(scene, grads, null);
    const enc = device.createCommandEncoder();
    d.resetOpacity(enc, 0.01);
    device.queue.submit([enc.finish()]);
    const got = await scene.read();
    for (let i = 0; i < 50; i++) expect(got.opacities[i]).toBeCloseTo(Math.min(ref.opacities[i], Math.log(0.01 / 0.99)), 5);
    d.destroy();
    grads.destroy();
    scene.destroy();
  });
});
