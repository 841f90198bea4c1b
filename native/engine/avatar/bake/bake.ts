/**
 * Baking a trained bound-Gaussian avatar into continuous UV attribute maps (FATE stage II, fate.md §3).
 *
 * 1. Observation: per-Gaussian weights Σ α·T over the bake views (`observation.ts`); Gaussians with weight ≥
 *    `minObservation` are observed. Visibility map = texels where observed Gaussians hold ≥ `minTexelShare` of the
 *    bilinear weight (texels inside the UV layout under no Gaussian: their neighbours' share; `uv-visibility.ts`).
 * 2. Initialisation: the observed Gaussians' attributes are splatted (bilinear) into the finest level; push-pull
 *    fills every other texel (the unobserved back of the head takes its observed neighbours' values); coarser levels
 *    start at zero.
 * 3. Fit: the baked avatar (the trained avatar's triangles + barycentrics, attributes sampled from the maps) is
 *    rendered against the trained avatar's own renders of the bake views (random backgrounds, L1 + D-SSIM, through
 *    `AvatarTrainer.lossAndGradient`: render → SplatBackward → deformer backward); the bound-parameter gradients are
 *    scattered into the texels (`scatterGradients`), a multi-level smoothness prior is added and Adam updates the
 *    texels (CPU).
 * 4. Report: held-out PSNR/SSIM of the unbaked and the baked avatar against held-out frames, and the baked avatar's
 *    fidelity to the unbaked renders on those views.
 */
import type { HeadModel } from '../head-model';
import { makeRandom } from '../math';
import { BoundGaussians, type BoundGaussianData } from '../binding/bound-gaussians';
import { AvatarTrainer, type FrameMetrics } from '../trainer/avatar-trainer';
import type { AvatarFrame } from '../trainer/frames';
import { MapAdam } from './map-adam';
import { attributesFromBound } from './attributes';
import { MapFit } from './map-fit';
import { observationWeights, renderViews, type BakeView } from './observation';
import { denseVisibility, rasterUvLayout } from './uv-visibility';
import {
  CH_LOGSCALE,
  CH_OFFSET,
  CH_OPACITY,
  CH_ROTATION,
  CH_SH,
  CHANNELS,
  createMaps,
  gaussianUvs,
  pushPull,
  smoothnessPrior,
  splatAttributes,
  type UvAttributeMaps,
} from './uv-maps';

export const VISIBILITY_FILLED = 1;
export const VISIBILITY_OBSERVED = 2;

export interface BakeRates {
  sh: number;
  opacity: number;
  logScale: number;
  rotation: number;
  offset: number;
}

export const DEFAULT_BAKE_RATES: BakeRates = { sh: 0.004, opacity: 0.02, logScale: 0.005, rotation: 0.002, offset: 2e-5 };

export interface BakeOptions {
  /** Finest map size M (M×M). Default 512. */
  mapSize?: number;
  /** Pyramid levels (M, M/2, …). Default 4. */
  levels?: number;
  /** Optimisation steps through the renderer (0 = splat + push-pull only). Default 300. */
  steps?: number;
  rates?: Partial<BakeRates>;
  /** Weight of the smoothness prior (see `smoothnessPrior`). Default 1e-3. */
  smoothness?: number;
  /** Σ α·T (pixels, over all bake views) at which a Gaussian counts as observed. Default 0.01. */
  minObservation?: number;
  /**
   * Learning-rate factor on every level (default 1/levels: Adam moves every level's texels by about its rate per step,
   * so the sampled value would otherwise move `levels` times as fast as a single-level map's).
   */
  levelRate?: number;
  /** Share of a texel's bilinear weight from observed Gaussians at which it counts as observed. Default 0.5. */
  minTexelShare?: number;
  seed?: number;
  /** Called after each optimisation step with the photometric loss (throw from it to stop the bake). */
  onStep?: (step: number, loss: number) => void;
  /** Called as each stage starts (throw from it to stop the bake). */
  onStage?: (stage: BakeStage) => void;
  /** During 'evaluate', after each of its passes over the held-out frames (`done` of `total`; throw to stop). */
  onEvaluate?: (done: number, total: number) => void;
}

/** The stages of a bake, in order. */
export type BakeStage = 'observe' | 'targets' | 'fit' | 'evaluate';

