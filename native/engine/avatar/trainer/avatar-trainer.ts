/**
 * Training of UV-bound Gaussians on a head model (FATE stage I without the correctives). Per step, on the GPU:
 * posed vertices of the frame (CPU `HeadModel.evaluate` + rigid pose, cached per frame) → `BindingDeformer` forward →
 * forward render over a random background → photometric loss (L1 + λ·D-SSIM) against the frame composited over the
 * same background → `SplatBackward` → deformer backward → regularisers → `GpuAdam` on the bound parameters; densify /
 * prune at intervals with `triangleChildRule`. See README.md.
 */
import { createStorageBuffer, writeArray } from '../../gpu/buffers';
import { readF32 } from '../../gpu/readback';
import { psnr, ssim } from '../../reference/losses';
import { backwardInputsFromForward, SplatBackward } from '../../splat/backward';
import { SceneGradients } from '../../splat/backward-grads';
import { ForwardRenderer, type ForwardOptions, type ForwardState } from '../../splat/forward';
import { readForwardImages } from '../../splat/images';
import { GaussianScene } from '../../splat/scene';
import { GpuAdam, type LearningRates } from '../../train/adam';
import { Densifier } from '../../train/densify';
import { PhotometricLoss } from '../../train/loss';
import type { HeadModel } from '../head-model';
import { makeRandom } from '../math';
import { BoundGaussians } from '../binding/bound-gaussians';
import { BindingDeformer, BindingMesh } from '../binding/deform';
import { triangleChildRule, type TriangleChildMode } from '../binding/densify-rule';
import { compositeTarget, prepareFrame, type AvatarFrame, type PreparedFrame } from './frames';
import { BoundRegularisers, DEFAULT_REGULARISERS, regulariserReference, type RegulariserOptions } from './regularisers';
import { readCheckpoint, writeCheckpoint, type CheckpointData } from './checkpoint';

/**
 * Bound-parameter learning rates. `means` acts on [b0, b1, d]; the barycentrics get zero gradient (fixed, as in
 * FATE), so it is the normal-offset rate in metres per step.
 */
export const AVATAR_LEARNING_RATES: LearningRates = {
  means: 5e-5, // offset, metres (GaussianAvatars 5e-3 × k ≈ 5–10 mm triangles; FATE's 0.0016 acts on a tanh'd, µm-scaled offset)
  logScales: 5e-3, // FATE / GaussianAvatars
  rotations: 1e-3,
  opacities: 5e-2,
  shDC: 2.5e-3,
  shRest: 2.5e-3 / 20,
  features: 2.5e-3,
};

export interface DensifySchedule {
  /** First step (inclusive) and last step (inclusive) at which densification may run. */
  from: number;
  until: number;
  interval: number;
  /** Mean view-space gradient threshold (pixels). Default 3DGS's 2e-4 NDC → pixels: 2e-4 / (0.5·max(W, H)). */
  gradThreshold?: number;
  /** Clone/split boundary on the largest *local* scale (units of k). Default 0.5. */
  cloneMaxScale?: number;
  maxGaussians?: number;
  mode?: TriangleChildMode;
}

export interface PruneSchedule {
  /** Prune-only passes every `interval` steps (densify passes prune too). */
  interval: number;
  /** Opacity below which a Gaussian goes (FATE 0.005). */
  minOpacity: number;
  from?: number;
}

export interface AvatarTrainerOptions {
  learningRates?: Partial<LearningRates>;
  /** D-SSIM weight (default 0.2). */
  lambda?: number;
  /**
   * 'random' (default): a new uniformly random background colour each step, used both for the render and for
   * compositing the target with its matte — the model cannot explain background with Gaussians. A fixed colour uses it
   * every step.
   */
  background?: 'random' | readonly [number, number, number];
  regularisers?: Partial<RegulariserOptions> | null;
  densify?: DensifySchedule | null;
  prune?: PruneSchedule | null;
  /** Active SH degree (≤ the bound set's). */
  shDegree?: number;
  /** Seed of the frame order, backgrounds and densify randomness. */
  seed?: number;
  /** Extra capacity reserved for densification (default: the densify cap or 2× the count). */
  capacity?: number;
  /** Intersection-buffer sizing for training steps (default 'adaptive': no blocking counter read per step). */
  intersectionCapacity?: ForwardOptions['intersectionCapacity'];
}

