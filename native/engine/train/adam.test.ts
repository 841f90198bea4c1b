import { describe, expect, it } from 'vitest';
import { writeArray } from '../gpu/buffers';
import { testDevice } from '../gpu/test-device';
import { adamState, adamStep } from '../reference/adam';
import { randomScene, rng } from '../reference/test-scenes';
import { SceneGradients } from '../splat/backward-grads';
import { GaussianScene, SCENE_PARAMS } from '../splat/scene';
import { GpuAdam } from './adam';

const gpu = await testDevice();

describe.skipIf(!gpu.device)('GPU Adam vs CPU reference', () => {
  it('three steps with per-group learning rates (SH DC vs rest)', async () => {
    const device = gpu.device!;
    const N = 37;
    const ref = randomScene(5, N, 2, 2);
    const data = {
      count: N, means: ref.means as Float32Array, logScales: ref.logScales as Float32Array, rotations: ref.rotations as Float32Array,
      opacities: ref.opacities as Float32Array, sh: ref.sh as Float32Array, features: ref.features as Float32Array,
    };
    const scene = GaussianScene.fromData(device, data, { shDegree: 2, featureDim: 2, capacity: 50 });
    const grads = new SceneGradients(scene);
    const lr = { means: 0.01, logScales: 0.02, rotations: 0.03, opacities: 0.04, shDC: 0.05, shRest: 0.006, features: 0.07 };
    const adam = new GpuAdam(scene, lr);
    const cpu = Object.fromEntries(SCENE_PARAMS.map((p) => [p, Float64Array.from(data[p])])) as Record<string, Float64Array>;
    const states = Object.fromEntries(SCENE_PARAMS.map((p) => [p, adamState(cpu[p].length)]));
    const r = rng(9);
    for (let t = 1; t <= 3; t++) {
      for (const p of SCENE_PARAMS) {
        const g = Float32Array.from({ length: cpu[p].length }, () => r() - 0.5);
        writeArray(device, grads.buffer(p)!, g);
        if (p === 'sh') {
          const K3 = scene.shCoeffs * 3;
          const params = cpu[p];
          // DC (first 3 floats of each Gaussian) and rest use different rates.
          for (let i = 0; i < params.length; i++) {
            const one = Float64Array.of(params[i]);
            const st = { m: states[p].m.subarray(i, i + 1), v: states[p].v.subarray(i, i + 1) };
            adamStep(one, [g[i]], st, t, i % K3 < 3 ? lr.shDC : lr.shRest);
            params[i] = one[0];
          }
        } else {
          adamStep(cpu[p], g, states[p], t, lr[p as 'means']);
        }
      }
      const enc = device.createCommandEncoder();
      adam.step(enc, grads, t);
      device.queue.submit([enc.finish()]);
    }
    const out = await scene.read();
    for (const p of SCENE_PARAMS) {
      const got = out[p]!;
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - cpu[p][i]), `${p}[${i}]`).toBeLessThan(2e-5 * (1 + Math.abs(cpu[p][i])));
    }
    adam.destroy();
    grads.destroy();
    scene.destroy();
  });
});