export interface BakeReport {
  mapSize: number;
  levels: number;
  steps: number;
  gaussians: number;
  observedGaussians: number;
  /** Fraction of the layout's texels (inside a UV triangle or under a Gaussian's bilinear footprint) that are observed. */
  observedTexelFraction: number;
  lossFirst: number | null;
  lossLast: number | null;
  /** Against held-out frames (when given): mean PSNR / SSIM of the unbaked and the baked avatar. */
  heldOut: { before: { psnr: number; ssim: number }; after: { psnr: number; ssim: number }; dropDb: number } | null;
  /** Baked renders vs the unbaked avatar's renders of the held-out views (mean PSNR / SSIM), when views are given. */
  fidelity: { psnr: number; ssim: number } | null;
  seconds: { observe: number; fit: number; evaluate: number };
}

export interface BakeResult {
  maps: UvAttributeMaps;
  /**
   * M² bytes (what the editor shows): `VISIBILITY_OBSERVED` (2) texel set by Gaussians seen in the bake views,
   * `VISIBILITY_FILLED` (1) under some Gaussian but unobserved (filled by push-pull, then only the prior moves it),
   * 0 outside the UV layout and every Gaussian's footprint (padding between charts, also push-pull filled). Texels
   * inside the layout under no Gaussian take their neighbours' state (`uv-visibility.ts`).
   */
  visibility: Uint8Array;
  /** M² observation weight splatted per texel (pixels). */
  observation: Float32Array;
  /** The baked avatar: the trained placements with attributes sampled from the maps (SH degree 0). */
  baked: BoundGaussianData;
  report: BakeReport;
}

/**
 * Bakes `trained` (a bound avatar on `model`, which must have a UV layout) into UV maps using renders of `views`.
 * `heldOut` (optional) are real held-out frames for the before/after report; their views also give the fidelity figure.
 */
