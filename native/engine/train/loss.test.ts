import { describe, expect, it } from 'vitest';
import { createBufferFrom, createStorageBuffer } from '../gpu/buffers';
import { readF32 } from '../gpu/readback';
import { testDevice } from '../gpu/test-device';
import { photometricLoss } from '../reference/losses';
import { rng } from '../reference/test-scenes';
import { PhotometricLoss } from './loss';

const gpu = await testDevice();

function image(seed: number, n: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r());
}

describe.skipIf(!gpu.device).each(['pixel', 'walk'] as const)('GPU photometric loss (%s passes) vs CPU reference', (mode) => {
  for (const [W, H, stride, masked] of [
    [37, 29, 3, false],
    [64, 48, 4, true],
    [40, 24, 4, 'weights'], // a loss weight map (values up to 5: matte, mouth region × w)
  ] as const) {
    it(`${W}×${H} stride ${stride}${masked ? ` ${masked === true ? 'masked' : 'weight map'}` : ''}`, async () => {
      const device = gpu.device!;
      const render = image(1, W * H * stride);
      const target = image(2, W * H * stride);
      const r = rng(3);
      const mask = Float32Array.from({ length: W * H }, () => (r() < 0.2 ? 0 : r() * (masked === 'weights' ? 5 : 1)));
      const loss = new PhotometricLoss(device, { width: W, height: H, stride, mode });
      const bR = createBufferFrom(device, render, 'render');
      const bT = createBufferFrom(device, target, 'target');
      const bM = createBufferFrom(device, mask, 'mask');
      const bG = createStorageBuffer(device, render.byteLength, 'dRender');
      const enc = device.createCommandEncoder();
      loss.encode(enc, bR, bT, bG, masked ? bM : null);
      device.queue.submit([enc.finish()]);
      const values = await loss.readLoss();
      const grad = await readF32(device, bG, 0, W * H * stride);
      // CPU reference on the RGB channels.
      const rgb = (a: Float32Array) => Float64Array.from({ length: W * H * 3 }, (_, i) => a[Math.floor(i / 3) * stride + (i % 3)]);
      const ref = photometricLoss(rgb(render), rgb(target), W, H, 0.2, masked ? mask : null);
      expect(values.loss).toBeCloseTo(ref.loss, 5);
      expect(values.l1).toBeCloseTo(ref.l1, 5);
      expect(values.ssim).toBeCloseTo(ref.ssim, 5);
      const scale = Math.max(...Array.from(ref.grad, Math.abs));
      for (let i = 0; i < W * H * stride; i++) {
        const c = i % stride;
        const expected = c < 3 ? ref.grad[Math.floor(i / stride) * 3 + c] : 0;
        expect(Number.isFinite(grad[i])).toBe(true);
        expect(Math.abs(grad[i] - expected), `grad[${i}]`).toBeLessThan(1e-3 * scale + 1e-7);
      }
      loss.destroy();
    });
  }
});
