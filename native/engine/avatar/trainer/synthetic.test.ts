/**
 * The CI test: a known avatar on the open head (procedural UV colours) rendered under a sequence of
 * expressions, rigid poses and cameras at 64²; a fresh grey avatar (opacity 0.1, 1.25× the GT's scale) trained from 16
 * renders for 80 steps (one densify, one prune pass) reaches held-out PSNR ≥ 30 dB, full image and over the matte.
 * AVATAR_TEST_STEPS / _SHDC / _OPAC / _SIZE / _UV / _DENSIFY (sampling | threshold) / _MOUTH / _OUTSIDE override steps, rates,
 * image and UV resolution, the densification strategy and the loss weights (mouth region, outside the matte).
 */
import { describe, expect, it } from 'vitest';
import { testDevice } from '../../gpu/test-device';
import { BoundGaussians } from '../binding/bound-gaussians';
import { AvatarTrainer } from './avatar-trainer';
import { openHeadWithExpressions, proceduralTexture, randomCamera, randomHeadParams, renderFrames, uvAvatar } from './test-fixtures';
import { ENGINE_TEST_TIMEOUT } from '../../test-timeout';

const gpu = await testDevice();

const SIZE = Number(process.env.AVATAR_TEST_SIZE ?? 64);
const UV = Number(process.env.AVATAR_TEST_UV ?? 64);
const STEPS = Number(process.env.AVATAR_TEST_STEPS ?? 80);

describe.skipIf(!gpu.device)('avatar trainer: synthetic ground truth on the open head', () => {
  it(`trains a grey avatar from 16 renders to held-out PSNR ≥ 30 dB (${SIZE}², UV ${UV}²)`, async () => {
    const device = gpu.device!;
    const t0 = performance.now();
    const model = openHeadWithExpressions();
    expect(model.expressionCount).toBeGreaterThan(0);
    const gt = uvAvatar(model, UV, { texture: proceduralTexture(), opacity: 0.8, scaleFactor: 0.8 });
    const views = Array.from({ length: 20 }, (_, i) => ({ head: randomHeadParams(model, 100 + i), camera: randomCamera(200 + i, SIZE) }));
    const frames = await renderFrames(device, model, gt, views);
    const train = frames.slice(0, 16), heldOut = frames.slice(16);
    const init = uvAvatar(model, UV); // grey, opacity 0.1
    const bound = BoundGaussians.fromData(device, init);
    const trainer = new AvatarTrainer(model, bound, train, {
      learningRates: { shDC: Number(process.env.AVATAR_TEST_SHDC ?? 0.05), opacities: Number(process.env.AVATAR_TEST_OPAC ?? 0.08), logScales: 0.005, rotations: 0.002, means: 5e-5 },
      // One densify pass (children on the parent's triangle) and one prune pass inside the run.
      densify: { from: 40, until: 40, interval: 1, maxGaussians: Math.round(1.3 * init.count), strategy: (process.env.AVATAR_TEST_DENSIFY as 'sampling' | 'threshold' | undefined) ?? 'sampling' },
      prune: { interval: 60, minOpacity: 0.005 },
      seed: 7,
      intersectionCapacity: 'adaptive',
      lossWeights: { mouth: Number(process.env.AVATAR_TEST_MOUTH ?? 1), outsideMatte: Number(process.env.AVATAR_TEST_OUTSIDE ?? 1) },
    });
    const t1 = performance.now();
    const log: string[] = [];
    const evalAt = async (step: number) => {
      const m = await trainer.evaluate(heldOut);
      const mean = (k: 'psnr' | 'ssim' | 'maskedPsnr' | 'mouthPsnr') => m.reduce((s, x) => s + (x[k] ?? 0), 0) / m.length;
      log.push(`step ${step}: held-out PSNR ${mean('psnr').toFixed(2)} dB (masked ${mean('maskedPsnr').toFixed(2)}, mouth ${mean('mouthPsnr').toFixed(2)}), SSIM ${mean('ssim').toFixed(4)}, ${trainer.count} Gaussians, ${((performance.now() - t1) / 1000).toFixed(1)} s`);
      return m;
    };
    await evalAt(0);
    for (let s = 0; s < STEPS; s += 20) {
      await trainer.train(Math.min(20, STEPS - s));
      if (s + 20 < STEPS) await evalAt(trainer.step);
    }
    const final = await evalAt(trainer.step);
    console.info(`[avatar trainer] ${init.count} Gaussians, setup ${((t1 - t0) / 1000).toFixed(1)} s\n  ${log.join('\n  ')}\n  per frame: ${final.map((m) => m.psnr.toFixed(2)).join(', ')}`);
    // Full-image PSNR (the number) and, stricter, PSNR over the head's matte alone.
    for (const m of final) expect(m.psnr).toBeGreaterThanOrEqual(30);
    for (const m of final) expect(m.maskedPsnr!).toBeGreaterThanOrEqual(30);
    expect(trainer.count).not.toBe(init.count);
    trainer.destroy();
    bound.destroy();
  }, ENGINE_TEST_TIMEOUT);
});
