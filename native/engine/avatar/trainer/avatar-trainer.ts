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
import { HEALTH_LOSS_NONFINITE, TrainingHealth, type HealthReport } from '../../train/health';
import { densifyBudget, sampleParents, samplingWeights } from '../../train/sampling-densify';
import type { HeadModel } from '../head-model';
import { makeRandom } from '../math';
import { BoundGaussians } from '../binding/bound-gaussians';
import { BindingDeformer, BindingMesh } from '../binding/deform';
import { triangleChildRule, type TriangleChildMode } from '../binding/densify-rule';
import { compositeTarget, prepareFrame, type AvatarFrame, type PreparedFrame } from './frames';
import { BoundRegularisers, DEFAULT_REGULARISERS, regulariserReference, type RegulariserOptions } from './regularisers';
import { readCheckpoint, writeCheckpoint, type CheckpointData } from './checkpoint';
import { HeadTuning, type HeadTuningOptions } from './head-tuning';
import { activeShDegree, DEFAULT_SCHEDULE, offsetRateFactor, type TrainingSchedule } from './schedule';
import { DEFAULT_LOSS_WEIGHTS, isUniformWeighting, lossWeightMap, mouthLandmarksPx, mouthRegion, type LossWeightOptions } from './loss-weights';

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
  /**
   * 'sampling' (default; FATE): `budget` new Gaussians per densify step, parents drawn multinomially by accumulated
   * view-space gradient, children uniform on the parent's triangle at 0.75× its scale. 'threshold': 3DGS clone/split
   * of the Gaussians whose mean gradient passes `gradThreshold`.
   */
  strategy?: 'sampling' | 'threshold';
  /** New Gaussians per densify step ('sampling'; FATE 1000), capped by `maxGaussians`. */
  budget?: number;
  /** Child scale relative to the parent ('sampling'; FATE 0.75). */
  childScale?: number;
  /** Mean view-space gradient threshold (pixels). Default 3DGS's 2e-4 NDC → pixels: 2e-4 / (0.5·max(W, H)). */
  gradThreshold?: number;
  /** Clone/split boundary on the largest *local* scale (units of k). Default 0.5. */
  cloneMaxScale?: number;
  maxGaussians?: number;
  /** Child placement; default 'fate' with 'sampling', 'gaussian' with 'threshold'. */
  mode?: TriangleChildMode;
}

/** NaN/Inf watch: health checks, in-memory snapshots, rollback with a lower learning rate. */
export interface MonitorOptions {
  /** Loss + finiteness check every `interval` steps, read back asynchronously (the step loop does not wait). */
  interval: number;
  /** In-memory snapshot (a checkpoint) every `snapshotInterval` steps, after a blocking check that it is finite. */
  snapshotInterval: number;
  /** Learning-rate multiplier applied at each rollback. */
  lrFactor: number;
  /** Rollbacks allowed; one more fails the run with an error. */
  maxRollbacks: number;
}

export const DEFAULT_MONITOR: MonitorOptions = { interval: 10, snapshotInterval: 200, lrFactor: 0.5, maxRollbacks: 8 };

/** The latest health/loss reading (`lastStats()`). */
export interface TrainingStats extends HealthReport {
  /** Step whose loss and parameters were read. */
  step: number;
  count: number;
  lrScale: number;
  rollbacks: number;
}

export interface RollbackEvent {
  /** Step whose check found non-finite values. */
  detectedAt: number;
  /** Step of the snapshot restored (the trainer continues from here). */
  toStep: number;
  reason: string;
  /** Learning-rate multiplier from now on. */
  lrScale: number;
  rollbacks: number;
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
  /** Per-frame head-parameter fine-tuning and corrective blend shapes (head-tuning.ts); default off. */
  headTuning?: HeadTuningOptions | null;
  /** Per-pixel loss weights: outside the matte, mouth region (default uniform: no weight map). */
  lossWeights?: Partial<LossWeightOptions>;
  /** Offset-rate decay and SH-degree schedule (defaults in schedule.ts). */
  schedule?: Partial<TrainingSchedule>;
  /** NaN/Inf watch (default on, DEFAULT_MONITOR); null turns it off. */
  monitor?: Partial<MonitorOptions> | null;
  /** Called after each NaN rollback (also reported in the StepResult). */
  onRollback?: (e: RollbackEvent) => void;
}

