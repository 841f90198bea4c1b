/**
 * The whole chain's gradient (posed open head → deform → render → L1 + D-SSIM against a composited target →
 * SplatBackward → deformer backward → regularisers) w.r.t. single bound parameters vs central differences of the
 * GPU loss (+ CPU regulariser value), small scene; and the regulariser kernel vs its CPU twin.
 */
import { describe, expect, it } from 'vitest';
import { writeArray } from '../../gpu/buffers';
import { readF32 } from '../../gpu/readback';
import { testDevice } from '../../gpu/test-device';
import { makeRandom } from '../math';
import { BoundGaussians } from '../binding/bound-gaussians';
import { AvatarTrainer } from './avatar-trainer';
import { regulariserReference } from './regularisers';
import { openHeadWithExpressions, proceduralTexture, randomCamera, randomHeadParams, renderFrames, uvAvatar } from './test-fixtures';
import { ENGINE_TEST_TIMEOUT } from '../../test-timeout';

const gpu = await testDevice();

describe.skipIf(!gpu.device)('avatar trainer: gradient of the whole chain', () => {
  it('bound-parameter gradients match central differences of the loss', async () => {
    const device = gpu.device!;
    const model = openHeadWithExpressions();
    const S = 32;
    const gt = uvAvatar(model, 24, { texture: proceduralTexture(), opacity: 0.7 });
    const view = { head: randomHeadParams(model, 3), camera: randomCamera(4, S) };
    const frames = await renderFrames(device, model, gt, [view]);
    // A perturbed grey avatar, with offsets and anisotropic scales so every regulariser term is active somewhere.
    const init = uvAvatar(model, 24, { opacity: 0.5 });
    const r = makeRandom(11);
    for (let i = 0; i < init.count; i++) {
      init.offset[i] = (r() - 0.5) * 0.004;
      for (let k = 0; k < 3; k++) init.logScales[i * 3 + k] += (r() - 0.5) * 1.2;
      for (let k = 0; k < 4; k++) init.rotations[i * 4 + k] += (r() - 0.5) * 0.5;
      init.opacities[i] += (r() - 0.5) * 2;
      for (let k = 0; k < 3; k++) init.sh[i * 3 + k] += (r() - 0.5) * 0.6;
    }
    const bound = BoundGaussians.fromData(device, init);
    const trainer = new AvatarTrainer(model, bound, frames, {
      regularisers: { offsetWeight: 2, ratioWeight: 0.1, maxRatio: 2, scaleWeight: 1, maxLocalScale: 0.4 },
      intersectionCapacity: 'auto',
    });
    const bg = [0.3, 0.6, 0.2] as const;
    const base = await trainer.lossAndGradient(0, bg);
    expect(base.regulariser).toBeGreaterThan(0);
    const g = await trainer.boundGrads.read();
    const n = bound.count;

    // The regulariser kernel alone vs the CPU twin: gradients with and without it differ by exactly the twin's.
    const means = await readF32(device, bound.params.means, 0, n * 3);
    const logS = await readF32(device, bound.params.logScales, 0, n * 3);
    const reg = regulariserReference(n, means, logS, trainer.regularisers.options);
    const saved = trainer.regularisers.options;
    trainer.regularisers.options = { ...saved, offsetWeight: 0, ratioWeight: 0, scaleWeight: 0 };
    await trainer.lossAndGradient(0, bg);
    const g0 = await trainer.boundGrads.read();
    trainer.regularisers.options = saved;
    let regErr = 0, regMax = 0;
    for (let i = 0; i < n * 3; i++) {
      regMax = Math.max(regMax, Math.abs(reg.gLogScales[i]), Math.abs(reg.gMeans[i]));
      regErr = Math.max(regErr, Math.abs(g.logScales[i] - g0.logScales[i] - reg.gLogScales[i]), Math.abs(g.means[i] - g0.means[i] - reg.gMeans[i]));
    }
    expect(regMax).toBeGreaterThan(0);
    expect(regErr).toBeLessThan(1e-6 * regMax + 1e-9);

    // hMax: the largest step (parameter units; the offset is in metres on a head-sized mesh).
    // A log-scale where no regulariser term acts, so the photometric path through the scale is checked on its own.
    const photoLogS = Float32Array.from(g.logScales, (x, i) => (reg.gLogScales[i] === 0 ? x : 0));
    const groups: Array<{ name: string; buffer: GPUBuffer; grad: Float32Array; stride: number; offset: number; hMax: number }> = [
      { name: 'log-scale y (no regulariser)', buffer: bound.params.logScales, grad: photoLogS, stride: 3, offset: 1, hMax: 5e-2 },
      { name: 'SH DC (red)', buffer: bound.params.sh, grad: g.sh, stride: 3, offset: 0, hMax: 5e-2 },
      { name: 'opacity', buffer: bound.params.opacities, grad: g.opacities, stride: 1, offset: 0, hMax: 5e-2 },
      { name: 'log-scale x', buffer: bound.params.logScales, grad: g.logScales, stride: 3, offset: 0, hMax: 5e-2 },
      { name: 'rotation y', buffer: bound.params.rotations, grad: g.rotations, stride: 4, offset: 2, hMax: 5e-2 },
      { name: 'normal offset', buffer: bound.params.means, grad: g.means, stride: 3, offset: 2, hMax: 1e-4 },
    ];
    const report: string[] = [];
    for (const grp of groups) {
      // The parameter with the largest |gradient| in its group (a clear signal over f32 noise).
      let best = 0;
      for (let i = 0; i < n; i++) if (Math.abs(grp.grad[i * grp.stride + grp.offset]) > Math.abs(grp.grad[best * grp.stride + grp.offset])) best = i;
      const idx = best * grp.stride + grp.offset;
      const an = grp.name.includes('no regulariser') ? g.logScales[idx] : grp.grad[idx];
      const x0 = (await readF32(device, grp.buffer, idx, 1))[0];
      const h = Math.min(grp.hMax, Math.max(1e-6, 3e-4 / Math.abs(an)));
      const at = async (x: number) => {
        writeArray(device, grp.buffer, new Float32Array([x]), idx * 4);
        return (await trainer.lossAndGradient(0, bg)).total;
      };
      const lp = await at(x0 + h), lm = await at(x0 - h);
      await at(x0);
      const fd = (lp - lm) / (2 * h);
      report.push(`${grp.name} #${best} (value ${x0.toExponential(3)}): analytic ${an.toExponential(4)}, FD ${fd.toExponential(4)} (h ${h.toExponential(1)}), rel err ${(Math.abs(fd - an) / Math.abs(an)).toExponential(2)}`);
      expect(Math.abs(an)).toBeGreaterThan(0);
      expect(Math.abs(fd - an), `${grp.name}: analytic ${an} vs FD ${fd}`).toBeLessThan(0.05 * Math.abs(an));
    }
    console.info(`[avatar trainer FD] ${n} Gaussians, ${S}², loss ${base.total.toFixed(5)} (regulariser ${base.regulariser.toFixed(5)})\n  ${report.join('\n  ')}`);
    trainer.destroy();
    bound.destroy();
  }, ENGINE_TEST_TIMEOUT);
});
