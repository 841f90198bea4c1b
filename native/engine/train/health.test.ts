import { describe, expect, it } from 'vitest';
import { createBufferFrom } from '../gpu/buffers';
import { testDevice } from '../gpu/test-device';
import { randomScene } from '../reference/test-scenes';
import { GaussianScene } from '../splat/scene';
import { HEALTH_LOSS_NONFINITE, HEALTH_PARAMS_NONFINITE, healthReference, TrainingHealth } from './health';

const gpu = await testDevice();

describe.skipIf(!gpu.device)('training health check (GPU vs CPU twin)', () => {
  it('copies the loss and flags non-finite loss / parameters', async () => {
    const device = gpu.device!;
    const N = 600;
    const ref = randomScene(5, N, 1, 0);
    const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
    const data = { count: N, means: f32(ref.means), logScales: f32(ref.logScales), rotations: f32(ref.rotations), opacities: f32(ref.opacities), sh: f32(ref.sh) };
    const scene = GaussianScene.fromData(device, data, { shDegree: 1, capacity: N + 50 });
    const health = new TrainingHealth(device);
    const check = async (loss: number[]) => {
      const lb = createBufferFrom(device, Float32Array.from([...loss, 0]), 'loss');
      const enc = device.createCommandEncoder();
      health.encode(enc, lb, scene);
      device.queue.submit([enc.finish()]);
      const got = await health.read();
      lb.destroy();
      const want = healthReference(Float32Array.from(loss), { ...data, shCoeffs: 4 });
      expect(got.flags).toBe(want.flags);
      expect(got.nonFiniteGaussians).toBe(want.nonFiniteGaussians);
      for (const k of ['l1', 'ssim', 'loss'] as const) expect(Object.is(got[k], want[k]) || got[k] === want[k]).toBe(true);
      return got;
    };
    expect((await check([0.1, 0.9, 0.2])).flags).toBe(0);
    expect((await check([0.1, NaN, 0.2])).flags).toBe(HEALTH_LOSS_NONFINITE);
    data.sh[17 * 12 + 5] = NaN;
    data.means[300 * 3] = Infinity;
    data.rotations[599 * 4 + 3] = -Infinity;
    scene.upload(data);
    const r = await check([0.1, 0.9, Infinity]);
    expect(r.flags).toBe(HEALTH_LOSS_NONFINITE | HEALTH_PARAMS_NONFINITE);
    expect(r.nonFiniteGaussians).toBe(3);
    health.destroy();
    scene.destroy();
  });
});