export async function bakeAvatar(
  device: GPUDevice,
  model: HeadModel,
  trained: BoundGaussianData,
  views: readonly BakeView[],
  options: BakeOptions = {},
  heldOut: readonly AvatarFrame[] = [],
): Promise<BakeResult> {
  if (!model.uv) throw new RangeError('baking needs a head model with a UV layout');
  if (views.length === 0) throw new RangeError('baking needs at least one view');
  if (trained.count === 0) throw new RangeError('cannot bake an avatar with no Gaussians');
  const M = options.mapSize ?? 512, L = options.levels ?? 4, steps = options.steps ?? 300;
  const rates = { ...DEFAULT_BAKE_RATES, ...options.rates };
  const smoothness = options.smoothness ?? 1e-3;
  const minObs = options.minObservation ?? 0.01;
  const minShare = options.minTexelShare ?? 0.5;
  const levelRate = options.levelRate ?? 1 / L;
  const rng = makeRandom(options.seed ?? 1);
  const n = trained.count;

  const t0 = performance.now();
  const uvs = gaussianUvs(model.uv, trained.triangle, trained.barycentric, n);
  options.onStage?.('observe');
  const obs = await observationWeights(device, model, trained, views);
  const observedGaussian = new Uint8Array(n);
  let observedGaussians = 0;
  for (let g = 0; g < n; g++) if (obs[g] >= minObs) (observedGaussian[g] = 1), observedGaussians++;

  if (observedGaussians === 0) throw new RangeError('no Gaussian is seen in the bake views: check the views and cameras');

  // Initial maps: the observed Gaussians splatted; push-pull fills every other texel (the unobserved back of the head
  // takes its neighbours' values, not the untrained Gaussians' own).
  const maps = createMaps(M, L);
  const attrs0 = attributesFromBound(trained);
  const { sum, weight } = splatAttributes(attrs0, uvs, M, observedGaussian);
  maps.levels[0].set(pushPull(sum, weight, M, CHANNELS));
  const observed = splatAttributes(new Float32Array(n * CHANNELS), uvs, M, obs).weight;
  const covered = splatAttributes(new Float32Array(n * CHANNELS), uvs, M).weight;
  // Observed where the observed Gaussians hold ≥ ½ of the texel's bilinear weight; texels inside the UV layout but
  // under no Gaussian (map finer than the Gaussians) take their neighbours' share.
  const visibility = denseVisibility(weight, covered, rasterUvLayout(model.uv, M), M, minShare);
  let coveredTexels = 0, observedTexels = 0;
  for (let p = 0; p < M * M; p++) {
    if (visibility[p] !== 0) coveredTexels++;
    if (visibility[p] === VISIBILITY_OBSERVED) observedTexels++;
  }
  options.onStage?.('targets');
  const targets = await renderViews(device, model, trained, views);
  options.onStage?.('fit');
  const t1 = performance.now();

  let lossFirst: number | null = null, lossLast: number | null = null;
  const fit = new MapFit(device, model, trained, maps, targets, options.seed ?? 1);
  try {
    const channelRate = new Float64Array(CHANNELS);
    channelRate.fill(rates.sh, CH_SH, CH_SH + 3);
    channelRate[CH_OPACITY] = rates.opacity;
    channelRate.fill(rates.logScale, CH_LOGSCALE, CH_LOGSCALE + 3);
    channelRate.fill(rates.rotation, CH_ROTATION, CH_ROTATION + 4);
    channelRate[CH_OFFSET] = rates.offset;
    // Each channel's learning rate is its natural step size: the prior measures differences in those units
    // (weight ∝ 1/rate²), so an offset map in metres is smoothed as much as a colour map in SH units.
    const priorChannel = Float64Array.from(channelRate, (r) => (r > 0 ? (rates.sh / r) ** 2 : 0));
    const adam = new MapAdam(maps, channelRate, maps.levels.map(() => levelRate));
    const grads = maps.levels.map((lv) => new Float32Array(lv.length));
    for (let t = 1; t <= steps; t++) {
      const frame = (t - 1) % targets.length;
      const bg: [number, number, number] = [rng(), rng(), rng()];
      for (const gl of grads) gl.fill(0);
      const loss = await fit.lossAndGradient(frame, bg, grads);
      if (lossFirst === null) lossFirst = loss;
      lossLast = loss;
      options.onStep?.(t, loss);
      smoothnessPrior(maps, smoothness, grads, priorChannel);
      adam.step(maps, grads, t);
      fit.upload();
    }
    const t2 = performance.now();
    let heldOutReport: BakeReport['heldOut'] = null, fidelity: BakeReport['fidelity'] = null;
    if (heldOut.length > 0) {
      options.onStage?.('evaluate');
      // Four passes: the bake scored, the trained avatar scored, the trained avatar rendered, the bake against those.
      const after = mean(await fit.evaluate(heldOut));
      options.onEvaluate?.(1, 4);
      const before = mean(await evaluateBound(device, model, trained, heldOut));
      options.onEvaluate?.(2, 4);
      heldOutReport = { before, after, dropDb: before.psnr - after.psnr };
      const unbakedRenders = await renderViews(device, model, trained, heldOut.map((f) => ({ head: f.head, camera: f.camera })));
      options.onEvaluate?.(3, 4);
      fidelity = mean(await fit.evaluate(unbakedRenders));
      options.onEvaluate?.(4, 4);
    }
    const t3 = performance.now();
    return {
      maps,
      visibility,
      observation: observed,
      baked: fit.baked,
      report: {
        mapSize: M,
        levels: L,
        steps,
        gaussians: n,
        observedGaussians,
        observedTexelFraction: coveredTexels > 0 ? observedTexels / coveredTexels : 0,
        lossFirst,
        lossLast,
        heldOut: heldOutReport,
        fidelity,
        seconds: { observe: (t1 - t0) / 1000, fit: (t2 - t1) / 1000, evaluate: (t3 - t2) / 1000 },
      },
    };
  } finally {
    fit.destroy();
  }
}

async function evaluateBound(device: GPUDevice, model: HeadModel, data: BoundGaussianData, frames: readonly AvatarFrame[]): Promise<FrameMetrics[]> {
  const bound = BoundGaussians.fromData(device, data);
  const trainer = new AvatarTrainer(model, bound, frames, { densify: null, prune: null, capacity: data.count, intersectionCapacity: 'auto' });
  try {
    return await trainer.evaluate(frames.map((_, i) => i));
  } finally {
    trainer.destroy();
    bound.destroy();
  }
}

function mean(m: readonly FrameMetrics[]): { psnr: number; ssim: number } {
  return { psnr: m.reduce((s, x) => s + x.psnr, 0) / m.length, ssim: m.reduce((s, x) => s + x.ssim, 0) / m.length };
}
