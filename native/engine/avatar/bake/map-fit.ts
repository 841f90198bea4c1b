/**
 * The bake's differentiable chain: UV maps → (sample at each Gaussian's UV) → bound avatar on the GPU → render →
 * L1 + D-SSIM against a target frame → SplatBackward → BindingDeformer backward → bound gradients (read back) →
 * scatter into texels. One `AvatarTrainer` (regularisers, densification and pruning off) does the render/loss/backward.
 */
import { readF32 } from '../../gpu/readback';
import { writeArray } from '../../gpu/buffers';
import type { HeadModel } from '../head-model';
import { BoundGaussians, type BoundGaussianData } from '../binding/bound-gaussians';
import { AvatarTrainer, type FrameMetrics } from '../trainer/avatar-trainer';
import type { AvatarFrame } from '../trainer/frames';
import { boundFromAttributes, writeAttributes } from './attributes';
import { CH_LOGSCALE, CH_OFFSET, CH_OPACITY, CH_ROTATION, CH_SH, CHANNELS, createSampler, gaussianUvs, sampleMaps, scatterGradients, type UvAttributeMaps, type UvSampler } from './uv-maps';

export class MapFit {
  readonly sampler: UvSampler;
  /** The baked avatar as last uploaded (placements of the trained avatar, attributes from the maps). */
  readonly baked: BoundGaussianData;
  readonly trainer: AvatarTrainer;
  private readonly bound: BoundGaussians;
  private readonly attrs: Float32Array;
  private readonly dAttr: Float32Array;

  constructor(
    readonly device: GPUDevice,
    model: HeadModel,
    placement: Pick<BoundGaussianData, 'count' | 'triangle' | 'barycentric'>,
    readonly maps: UvAttributeMaps,
    targets: readonly AvatarFrame[],
    seed = 1,
  ) {
    if (!model.uv) throw new RangeError('baking needs a head model with a UV layout');
    const n = placement.count;
    this.sampler = createSampler(maps, gaussianUvs(model.uv, placement.triangle, placement.barycentric, n));
    this.attrs = sampleMaps(maps, this.sampler);
    this.dAttr = new Float32Array(n * CHANNELS);
    this.baked = boundFromAttributes(placement, this.attrs);
    this.bound = BoundGaussians.fromData(device, this.baked);
    this.trainer = new AvatarTrainer(model, this.bound, targets, {
      regularisers: { offsetWeight: 0, ratioWeight: 0, scaleWeight: 0 },
      densify: null,
      prune: null,
      capacity: n,
      seed,
      intersectionCapacity: 'auto',
    });
  }

  get count(): number {
    return this.baked.count;
  }

  /** Samples the maps and uploads the baked avatar (call after changing `maps`). */
  upload(): void {
    sampleMaps(this.maps, this.sampler, this.attrs);
    writeAttributes(this.baked, this.attrs);
    const d = this.baked, n = d.count, p = this.bound.params;
    const means = new Float32Array(n * 3);
    for (let g = 0; g < n; g++) means.set([d.barycentric[g * 2], d.barycentric[g * 2 + 1], d.offset[g]], g * 3);
    writeArray(this.device, p.means, means);
    writeArray(this.device, p.logScales, new Float32Array(d.logScales));
    writeArray(this.device, p.rotations, new Float32Array(d.rotations));
    writeArray(this.device, p.opacities, new Float32Array(d.opacities));
    writeArray(this.device, p.sh, new Float32Array(d.sh));
  }

  /** Photometric loss of target `frame` over `bg`; with `grads`, adds dL/dtexel into them (same shapes as the levels). */
  async lossAndGradient(frame: number, bg: readonly [number, number, number], grads: Float32Array[] | null): Promise<number> {
    const loss = await this.trainer.lossAndGradient(frame, bg);
    if (!grads) return loss.photometric;
    const n = this.count, g = this.trainer.boundGrads, dev = this.device;
    const [gMeans, gLogS, gRot, gOpac, gSh] = await Promise.all([
      readF32(dev, g.means, 0, n * 3),
      readF32(dev, g.logScales, 0, n * 3),
      readF32(dev, g.rotations, 0, n * 4),
      readF32(dev, g.opacities, 0, n),
      readF32(dev, g.sh, 0, n * 3),
    ]);
    const dAttr = this.dAttr;
    for (let i = 0; i < n; i++) {
      const o = i * CHANNELS;
      for (let c = 0; c < 3; c++) dAttr[o + CH_SH + c] = gSh[i * 3 + c];
      dAttr[o + CH_OPACITY] = gOpac[i];
      for (let c = 0; c < 3; c++) dAttr[o + CH_LOGSCALE + c] = gLogS[i * 3 + c];
      for (let c = 0; c < 4; c++) dAttr[o + CH_ROTATION + c] = gRot[i * 4 + c];
      dAttr[o + CH_OFFSET] = gMeans[i * 3 + 2];
    }
    scatterGradients(this.sampler, dAttr, grads);
    return loss.photometric;
  }

  /** PSNR/SSIM of the baked avatar against `frames` (rendered over black). */
  evaluate(frames: readonly AvatarFrame[]): Promise<FrameMetrics[]> {
    return this.trainer.evaluate(frames);
  }

  destroy(): void {
    this.trainer.destroy();
    this.bound.destroy();
  }
}