export interface StepResult {
  step: number;
  frame: number;
  background: [number, number, number];
  densified?: { before: number; after: number };
}

export interface FrameMetrics {
  frame: number;
  psnr: number;
  ssim: number;
  /** PSNR over the mask (foreground pixels), when the frame has one. */
  maskedPsnr: number | null;
}

export interface LossBreakdown {
  photometric: number;
  l1: number;
  ssim: number;
  regulariser: number;
  total: number;
}

export class AvatarTrainer {
  readonly device: GPUDevice;
  readonly frames: PreparedFrame[];
  readonly width: number;
  readonly height: number;
  readonly mesh: BindingMesh;
  readonly world: GaussianScene;
  readonly deformer: BindingDeformer;
  readonly forward: ForwardRenderer;
  readonly backward: SplatBackward;
  readonly worldGrads: SceneGradients;
  readonly boundGrads: SceneGradients;
  readonly adam: GpuAdam;
  readonly loss: PhotometricLoss;
  readonly regularisers: BoundRegularisers;
  readonly densifier: Densifier;
  readonly options: AvatarTrainerOptions;
  step = 0;
  private readonly target: GPUBuffer;
  private readonly dRender: GPUBuffer;
  private readonly targetHost: Float32Array<ArrayBuffer>;
  private meshFrame = -1;

  constructor(
    readonly model: HeadModel,
    readonly bound: BoundGaussians,
    frames: readonly AvatarFrame[],
    options: AvatarTrainerOptions = {},
  ) {
    if (frames.length === 0) throw new RangeError('AvatarTrainer needs at least one frame');
    this.device = bound.device;
    this.options = options;
    this.frames = frames.map((f) => prepareFrame(model, f));
    this.width = this.frames[0].width;
    this.height = this.frames[0].height;
    for (const f of this.frames) {
      if (f.width !== this.width || f.height !== this.height) throw new RangeError(`all frames must be ${this.width}×${this.height}; got ${f.width}×${f.height}`);
      if (f.vertices.length !== model.vertexCount * 3) throw new RangeError('head model vertex count mismatch');
    }
    const cap = options.capacity ?? (options.densify?.maxGaussians ?? 2 * bound.count);
    if (cap > bound.capacity) bound.grow(cap);
    const d = this.device;
    this.mesh = new BindingMesh(d, model.triangles, this.frames[0].vertices, 'avatar.mesh');
    this.world = GaussianScene.create(d, { capacity: bound.capacity, shDegree: bound.shDegree, label: 'avatar.world' });
    this.deformer = new BindingDeformer(d);
    this.forward = new ForwardRenderer(d);
    this.backward = new SplatBackward(this.world);
    this.worldGrads = new SceneGradients(this.world);
    this.boundGrads = new SceneGradients(bound.params);
    this.adam = new GpuAdam(bound.params, { ...AVATAR_LEARNING_RATES, ...options.learningRates });
    this.loss = new PhotometricLoss(d, { width: this.width, height: this.height, stride: 4, lambda: options.lambda });
    this.regularisers = new BoundRegularisers(d, { ...DEFAULT_REGULARISERS, ...(options.regularisers ?? {}) });
    if (options.regularisers === null) this.regularisers.options = { ...DEFAULT_REGULARISERS, offsetWeight: 0, ratioWeight: 0, scaleWeight: 0 };
    this.densifier = new Densifier(bound.params, this.boundGrads, this.adam, triangleChildRule(bound, this.mesh, { mode: options.densify?.mode }));
    const n = this.width * this.height;
    this.target = createStorageBuffer(d, n * 16, 'avatar.target');
    this.dRender = createStorageBuffer(d, n * 16, 'avatar.dRender');
    this.targetHost = new Float32Array(n * 4);
  }

