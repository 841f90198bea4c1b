/**
 * NaN/Inf watch: a parameter poisoned with NaN after a snapshot is detected by the asynchronous health check, the
 * trainer rolls back to the snapshot with half the learning rate, reports it, and trains on with finite values. Also
 * logs the cost of one health check + readback (the figure in the README).
 */
import { describe, expect, it } from 'vitest';
import { testDevice } from '../../gpu/test-device';
import { BoundGaussians } from '../binding/bound-gaussians';
import { AvatarTrainer, type RollbackEvent } from './avatar-trainer';
import { initFromUvLayout } from '../binding/init';
import { openHeadWithExpressions, proceduralTexture, randomCamera, randomHeadParams, renderFrames, uvAvatar } from './test-fixtures';
import { ENGINE_TEST_TIMEOUT } from '../../test-timeout';

const gpu = await testDevice();

describe.skipIf(!gpu.device)('avatar trainer: NaN detection and rollback', () => {
  it('rolls back to the last good snapshot with a lower learning rate and continues finite', async () => {
    const device = gpu.device!;
    const model = openHeadWithExpressions();
    const S = 32;
    const gt = uvAvatar(model, 16, { texture: proceduralTexture(), opacity: 0.8 });
    const views = Array.from({ length: 3 }, (_, i) => ({ head: randomHeadParams(model, 60 + i), camera: randomCamera(70 + i, S) }));
    const frames = await renderFrames(device, model, gt, views);
    const bound = BoundGaussians.fromData(device, uvAvatar(model, 16));
    const events: RollbackEvent[] = [];
    const trainer = new AvatarTrainer(model, bound, frames, {
      learningRates: { shDC: 0.02 },
      monitor: { interval: 2, snapshotInterval: 4 },
      onRollback: (e) => events.push(e),
      seed: 3,
    });
    await trainer.train(4); // snapshot at step 4 (after a blocking check)
    const good = trainer.lastStats()!;
    expect(good.step).toBe(4);
    expect(good.flags).toBe(0);
    expect(Number.isFinite(good.loss)).toBe(true);
    const shDcBefore = trainer.adam.lr.shDC;
    // Poison one Gaussian's colour (NaN) and another's opacity (Inf), as a diverging update would.
    device.queue.writeBuffer(bound.params.sh, 3 * 4 * 10, new Float32Array([NaN]));
    device.queue.writeBuffer(bound.params.opacities, 4 * 20, new Float32Array([Infinity]));
    const results = [];
    for (let i = 0; i < 10 && events.length === 0; i++) results.push(await trainer.trainStep());
    expect(events.length).toBe(1);
    const e = events[0];
    expect(e.toStep).toBe(4);
    expect(e.detectedAt).toBeGreaterThanOrEqual(6);
    expect(e.lrScale).toBe(0.5);
    expect(e.rollbacks).toBe(1);
    expect(e.reason).toMatch(/2 Gaussians with non-finite parameters/);
    expect(results[results.length - 1].rolledBack).toEqual(e);
    // Found before a step (then that step is 5, trained from the snapshot) or by the blocking check of the next
    // snapshot step (then the trainer stands at the snapshot, step 4).
    expect(trainer.step).toBe(results[results.length - 1].step === 5 ? 5 : 4);
    expect(trainer.adam.lr.shDC).toBeCloseTo(shDcBefore * 0.5, 10);
    await trainer.train(4);
    const after = await trainer.readStats();
    expect(after.flags).toBe(0);
    expect(after.nonFiniteGaussians).toBe(0);
    expect(Number.isFinite(after.loss)).toBe(true);
    expect(after.lrScale).toBe(0.5);
    const data = await bound.read();
    expect(data.sh.every(Number.isFinite) && data.opacities.every(Number.isFinite)).toBe(true);
    // The scale and count survive a checkpoint round trip.
    const ck = await trainer.checkpoint();
    trainer.lrScale = 1;
    trainer.restore(ck);
    expect(trainer.lrScale).toBe(0.5);
    expect(trainer.rollbacks).toBe(1);
    // Cost of one check (kernel over the live Gaussians + 32-byte readback), blocking, averaged.
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) await trainer.readStats();
    console.info(`[monitor] health check + readback: ${((performance.now() - t0) / 10).toFixed(2)} ms blocking, ${trainer.count} Gaussians`);
    trainer.destroy();
    bound.destroy();
  }, ENGINE_TEST_TIMEOUT);

  it('SH-degree schedule: higher coefficients stay untouched until their degree is active', async () => {
    const device = gpu.device!;
    const model = openHeadWithExpressions();
    const gt = uvAvatar(model, 12, { texture: proceduralTexture(), opacity: 0.8 });
    const frames = await renderFrames(device, model, gt, [{ head: randomHeadParams(model, 80), camera: randomCamera(81, 24) }]);
    const init = initFromUvLayout({ vertices: model.evaluate({}), triangles: model.triangles }, model.uv!, { resolution: 12, shDegree: 1 }).data;
    const bound = BoundGaussians.fromData(device, init);
    const trainer = new AvatarTrainer(model, bound, frames, { schedule: { shDegreeInterval: 2 }, learningRates: { shRest: 0.01 }, monitor: null });
    expect([1, 2, 3].map((t) => trainer.shDegreeAt(t))).toEqual([0, 0, 1]);
    const rest = (sh: Float32Array) => sh.filter((_, i) => i % 12 >= 3);
    const sh0 = rest(init.sh);
    await trainer.train(2);
    expect(Array.from(rest((await bound.read()).sh))).toEqual(Array.from(sh0));
    await trainer.train(2);
    const sh4 = rest((await bound.read()).sh);
    expect(sh4.some((x, i) => x !== sh0[i])).toBe(true);
    expect(Number.isFinite((await trainer.readStats()).loss)).toBe(true);
    trainer.destroy();
    bound.destroy();
  }, ENGINE_TEST_TIMEOUT);
});
