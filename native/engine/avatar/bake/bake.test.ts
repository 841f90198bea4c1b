/**
 * Baking the synthetic ground-truth avatar (open head, colours from a known procedural UV texture, one Gaussian per
 * texel of a 64² UV raster) into 48² maps (so the splatted initialisation is not already exact and the fit has work) from 8 frontal-ish views: the baked colour map matches the known texture on observed texels (PSNR ≥ 30 dB), the
 * back of the head is flagged unobserved, and the baked avatar renders held-out views close to the unbaked one.
 * BAKE_TEST_STEPS / BAKE_TEST_MAP / BAKE_TEST_LEVELS override the step count, the map size and the pyramid depth.
 */
import { describe, expect, it } from 'vitest';
import { testDevice } from '../../gpu/test-device';
import { SH_C0 } from '../../reference/sh';
import { openHeadWithExpressions, proceduralTexture, randomCamera, randomHeadParams, renderFrames, uvAvatar } from '../trainer/test-fixtures';
import { bakeAvatar, VISIBILITY_FILLED, VISIBILITY_OBSERVED } from './bake';
import { CH_SH, channelImage, composeMaps } from './uv-maps';
import { ENGINE_TEST_TIMEOUT } from '../../test-timeout';

const gpu = await testDevice();
const STEPS = Number(process.env.BAKE_TEST_STEPS ?? 32);
const MAP = Number(process.env.BAKE_TEST_MAP ?? 48);
const LEVELS = Number(process.env.BAKE_TEST_LEVELS ?? 4);

describe.skipIf(!gpu.device)('bake: synthetic avatar with a known UV texture', () => {
  it(`recovers the texture on observed texels (PSNR ≥ 30 dB), ${MAP}² maps × ${LEVELS} levels, ${STEPS} steps`, async () => {
    const device = gpu.device!;
    const model = openHeadWithExpressions();
    const SIZE = 64;
    const gt = uvAvatar(model, 64, { texture: proceduralTexture(), opacity: 0.8, scaleFactor: 0.8 });
    const views = Array.from({ length: 8 }, (_, i) => ({ head: randomHeadParams(model, 300 + i), camera: randomCamera(400 + i, SIZE) }));
    const heldViews = Array.from({ length: 3 }, (_, i) => ({ head: randomHeadParams(model, 500 + i), camera: randomCamera(600 + i, SIZE) }));
    const heldOut = await renderFrames(device, model, gt, heldViews);
    const losses: number[] = [];
    const evaluated: string[] = [];
    const { maps, visibility, baked, report } = await bakeAvatar(device, model, gt, views, { mapSize: MAP, levels: LEVELS, steps: STEPS, onStep: (_, l) => losses.push(l), onEvaluate: (done, total) => evaluated.push(`${done}/${total}`) }, heldOut);

    expect(evaluated).toEqual(['1/4', '2/4', '3/4', '4/4']); // the held-out evaluation reports each pass

    // Colour map vs the known texture at the map's texel centres, over observed texels.
    const rgb = channelImage(composeMaps(maps), CH_SH, 3).map((x) => x * SH_C0 + 0.5);
    const truth = proceduralTexture(MAP).rgb;
    const psnrWhere = (flag: number) => {
      let se = 0, count = 0;
      for (let p = 0; p < MAP * MAP; p++) if (visibility[p] === flag) for (let c = 0; c < 3; c++, count++) se += (rgb[p * 3 + c] - truth[p * 3 + c]) ** 2;
      return { psnr: -10 * Math.log10(se / count), texels: count / 3 };
    };
    const obs = psnrWhere(VISIBILITY_OBSERVED), filled = psnrWhere(VISIBILITY_FILLED);
    const texturePsnr = obs.psnr;
    const unobserved = filled.texels;
    // The back pole (skull chart's bottom rows, v → 0.99) faces away from every view.
    let backRow = 0, backRowObserved = 0;
    const j = Math.floor(0.985 * MAP);
    for (let i = 0; i < MAP; i++) backRow++, (backRowObserved += visibility[j * MAP + i] === VISIBILITY_OBSERVED ? 1 : 0);
    console.info(
      `[bake] ${report.gaussians} Gaussians (${report.observedGaussians} observed), ${(100 * report.observedTexelFraction).toFixed(1)} % of covered texels observed; ` +
        `texture PSNR ${texturePsnr.toFixed(2)} dB on ${obs.texels} observed texels (filled, unobserved: ${filled.psnr.toFixed(2)} dB on ${filled.texels}); loss ${report.lossFirst?.toFixed(5)} → ${report.lossLast?.toFixed(5)}; ` +
        `held-out PSNR ${report.heldOut!.before.psnr.toFixed(2)} → ${report.heldOut!.after.psnr.toFixed(2)} dB, SSIM ${report.heldOut!.before.ssim.toFixed(4)} → ${report.heldOut!.after.ssim.toFixed(4)}; ` +
        `fidelity to unbaked renders ${report.fidelity!.psnr.toFixed(2)} dB; ` +
        `time observe ${report.seconds.observe.toFixed(1)} s, fit ${report.seconds.fit.toFixed(1)} s, evaluate ${report.seconds.evaluate.toFixed(1)} s`,
    );
    expect(texturePsnr).toBeGreaterThanOrEqual(30);
    expect(unobserved).toBeGreaterThan(0);
    expect(backRowObserved).toBeLessThan(backRow / 2);
    expect(report.fidelity!.psnr).toBeGreaterThanOrEqual(30);
    expect(report.heldOut!.after.psnr).toBeGreaterThanOrEqual(30);
    expect(baked.count).toBe(gt.count);
    // Steps cycle through the 8 views: the last cycle's mean loss is below the first's (the fit improves on the splat).
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    if (STEPS >= 16) expect(avg(losses.slice(-8))).toBeLessThan(avg(losses.slice(0, 8)));
  }, ENGINE_TEST_TIMEOUT);
});