  get count(): number {
    return this.bound.count;
  }

  /** Frame trained at step `t` (1-based): a seeded permutation of the frames per epoch. */
  frameForStep(t: number): number {
    const F = this.frames.length;
    const epoch = Math.floor((t - 1) / F);
    const r = makeRandom(((this.options.seed ?? 1) * 7919 + epoch * 104729) >>> 0);
    const perm = Array.from({ length: F }, (_, i) => i);
    for (let i = F - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    return perm[(t - 1) % F];
  }

  /** Background colour of step `t`. */
  backgroundForStep(t: number): [number, number, number] {
    const bg = this.options.background ?? 'random';
    if (bg !== 'random') return [bg[0], bg[1], bg[2]];
    const r = makeRandom(((this.options.seed ?? 1) * 31337 + t * 2654435761) >>> 0);
    return [r(), r(), r()];
  }

  private setFrame(index: number): void {
    if (this.meshFrame === index) return;
    this.mesh.setVertices(this.frames[index].vertices);
    this.meshFrame = index;
  }

  private renderFrame(index: number, bg: readonly [number, number, number], intersectionCapacity = this.options.intersectionCapacity ?? 'adaptive'): Promise<ForwardState> {
    this.setFrame(index);
    const enc = this.device.createCommandEncoder({ label: 'avatar.deform' });
    this.deformer.encodeForward(enc, this.bound, this.mesh, this.world);
    this.device.queue.submit([enc.finish()]);
    this.worldGrads.ensureCapacity();
    return this.forward.render(this.world, this.frames[index].camera, { background: bg, shDegree: this.options.shDegree, intersectionCapacity });
  }

  /**
   * Forward + loss + backward into `boundGrads` (photometric + regulariser gradients) for one frame and background.
   * Records nothing else; `adamStep` then applies the update.
   */
  private async encodeGradients(frame: number, bg: readonly [number, number, number]): Promise<GPUCommandEncoder> {
    const state = await this.renderFrame(frame, bg);
    writeArray(this.device, this.target, compositeTarget(this.frames[frame], bg, this.targetHost));
    const enc = this.device.createCommandEncoder({ label: 'avatar.step' });
    this.loss.encode(enc, state.color, this.target, this.dRender, null);
    const f = this.frames[frame];
    this.backward.encode(enc, f.camera, backwardInputsFromForward(state), { rgb: this.dRender, rgbStride: 4 }, this.worldGrads, { background: bg, near: state.near });
    this.deformer.encodeBackward(enc, this.bound, this.mesh, this.worldGrads, this.boundGrads);
    this.regularisers.encode(enc, this.bound.params, this.boundGrads);
    return enc;
  }

  /** One training step (frame and background from the seeded schedule); densifies/prunes when scheduled. */
  async trainStep(): Promise<StepResult> {
    const t = ++this.step;
    const frame = this.frameForStep(t);
    const bg = this.backgroundForStep(t);
    const enc = await this.encodeGradients(frame, bg);
    this.adam.step(enc, this.boundGrads, t);
    this.device.queue.submit([enc.finish()]);
    const result: StepResult = { step: t, frame, background: bg };
    const ds = this.options.densify;
    const pr = this.options.prune;
    const densifyNow = !!ds && t >= ds.from && t <= ds.until && (t - ds.from) % ds.interval === 0;
    const pruneNow = !!pr && t >= (pr.from ?? pr.interval) && t % pr.interval === 0;
    if (densifyNow || pruneNow) result.densified = await this.densify(t, densifyNow);
    return result;
  }

  async train(steps: number, onStep?: (r: StepResult) => void): Promise<void> {
    for (let i = 0; i < steps; i++) {
      const r = await this.trainStep();
      onStep?.(r);
    }
  }

  /** One densify (+prune) or prune-only pass on the bound set, then the world scene and gradients follow. */
  private async densify(t: number, grow: boolean): Promise<{ before: number; after: number }> {
    const ds = this.options.densify;
    const minOpacity = this.options.prune?.minOpacity ?? 0.005;
    const maxG = grow ? (ds?.maxGaussians ?? this.bound.capacity) : this.bound.count;
    const res = await this.densifier.run({
      gradThreshold: grow ? (ds?.gradThreshold ?? 2e-4 / (0.5 * Math.max(this.width, this.height))) : Number.POSITIVE_INFINITY,
      cloneMaxScale: ds?.cloneMaxScale ?? 0.5,
      minOpacity,
      seed: ((this.options.seed ?? 1) * 65537 + t) >>> 0,
      maxGaussians: maxG,
    });
    this.boundGrads.ensureCapacity();
    // The world scene follows on the next forward (encodeForward grows it); its accumulated stats restart.
    const enc = this.device.createCommandEncoder({ label: 'avatar.densify.after' });
    this.deformer.encodeForward(enc, this.bound, this.mesh, this.world);
    this.device.queue.submit([enc.finish()]);
    this.worldGrads.ensureCapacity();
    const enc2 = this.device.createCommandEncoder({ label: 'avatar.densify.clear' });
    this.worldGrads.clearStats(enc2);
    this.device.queue.submit([enc2.finish()]);
    return res;
  }

  /**
   * The loss of one frame against background `bg` with the current parameters, and (in `boundGrads`) its gradient
   * — no parameter update. For gradient checks and diagnostics (reads back the loss and the bound offsets/scales).
   */
  async lossAndGradient(frame: number, bg: readonly [number, number, number]): Promise<LossBreakdown> {
    const enc = await this.encodeGradients(frame, bg);
    this.device.queue.submit([enc.finish()]);
    const l = await this.loss.readLoss();
    const n = this.bound.count;
    let regulariser = 0;
    if (this.regularisers.active) {
      const means = await readF32(this.device, this.bound.params.means, 0, n * 3);
      const logScales = await readF32(this.device, this.bound.params.logScales, 0, n * 3);
      regulariser = regulariserReference(n, means, logScales, this.regularisers.options).loss;
    }
    return { photometric: l.loss, l1: l.l1, ssim: l.ssim, regulariser, total: l.loss + regulariser };
  }

  /** Renders a frame over `bg` and returns RGB (H·W·3) and alpha. */
  async render(frame: number, bg: readonly [number, number, number] = [0, 0, 0]): Promise<{ rgb: Float32Array; alpha: Float32Array }> {
    const state = await this.renderFrame(frame, bg, 'auto');
    const img = await readForwardImages(this.device, state);
    return { rgb: img.rgb, alpha: img.alpha };
  }

  /**
   * Renders `frames` (indices into this trainer's frames, or extra frames — e.g. held-out ones) over `bg` and compares
   * with their targets composited over the same colour: PSNR and SSIM (reference metrics, full image), masked PSNR.
   */
  async evaluate(frames: ReadonlyArray<number | AvatarFrame>, bg: readonly [number, number, number] = [0, 0, 0]): Promise<FrameMetrics[]> {
    const out: FrameMetrics[] = [];
    for (let k = 0; k < frames.length; k++) {
      const item = frames[k];
      let index: number;
      let prepared: PreparedFrame;
      if (typeof item === 'number') {
        index = item;
        prepared = this.frames[item];
      } else {
        prepared = prepareFrame(this.model, item);
        if (prepared.width !== this.width || prepared.height !== this.height) throw new RangeError('evaluation frame size differs from the training size');
        this.frames.push(prepared);
        index = this.frames.length - 1;
      }
      try {
        const { rgb } = await this.render(index, bg);
        const tgt4 = compositeTarget(prepared, bg);
        const n = this.width * this.height;
        const tgt = new Float32Array(n * 3);
        for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) tgt[p * 3 + c] = tgt4[p * 4 + c];
        let maskedPsnr: number | null = null;
        if (prepared.mask) {
          let se = 0, w = 0;
          for (let p = 0; p < n; p++) {
            const m = prepared.mask[p];
            for (let c = 0; c < 3; c++) se += m * (rgb[p * 3 + c] - tgt[p * 3 + c]) ** 2;
            w += 3 * m;
          }
          maskedPsnr = w > 0 ? -10 * Math.log10(Math.max(se / w, 1e-20)) : null;
        }
        out.push({ frame: k, psnr: psnr(rgb, tgt), ssim: ssim(rgb, tgt, this.width, this.height, 3).loss, maskedPsnr });
      } finally {
        if (typeof item !== 'number') {
          this.frames.pop();
          if (this.meshFrame === index) this.meshFrame = -1;
        }
      }
    }
    return out;
  }

