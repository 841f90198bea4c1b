/**
 * Checkpoints: serialise → restore → serialise is byte-identical; a trainer restored into a fresh avatar continues
 * with the same next steps as the original (same frame, background, parameters and moments), across a densify.
 */
import { describe, expect, it } from 'vitest';
import { testDevice } from '../../gpu/test-device';
import { makeRandom } from '../math';
import { BoundGaussians } from '../binding/bound-gaussians';
import { AVATAR_LEARNING_RATES, AvatarTrainer, type AvatarTrainerOptions } from './avatar-trainer';
import { readCheckpoint } from './checkpoint';
import { openHeadWithExpressions, proceduralTexture, randomCamera, randomHeadParams, renderFrames, uvAvatar } from './test-fixtures';
import { ENGINE_TEST_TIMEOUT } from '../../test-timeout';

const gpu = await testDevice();

describe.skipIf(!gpu.device)('avatar trainer checkpoints', () => {
  it('restores exactly and resumes with identical next steps', async () => {
    const device = gpu.device!;
    const model = openHeadWithExpressions();
    const S = 32;
    const gt = uvAvatar(model, 24, { texture: proceduralTexture(), opacity: 0.8 });
    const views = Array.from({ length: 4 }, (_, i) => ({ head: randomHeadParams(model, 40 + i), camera: randomCamera(50 + i, S) }));
    const frames = await renderFrames(device, model, gt, views);
    const options: AvatarTrainerOptions = {
      learningRates: { shDC: 0.02, means: 2e-4 },
      // Densify at step 3 with a low threshold so the count changes before the checkpoint; prune at 6.
      densify: { from: 3, until: 3, interval: 1, gradThreshold: 1e-7, maxGaussians: 2000 },
      prune: { interval: 6, minOpacity: 0.005 },
      seed: 5,
    };
    // Anisotropic start, so rotation gradients carry signal (an isotropic Gaussian's rotation gradient is rounding noise).
    const start = uvAvatar(model, 24);
    const r = makeRandom(9);
    for (let i = 0; i < start.logScales.length; i++) start.logScales[i] += (r() - 0.5) * 1.0;
    const a = new AvatarTrainer(model, BoundGaussians.fromData(device, start), frames, options);
    const n0 = a.count;
    await a.train(5);
    expect(a.count).toBeGreaterThan(n0);
    const ck = await a.checkpoint();
    const parsed = readCheckpoint(ck);
    expect(parsed.step).toBe(5);
    expect(parsed.bound.count).toBe(a.count);

    // A fresh trainer (different avatar: 16² UV init) takes the checkpoint.
    const b = new AvatarTrainer(model, BoundGaussians.fromData(device, uvAvatar(model, 16)), frames, options);
    b.restore(ck);
    expect(b.step).toBe(5);
    expect(b.count).toBe(a.count);
    expect(new Uint8Array(await b.checkpoint())).toEqual(new Uint8Array(ck));

    // Next steps (6 includes a prune pass): same frame, background and densify result; the first resumed step's loss
    // is bit-identical (same parameters, deterministic forward and loss).
    const losses: string[] = [];
    for (let s = 0; s < 2; s++) {
      const ra = await a.trainStep(), rb = await b.trainStep();
      expect(rb.step).toBe(ra.step);
      expect(rb.frame).toBe(ra.frame);
      expect(rb.background).toEqual(ra.background);
      expect(rb.densified).toEqual(ra.densified);
      const la = await a.loss.readLoss(), lb = await b.loss.readLoss();
      if (s === 0) expect(lb.loss).toBe(la.loss);
      else expect(Math.abs(lb.loss - la.loss)).toBeLessThan(1e-5 * la.loss);
      losses.push(`step ${ra.step} loss ${la.loss} / ${lb.loss}`);
    }
    const ca = readCheckpoint(await a.checkpoint()), cb = readCheckpoint(await b.checkpoint());
    expect(cb.bound.count).toBe(ca.bound.count);
    expect(cb.bound.triangle).toEqual(ca.bound.triangle);
    // The backward adds with float atomics, whose order (and so the last bits) can change between runs. Moments must
    // agree to rounding. Parameters too, except where the gradient is itself rounding noise (e.g. the rotation of an
    // isotropic Gaussian — the UV init is isotropic): Adam normalises such noise into steps of up to ~lr, just as on a
    // rerun from scratch. So: every parameter within 3·lr·steps, and at most 2 % of entries beyond 1e-5 relative.
    const report: string[] = [];
    const lr = { ...AVATAR_LEARNING_RATES, ...options.learningRates };
    const params = { means: 'barycentric', logScales: 'logScales', rotations: 'rotations', opacities: 'opacities', sh: 'sh' } as const;
    for (const k of Object.keys(params) as Array<keyof typeof params>) {
      const ma = ca.moments[k]!.m, mb = cb.moments[k]!.m, va = ca.moments[k]!.v, vb = cb.moments[k]!.v;
      let mMax = 0, mErr = 0, vMax = 0, vErr = 0;
      for (let i = 0; i < ma.length; i++) {
        mMax = Math.max(mMax, Math.abs(ma[i]));
        mErr = Math.max(mErr, Math.abs(ma[i] - mb[i]));
        vMax = Math.max(vMax, va[i]);
        vErr = Math.max(vErr, Math.abs(va[i] - vb[i]));
      }
      expect(mErr, `${k}.m`).toBeLessThanOrEqual(1e-4 * mMax);
      expect(vErr, `${k}.v`).toBeLessThanOrEqual(1e-4 * vMax);
      const flat = (c: typeof ca) => (k === 'means' ? Float32Array.from({ length: c.bound.count * 3 }, (_, i) => (i % 3 === 2 ? c.bound.offset[(i - 2) / 3] : c.bound.barycentric[Math.floor(i / 3) * 2 + (i % 3)])) : c.bound[params[k]]);
      const pa = flat(ca), pb = flat(cb);
      const rate = k === 'sh' ? lr.shDC : lr[k];
      let differ = 0, beyond = 0, maxAbs = 0;
      for (let i = 0; i < pa.length; i++) {
        const d = Math.abs(pa[i] - pb[i]);
        if (d === 0) continue;
        differ++;
        maxAbs = Math.max(maxAbs, d);
        if (d > 1e-5 * (1 + Math.abs(pa[i]))) beyond++;
      }
      expect(maxAbs, k).toBeLessThanOrEqual(3 * rate * 2);
      expect(beyond, k).toBeLessThanOrEqual(0.02 * pa.length);
      report.push(`${k}: ${differ}/${pa.length} differ, ${beyond} beyond 1e-5 (max ${maxAbs.toExponential(1)}, lr ${rate}); moments max error ${(mErr / (mMax || 1)).toExponential(1)} / ${(vErr / (vMax || 1)).toExponential(1)} of max`);
    }
    console.info(`[avatar checkpoint] ${ck.byteLength} bytes for ${parsed.bound.count} Gaussians; ${losses.join('; ')}\n  ${report.join('\n  ')}`);
    a.destroy();
    b.destroy();
    a.bound.destroy();
    b.bound.destroy();
  }, ENGINE_TEST_TIMEOUT);
});