export interface StepResult {
  step: number;
  frame: number;
  background: [number, number, number];
  densified?: { before: number; after: number };
  /** Set when non-finite values were found before this step and the trainer rolled back (then trained this step). */
  rolledBack?: RollbackEvent;
}

export interface FrameMetrics {
  frame: number;
  psnr: number;
  ssim: number;
  /** PSNR over the mask (foreground pixels), when the frame has one. */
  maskedPsnr: number | null;
  /** PSNR over the mouth region (convex hull of the projected outer-lip landmarks), when the model embeds them. */
  mouthPsnr: number | null;
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
  readonly health: TrainingHealth;
  readonly schedule: TrainingSchedule;
  readonly lossWeights: LossWeightOptions;
  readonly monitor: MonitorOptions | null;
  step = 0;
  /** Head tuning (null = tracked parameters fixed, posed vertices cached per frame). */
  headTuning: HeadTuning | null = null;
  /** Learning-rate multiplier (× lrFactor per NaN rollback). */
  lrScale = 1;
  rollbacks = 0;
  private readonly baseRates: LearningRates;
  private readonly weights: GPUBuffer | null;
  private readonly weightsHost: Float32Array<ArrayBuffer> | null;
  private latest: TrainingStats | null = null;
  private pending: Array<{ step: number; promise: Promise<unknown>; report: HealthReport | null; done: boolean }> = [];
  private snapshot: { step: number; data: ArrayBuffer } | null = null;
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
    this.baseRates = { ...AVATAR_LEARNING_RATES, ...options.learningRates };
    this.adam = new GpuAdam(bound.params, this.baseRates);
    this.schedule = { ...DEFAULT_SCHEDULE, ...options.schedule };
    this.lossWeights = { ...DEFAULT_LOSS_WEIGHTS, ...options.lossWeights };
    this.monitor = options.monitor === null ? null : { ...DEFAULT_MONITOR, ...options.monitor };
    this.health = new TrainingHealth(d);
    this.loss = new PhotometricLoss(d, { width: this.width, height: this.height, stride: 4, lambda: options.lambda });
    this.regularisers = new BoundRegularisers(d, { ...DEFAULT_REGULARISERS, ...(options.regularisers ?? {}) });
    if (options.regularisers === null) this.regularisers.options = { ...DEFAULT_REGULARISERS, offsetWeight: 0, ratioWeight: 0, scaleWeight: 0 };
    const sampling = (options.densify?.strategy ?? 'sampling') === 'sampling';
    this.densifier = new Densifier(bound.params, this.boundGrads, this.adam, triangleChildRule(bound, this.mesh, { mode: options.densify?.mode ?? (sampling ? 'fate' : 'gaussian') }));
    const n = this.width * this.height;
    const weighted = !isUniformWeighting(this.lossWeights);
    this.weights = weighted ? createStorageBuffer(d, n * 4, 'avatar.lossWeights') : null;
    this.weightsHost = weighted ? new Float32Array(n) : null;
    this.target = createStorageBuffer(d, n * 16, 'avatar.target');
    this.dRender = createStorageBuffer(d, n * 16, 'avatar.dRender');
    this.targetHost = new Float32Array(n * 4);
    if (options.headTuning) this.headTuning = new HeadTuning(model, frames.map((f) => f.head), options.headTuning);
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
    if (this.headTuning) {
      // Tuned parameters change every step: re-pose and upload each time (V×12 bytes).
      this.mesh.setVertices(this.headTuning.vertices(index, this.frames[index]));
      this.meshFrame = -1;
      return;
    }
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
    return this.forward.render(this.world, this.frames[index].camera, { background: bg, shDegree: this.shDegreeAt(Math.max(1, this.step)), intersectionCapacity });
  }

  /** Active SH degree at step t (the schedule's, capped by `options.shDegree`). */
  shDegreeAt(t: number): number {
    return activeShDegree(t, this.options.shDegree ?? this.bound.shDegree, this.schedule);
  }

  /**
   * Forward + loss + backward into `boundGrads` (photometric + regulariser gradients) for one frame and background.
   * Records nothing else; `adamStep` then applies the update.
   */
  private async encodeGradients(frame: number, bg: readonly [number, number, number]): Promise<GPUCommandEncoder> {
    const state = await this.renderFrame(frame, bg);
    writeArray(this.device, this.target, compositeTarget(this.frames[frame], bg, this.targetHost));
    const f = this.frames[frame];
    if (this.weights && this.weightsHost) {
      const mouth = this.lossWeights.mouth !== 1 ? mouthLandmarksPx(this.model, f.vertices, f.camera) : null;
      writeArray(this.device, this.weights, lossWeightMap(this.width, this.height, f.mask, mouth, this.lossWeights, this.weightsHost)!);
    }
    const enc = this.device.createCommandEncoder({ label: 'avatar.step' });
    this.loss.encode(enc, state.color, this.target, this.dRender, this.weights);
    this.backward.encode(enc, f.camera, backwardInputsFromForward(state), { rgb: this.dRender, rgbStride: 4 }, this.worldGrads, { background: bg, near: state.near });
    this.deformer.encodeBackward(enc, this.bound, this.mesh, this.worldGrads, this.boundGrads);
    this.regularisers.encode(enc, this.bound.params, this.boundGrads);
    return enc;
  }

  /** One training step (frame and background from the seeded schedule); densifies/prunes when scheduled. */
  async trainStep(): Promise<StepResult> {
    const mon = this.monitor;
    if (mon && !this.snapshot) this.snapshot = { step: this.step, data: await this.checkpoint() };
    if (mon && this.pending.length > 3) await this.pending[0].promise; // bounded detection latency
    let rolledBack = mon ? await this.handleReports() : undefined;
    const t = ++this.step;
    const frame = this.frameForStep(t);
    const bg = this.backgroundForStep(t);
    const enc = await this.encodeGradients(frame, bg);
    this.applyLearningRates(t);
    this.adam.step(enc, this.boundGrads, t);
    const snapshotNow = !!mon && t % mon.snapshotInterval === 0;
    const checkNow = !!mon && (t % mon.interval === 0 || snapshotNow);
    if (checkNow) this.health.encode(enc, this.loss.result, this.bound.params);
    this.device.queue.submit([enc.finish()]);
    if (this.headTuning) await this.headTuning.step(this.device, frame, this.deformer.vertexGrads, t);
    if (checkNow) {
      const entry: (typeof this.pending)[number] = { step: t, promise: Promise.resolve(), report: null, done: false };
      // A failed read (device lost mid-run, trainer destroyed) only skips this check; the next GPU call reports it.
      entry.promise = this.health.read().then(
        (r) => {
          entry.report = r;
          entry.done = true;
        },
        () => {
          entry.done = true;
        },
      );
      this.pending.push(entry);
    }
    const result: StepResult = { step: t, frame, background: bg };
    const ds = this.options.densify;
    const pr = this.options.prune;
    const densifyNow = !!ds && t >= ds.from && t <= ds.until && (t - ds.from) % ds.interval === 0;
    const pruneNow = !!pr && t >= (pr.from ?? pr.interval) && t % pr.interval === 0;
    if (densifyNow || pruneNow) result.densified = await this.densify(t, densifyNow);
    if (snapshotNow) {
      await Promise.all(this.pending.map((p) => p.promise));
      rolledBack = (await this.handleReports()) ?? rolledBack;
      if (this.step === t) this.snapshot = { step: t, data: await this.checkpoint() };
    }
    if (rolledBack) result.rolledBack = rolledBack;
    return result;
  }

  /** Adam's rates for step t: base × NaN-rollback scale × the offset decay. */
  private applyLearningRates(t: number): void {
    const b = this.baseRates, k = this.lrScale;
    this.adam.lr = {
      means: b.means * k * offsetRateFactor(t, this.schedule),
      logScales: b.logScales * k,
      rotations: b.rotations * k,
      opacities: b.opacities * k,
      shDC: b.shDC * k,
      shRest: b.shRest * k,
      features: b.features * k,
    };
  }

  /** Consumes the health reports that have arrived (in step order); rolls back on the first non-finite one. */
  private async handleReports(): Promise<RollbackEvent | undefined> {
    while (this.pending.length && this.pending[0].done) {
      const { step, report } = this.pending.shift()!;
      if (!report) continue;
      this.latest = { ...report, step, count: this.bound.count, lrScale: this.lrScale, rollbacks: this.rollbacks };
      if (report.flags !== 0) return this.rollback(step, report);
    }
    return undefined;
  }

  private async rollback(step: number, report: HealthReport): Promise<RollbackEvent> {
    const mon = this.monitor!;
    const what = [report.flags & HEALTH_LOSS_NONFINITE ? `loss ${report.loss}` : '', report.nonFiniteGaussians ? `${report.nonFiniteGaussians} Gaussians with non-finite parameters` : ''].filter(Boolean).join(', ');
    if (this.rollbacks >= mon.maxRollbacks) throw new Error(`avatar training diverged: ${what} at step ${step} after ${this.rollbacks} rollbacks`);
    const snap = this.snapshot!;
    const lrScale = this.lrScale * mon.lrFactor, rollbacks = this.rollbacks + 1;
    this.pending = [];
    this.restore(snap.data);
    this.snapshot = snap;
    this.lrScale = lrScale;
    this.rollbacks = rollbacks;
    this.applyLearningRates(this.step + 1);
    const e: RollbackEvent = { detectedAt: step, toStep: snap.step, reason: `non-finite values: ${what}`, lrScale, rollbacks };
    this.options.onRollback?.(e);
    return e;
  }

  /** The latest health/loss reading (every `monitor.interval` steps, asynchronous; null before the first). */
  lastStats(): TrainingStats | null {
    return this.latest;
  }

  /** Checks the current loss (of the last step) and parameters now (a blocking 32-byte readback). */
  async readStats(): Promise<TrainingStats> {
    const enc = this.device.createCommandEncoder({ label: 'avatar.health' });
    this.health.encode(enc, this.loss.result, this.bound.params);
    this.device.queue.submit([enc.finish()]);
    const r = await this.health.read();
    return { ...r, step: this.step, count: this.bound.count, lrScale: this.lrScale, rollbacks: this.rollbacks };
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
    const seed = ((this.options.seed ?? 1) * 65537 + t) >>> 0;
    const res = grow && (ds?.strategy ?? 'sampling') === 'sampling' ? await this.samplingDensify(seed, minOpacity, maxG) : await this.densifier.run({
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

  /** FATE: read the gradient sums and opacities, draw `budget` parents on the CPU, compact on the GPU. */
  private async samplingDensify(seed: number, minOpacity: number, maxG: number) {
    const ds = this.options.densify!;
    const n = this.bound.count;
    const stats = await readF32(this.device, this.boundGrads.stats, 0, n * 4);
    const opacities = await readF32(this.device, this.bound.params.opacities, 0, n);
    const weights = samplingWeights(stats, opacities, n, minOpacity);
    let survivors = 0;
    for (let i = 0; i < n; i++) if (1 / (1 + Math.exp(-opacities[i])) >= minOpacity) survivors++;
    const copies = sampleParents(weights, densifyBudget(ds.budget ?? 1000, survivors, maxG), seed);
    return this.densifier.run({ gradThreshold: 0, cloneMaxScale: 0, minOpacity, seed, splitFactor: 1 / (ds.childScale ?? 0.75), maxGaussians: maxG, copies });
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
        if (this.headTuning) prepared.vertices = this.headTuning.posed(item.head); // with the learnt correctives
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
        let mouthPsnr: number | null = null;
        const mouth = mouthLandmarksPx(this.model, prepared.vertices, prepared.camera);
        if (mouth) {
          const region = mouthRegion(this.width, this.height, mouth, 0);
          let se = 0, w = 0;
          for (let p = 0; p < n; p++) if (region[p]) for (let c = 0; c < 3; c++, w++) se += (rgb[p * 3 + c] - tgt[p * 3 + c]) ** 2;
          if (w > 0) mouthPsnr = -10 * Math.log10(Math.max(se / w, 1e-20));
        }
        out.push({ frame: k, psnr: psnr(rgb, tgt), ssim: ssim(rgb, tgt, this.width, this.height, 3).loss, maskedPsnr, mouthPsnr });
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
    return writeCheckpoint({ step: this.step, bound: data, moments, stats, lrScale: this.lrScale, rollbacks: this.rollbacks, headTuning: this.headTuning?.toBytes() });
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
    if (this.headTuning && c.headTuning) this.headTuning.restore(c.headTuning);
    this.lrScale = c.lrScale ?? 1;
    this.rollbacks = c.rollbacks ?? 0;
    this.pending = [];
    this.snapshot = null; // the NaN watch snapshots the restored state before the next step
    this.meshFrame = -1;
  }

  destroy(): void {
    for (const x of [this.mesh, this.world, this.deformer, this.forward, this.backward, this.worldGrads, this.boundGrads, this.adam, this.loss, this.regularisers, this.densifier]) x.destroy();
    this.target.destroy();
    this.dRender.destroy();
    this.health.destroy();
    this.weights?.destroy();
  }
}