  /** Bound parameters + Adam moments + step, as an ArrayBuffer (see checkpoint.ts for the layout). */
  async checkpoint(): Promise<ArrayBuffer> {
    const data = await this.bound.read();
    const n = data.count;
    const moments: CheckpointData['moments'] = {};
    for (const p of ['means', 'logScales', 'rotations', 'opacities', 'sh'] as const) {
      const floats = this.bound.params.floatsPer(p);
      moments[p] = {
        m: await readF32(this.device, this.adam.m.get(p)!, 0, n * floats),
        v: await readF32(this.device, this.adam.v.get(p)!, 0, n * floats),
      };
    }
    const stats = await readF32(this.device, this.boundGrads.stats, 0, n * 4);
    return writeCheckpoint({ step: this.step, bound: data, moments, stats });
  }

  /** Restores a checkpoint written by `checkpoint()` (same head model and SH degree). */
  restore(buffer: ArrayBuffer): void {
    const c = readCheckpoint(buffer);
    const b = c.bound;
    if (b.shDegree !== this.bound.shDegree) throw new RangeError(`checkpoint SH degree ${b.shDegree} ≠ ${this.bound.shDegree}`);
    const T = this.model.triangles.length / 3;
    for (let i = 0; i < b.count; i++) if (!(b.triangle[i] < T)) throw new RangeError(`checkpoint triangle id ${b.triangle[i]} ≥ ${T}`);
    if (b.count > this.bound.capacity) {
      this.bound.grow(b.count);
      this.adam.ensureCapacity();
    }
    const p = this.bound.params;
    p.setCount(b.count);
    const means = new Float32Array(b.count * 3);
    for (let i = 0; i < b.count; i++) means.set([b.barycentric[i * 2], b.barycentric[i * 2 + 1], b.offset[i]], i * 3);
    const d = this.device;
    if (b.count > 0) {
      writeArray(d, p.means, means);
      writeArray(d, p.logScales, b.logScales);
      writeArray(d, p.rotations, b.rotations);
      writeArray(d, p.opacities, b.opacities);
      writeArray(d, p.sh, b.sh);
      writeArray(d, this.bound.triangleIds, Float32Array.from(b.triangle));
      for (const [name, mv] of Object.entries(c.moments)) {
        writeArray(d, this.adam.m.get(name as 'means')!, mv.m);
        writeArray(d, this.adam.v.get(name as 'means')!, mv.v);
      }
    }
    // Densification statistics: the bound copy equals the world accumulators after every backward.
    this.boundGrads.ensureCapacity();
    this.world.setCount(0);
    if (this.world.capacity < this.bound.capacity) this.world.grow(this.bound.capacity);
    this.worldGrads.ensureCapacity();
    const enc = this.device.createCommandEncoder({ label: 'avatar.restore' });
    this.boundGrads.clearStats(enc);
    this.worldGrads.clearStats(enc);
    this.device.queue.submit([enc.finish()]);
    if (b.count > 0) {
      writeArray(d, this.boundGrads.stats, c.stats);
      writeArray(d, this.worldGrads.stats, c.stats);
    }
    this.step = c.step;
    this.meshFrame = -1;
  }

  destroy(): void {
    for (const x of [this.mesh, this.world, this.deformer, this.forward, this.backward, this.worldGrads, this.boundGrads, this.adam, this.loss, this.regularisers, this.densifier]) x.destroy();
    this.target.destroy();
    this.dRender.destroy();
  }
}
