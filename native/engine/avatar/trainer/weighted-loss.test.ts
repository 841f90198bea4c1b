/**
 * The trainer's weighted loss end to end: with `lossWeights` (outside-matte weight, mouth × w) the GPU loss of a
 * frame equals the CPU photometric loss of the rendered image against the composited target under the CPU weight map.
 */
import { describe, expect, it } from 'vitest';
import { testDevice } from '../../gpu/test-device';
import { photometricLoss } from '../../reference/losses';
import { BoundGaussians } from '../binding/bound-gaussians';
import { AvatarTrainer } from './avatar-trainer';
import { compositeTarget } from './frames';
import { lossWeightMap, mouthLandmarksPx, mouthRegion } from './loss-weights';
import { openHeadWithExpressions, proceduralTexture, randomCamera, randomHeadParams, renderFrames, uvAvatar } from './test-fixtures';
import { ENGINE_TEST_TIMEOUT } from '../../test-timeout';

const gpu = await testDevice();

describe.skipIf(!gpu.device)('avatar trainer: loss weight map', () => {
  it('GPU loss with matte + mouth weights = CPU reference under the same weight map', async () => {
    const device = gpu.device!;
    const model = openHeadWithExpressions();
    const S = 48;
    const gt = uvAvatar(model, 16, { texture: proceduralTexture(), opacity: 0.8 });
    const head = randomHeadParams(model, 90);
    const joints = Float32Array.from(head.jointRotations!);
    joints[6] = 0.2; // open jaw
    head.jointRotations = joints;
    const frames = await renderFrames(device, model, gt, [{ head, camera: randomCamera(91, S) }]);
    const bound = BoundGaussians.fromData(device, uvAvatar(model, 16));
    const weights = { outsideMatte: 0.3, mouth: 4, mouthMarginPx: 1 };
    const trainer = new AvatarTrainer(model, bound, frames, { lossWeights: weights, monitor: null, regularisers: null });
    const bg: [number, number, number] = [0.2, 0.6, 0.9];
    const gpuLoss = await trainer.lossAndGradient(0, bg);
    const { rgb } = await trainer.render(0, bg);
    const f = trainer.frames[0];
    const mouth = mouthLandmarksPx(model, f.vertices, f.camera)!;
    expect(mouthRegion(S, S, mouth, 1).reduce((s, x) => s + x, 0)).toBeGreaterThan(5);
    const w = lossWeightMap(S, S, f.mask, mouth, weights)!;
    const t4 = compositeTarget(f, bg);
    const target = Float64Array.from({ length: S * S * 3 }, (_, i) => t4[Math.floor(i / 3) * 4 + (i % 3)]);
    const ref = photometricLoss(rgb, target, S, S, 0.2, w);
    expect(gpuLoss.photometric).toBeCloseTo(ref.loss, 5);
    expect(gpuLoss.l1).toBeCloseTo(ref.l1, 5);
    // and differs from the unweighted loss (the weights matter)
    expect(Math.abs(photometricLoss(rgb, target, S, S, 0.2, null).loss - ref.loss)).toBeGreaterThan(1e-3);
    trainer.destroy();
    bound.destroy();
  }, ENGINE_TEST_TIMEOUT);
});
