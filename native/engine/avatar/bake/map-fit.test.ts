/**
 * The bake chain (maps → sample → deform → render → L1 + D-SSIM → backward → deformer backward → scatter) against
 * central finite differences of the rendered loss, for coarse-level texels of every channel group (a coarse texel moves
 * many Gaussians, so the f32 loss change is well above its noise).
 */
import { describe, expect, it } from 'vitest';
import { testDevice } from '../../gpu/test-device';
import { openHeadWithExpressions, proceduralTexture, randomCamera, randomHeadParams, renderFrames, uvAvatar } from '../trainer/test-fixtures';
import { attributesFromBound } from './attributes';
import { MapFit } from './map-fit';
import { CH_LOGSCALE, CH_OFFSET, CH_OPACITY, CH_ROTATION, CH_SH, CHANNELS, createMaps, gaussianUvs, pushPull, splatAttributes } from './uv-maps';
import { ENGINE_TEST_TIMEOUT } from '../../test-timeout';

const gpu = await testDevice();

describe.skipIf(!gpu.device)('bake chain gradient', () => {
  it('texel gradients match finite differences of the rendered loss', async () => {
    const device = gpu.device!;
    const model = openHeadWithExpressions();
    const gt = uvAvatar(model, 32, { texture: proceduralTexture(), opacity: 0.8, scaleFactor: 0.8 });
    const view = { head: randomHeadParams(model, 11), camera: randomCamera(12, 48) };
    const targets = await renderFrames(device, model, gt, [view]);
    // Maps from a perturbed, anisotropic avatar so that the residual is not zero and rotations matter.
    const start = {
      ...gt,
      sh: gt.sh.map((x, i) => x + 0.3 * Math.sin(i)),
      opacities: gt.opacities.map((x, i) => x - 0.5 + 0.2 * Math.cos(i)),
      logScales: gt.logScales.map((x, i) => x + (i % 3 === 0 ? 0.5 : i % 3 === 1 ? -0.4 : 0)),
      rotations: gt.rotations.map((x, i) => (i % 4 === 0 ? 1 : i % 4 === 3 ? 0.3 : x)),
    };
    const maps = createMaps(16, 3);
    const uvs = gaussianUvs(model.uv!, gt.triangle, gt.barycentric, gt.count);
    const s = splatAttributes(attributesFromBound(start), uvs, 16);
    maps.levels[0].set(pushPull(s.sum, s.weight, 16, CHANNELS));
    const fit = new MapFit(device, model, gt, maps, targets);
    try {
      const bg: [number, number, number] = [0.3, 0.6, 0.2];
      const grads = maps.levels.map((lv) => new Float32Array(lv.length));
      await fit.lossAndGradient(0, bg, grads);
      const L = 2, S = 4, lv = maps.levels[L];
      const checks: Array<{ ch: number; h: number }> = [
        { ch: CH_SH, h: 0.05 },
        { ch: CH_OPACITY, h: 0.1 },
        { ch: CH_LOGSCALE, h: 0.03 },
        { ch: CH_ROTATION + 2, h: 0.03 },
        { ch: CH_OFFSET, h: 3e-4 },
      ];
      const rows: string[] = [];
      for (const { ch, h } of checks) {
        // The texel with the largest gradient in this channel.
        let best = 0;
        for (let p = 0; p < S * S; p++) if (Math.abs(grads[L][p * CHANNELS + ch]) > Math.abs(grads[L][best * CHANNELS + ch])) best = p;
        const i = best * CHANNELS + ch, x0 = lv[i];
        lv[i] = x0 + h;
        fit.upload();
        const lp = await fit.lossAndGradient(0, bg, null);
        lv[i] = x0 - h;
        fit.upload();
        const lm = await fit.lossAndGradient(0, bg, null);
        lv[i] = x0;
        fit.upload();
        const fd = (lp - lm) / (2 * h), an = grads[L][i];
        rows.push(`ch ${ch}: analytic ${an.toExponential(3)}, FD ${fd.toExponential(3)}`);
        expect(Math.abs(an - fd)).toBeLessThanOrEqual(0.15 * Math.max(Math.abs(an), Math.abs(fd)));
      }
      console.info(`[bake chain] ${fit.count} Gaussians, level ${L} (${S}²) texels:\n  ${rows.join('\n  ')}`);
    } finally {
      fit.destroy();
    }
  }, ENGINE_TEST_TIMEOUT);
});
