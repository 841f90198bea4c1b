import { describe, expect, it } from 'vitest';
import { createBufferFrom, writeArray } from '../gpu/buffers';
import { readF32 } from '../gpu/readback';
import { testDevice } from '../gpu/test-device';
import { randomScene } from '../reference/test-scenes';
import { SceneGradients } from '../splat/backward-grads';
import { GaussianScene } from '../splat/scene';
import { Densifier, type ChildPlacementRule } from './densify';

const gpu = await testDevice();

describe.skipIf(!gpu.device)('densify with a custom child placement rule', () => {
  it('binds @group(1) inputs and compacts extra attributes', async () => {
    const device = gpu.device!;
    const N = 40;
    const ref = randomScene(41, N, 0, 0);
    const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
    const opac = f32(ref.opacities).fill(2);
    opac[3] = -9; // pruned
    const scene = GaussianScene.fromData(device, { count: N, means: f32(ref.means), logScales: f32(ref.logScales).fill(Math.log(0.01)), rotations: f32(ref.rotations), opacities: opac, sh: f32(ref.sh) }, { shDegree: 0 });
    const grads = new SceneGradients(scene);
    // Gaussians 0..9 are selected (high gradient) → cloned (small scale).
    const stats = new Float32Array(N * 4);
    for (let i = 0; i < 10; i++) stats.set([0, 0, 1, 1], i * 4);
    writeArray(device, grads.stats, stats);
    // "Triangle id" attribute per Gaussian, and a per-triangle offset table the rule reads at @group(1).
    let triangle = createBufferFrom(device, Float32Array.from({ length: N }, (_, i) => i % 4), 'triangle');
    const offsets = createBufferFrom(device, new Float32Array([0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0]), 'offsets');
    const rule: ChildPlacementRule = {
      name: 'mesh-test',
      wgsl: /* wgsl */ `
@group(1) @binding(0) var<storage, read> tri_offset: array<vec4f>;
fn place_child(c: ptr<function, Child>, kind: u32, src: u32, dst: u32) {
  (*c).mean += tri_offset[src % 4u].xyz;
  (*c).opacity = -1.0;
}`,
      group1: () => [offsets],
      extraAttributes: [{ floatsPer: 1, get: () => triangle, set: (b) => (triangle = b) }],
    };
    const d = new Densifier(scene, grads, null, rule);
    const res = await d.run({ gradThreshold: 0.5, cloneMaxScale: 1, minOpacity: 0.005, seed: 1 });
    expect(res.after).toBe(N - 1 + 9); // Gaussian 3 is selected but pruned first
    const got = await scene.read();
    const tri = await readF32(device, triangle, 0, res.after);
    // Output order: source order, each clone right after its parent; Gaussian 3 removed.
    const expectedSrc: number[] = [];
    const isChild: boolean[] = [];
    for (let i = 0; i < N; i++) {
      if (i === 3) continue;
      expectedSrc.push(i);
      isChild.push(false);
      if (i < 10) {
        expectedSrc.push(i);
        isChild.push(true);
      }
    }
    expectedSrc.forEach((s, k) => {
      expect(tri[k]).toBe(s % 4);
      const off = isChild[k] ? [[0, 0, 0], [1, 0, 0], [0, 2, 0], [0, 0, 3]][s % 4] : [0, 0, 0];
      for (let c = 0; c < 3; c++) expect(got.means[k * 3 + c]).toBeCloseTo(ref.means[s * 3 + c] + off[c], 5);
      expect(got.opacities[k]).toBe(isChild[k] ? -1 : 2);
    });
    d.destroy();
    grads.destroy();
    scene.destroy();
    triangle.destroy();
    offsets.destroy();
  });
});
