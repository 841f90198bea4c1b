/**
 * Head tuning for the avatar trainer (FATE Eq. 5 and its per-frame FLAME refinement, `shared/research/fate.md` §1, §2.1):
 *
 * - per-frame fine-tuning of the tracked head parameters — rigid rotation (a left correction Rod(δ)·R_tracked),
 *   translation, expression, jaw/eye (optionally neck) axis-angles — with Adam, an L2 prior towards the tracked values
 *   and optional temporal smoothness between neighbouring frames;
 * - learnable per-subject corrective blend shapes (zero at the start): vertex offsets linear in the expression
 *   coefficients (ΔE) and in the pose features (R_j − I) of chosen joints (ΔP), with Adam, L2 + uniform-Laplacian
 *   regularisers and an element-wise clamp.
 *
 * Per training step the trainer uploads `vertices(frame)` (posed on the CPU by `HeadPosing`), and after its backward
 * `step(...)` reads `deformer.vertexGrads` (V×3 f32, the only readback), pushes it through the LBS backward and updates
 * the frame's parameters and the correctives. See README.md ("Head tuning").
 */
import { readF32 } from '../../gpu/readback';
import type { HeadModel } from '../head-model';
import { composeRotation, composeRotationVjp, HeadPosing, type Correctives, type PoseInput, type PoseState } from '../lbs-backward';
import { rotationToAxisAngle } from '../math';
import { rigidRotation, type FrameHeadParams, type PreparedFrame } from './frames';

export interface HeadTuningRates {
  /** rad per step (rigid rotation correction). */
  rotation: number;
  /** metres per step. */
  translation: number;
  /** expression coefficient units per step. */
  expression: number;
  /** rad per step (joint axis-angles). */
  joints: number;
  /** metres per unit coefficient / feature per step (FATE: 1e-5). */
  correctives: number;
}

/** FATE's rates (tracking 5e-4, blend shapes 1e-5), translation in metres. For ~10⁴–10⁵-step runs. */
export const HEAD_TUNING_RATES: HeadTuningRates = { rotation: 5e-4, translation: 1e-4, expression: 5e-4, joints: 5e-4, correctives: 1e-5 };

export interface HeadTuningPrior {
  /** Weight of Σ (δ/σ)² per frame, relative to the photometric loss (mean over pixels). */
  weight: number;
  sigma: { rotation: number; translation: number; expression: number; joints: number };
}

/**
 * Weight 5e-6: the photometric gradient (L1 + D-SSIM, mean over pixels) of a frame's parameters at the optimum is sign
 * noise of ~1e-3 (rotation, rad⁻¹) and ~5e-5 (expression) on the synthetic set; the prior's 2w·δ/σ² matches it at about
 * 2σ, so it stops random-walk drift without holding back ~1σ corrections. Heavier weights (1e-4) pin expression/jaw.
 */
export const DEFAULT_HEAD_TUNING_PRIOR: HeadTuningPrior = { weight: 5e-6, sigma: { rotation: 0.02, translation: 0.005, expression: 0.3, joints: 0.03 } };

export interface TemporalSmoothness {
  /** Time (source frame index) of each tuned frame; frames adjacent in time order with a gap ≤ `maxGap` are neighbours. */
  times: ArrayLike<number>;
  /** Weight of Σ_neighbours Σ ((a_f − a_g)/σ)² over the absolute parameters (σ of the prior). */
  weight: number;
  maxGap?: number;
}

export interface CorrectiveRegularisers {
  /** λ · mean_v Σ_columns |Δ_v|² (metres²). */
  l2: number;
  /** λ · mean_v Σ_columns |(LΔ)_v|², L the uniform mesh Laplacian (FATE's weight 1e5 on the Laplacian difference). */
  laplacian: number;
  /** Clamp of every ΔE entry (metres per unit coefficient) and ΔP entry (metres per unit feature). */
  maxExpression: number;
  maxPose: number;
}

export const DEFAULT_CORRECTIVE_REGULARISERS: CorrectiveRegularisers = { l2: 1e2, laplacian: 1e5, maxExpression: 0.01, maxPose: 0.02 };

export interface HeadTuningOptions {
  /** Per-frame parameter groups to fine-tune (false: none). Default: all, joints = jaw and eyes [2, 3, 4]. */
  frames?: false | { rotation?: boolean; translation?: boolean; expression?: boolean; joints?: readonly number[] };
  /**
   * Correctives to learn (false: none). Default: expression + the jaw's pose features (poseJoints [2]); FLAME's own
   * pose correctives use [1, 2, 3, 4] (neck, jaw, eyes).
   */
  correctives?: false | { expression?: boolean; poseJoints?: readonly number[] };
  learningRates?: Partial<HeadTuningRates>;
  prior?: Partial<HeadTuningPrior>;
  temporal?: TemporalSmoothness | null;
  correctiveRegularisers?: Partial<CorrectiveRegularisers>;
  /** First trainer step (1-based) at which updates apply; before it nothing is read back. Default 1. */
  from?: number;
}

export interface HeadTuningExport {
  /** The fine-tuned head parameters of each training frame (rotation as a row-major 3×3 matrix). */
  frames: FrameHeadParams[];
  correctives: { expression: Float32Array | null; pose: Float32Array | null; poseJoints: number[]; vertexCount: number; expressionCount: number };
}

export interface HeadTuningTiming {
  updates: number;
  skipped: number;
  /** Waiting for the step's GPU work to finish before the readback (the pipeline stall the readback forces). */
  waitMs: number;
  /** The V×3 f32 readback itself (copy + map), after the queue is idle. */
  readbackMs: number;
  /** LBS forward/backward, priors, regularisers, Adam. */
  cpuMs: number;
}

const ADAM_B1 = 0.9, ADAM_B2 = 0.999, ADAM_EPS = 1e-15;
const MAGIC = 0x314e5448; // 'HTN1'
const VERSION = 1;

interface TrackedFrame {
  R0: Float64Array; // 9
  t0: Float64Array; // 3
  psi0: Float64Array; // E
  theta0: Float64Array; // 3J
  shape: Float64Array; // S
}

/** Uniform-Laplacian neighbour lists (CSR) of a triangle mesh. */
function neighbours(triangles: ArrayLike<number>, V: number): { start: Int32Array; list: Int32Array } {
  const sets = Array.from({ length: V }, () => new Set<number>());
  for (let t = 0; t < triangles.length; t += 3)
    for (let k = 0; k < 3; k++) {
      const a = triangles[t + k]!, b = triangles[t + ((k + 1) % 3)]!;
      sets[a]!.add(b); sets[b]!.add(a);
    }
  const start = new Int32Array(V + 1);
  for (let v = 0; v < V; v++) start[v + 1] = start[v]! + sets[v]!.size;
  const list = new Int32Array(start[V]!);
  for (let v = 0; v < V; v++) list.set([...sets[v]!].sort((a, b) => a - b), start[v]!);
  return { start, list };
}

export class HeadTuning {
  readonly posing: HeadPosing;
  readonly frameCount: number;
  /** Parameter vector length per frame: [δr 3, δt 3, δψ E, δθ 3J]. */
  readonly D: number;
  readonly options: HeadTuningOptions;
  readonly rates: HeadTuningRates;
  readonly prior: HeadTuningPrior;
  readonly regularisers: CorrectiveRegularisers;
  /** Per-subject correctives (learnt, or frozen ones set by `useCorrectives`). */
  correctives: Correctives;
  readonly learnCorrectives: boolean;
  readonly timing: HeadTuningTiming = { updates: 0, skipped: 0, waitMs: 0, readbackMs: 0, cpuMs: 0 };
  private readonly tracked: TrackedFrame[];
  private readonly x: Float64Array[];
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private readonly steps: Int32Array;
  private readonly mask: Uint8Array; // learnable entries of the per-frame vector
  private readonly lr: Float64Array;
  private readonly sigma: Float64Array;
  private corrM: { expression: Float32Array | null; pose: Float32Array | null };
  private corrV: { expression: Float32Array | null; pose: Float32Array | null };
  private corrStep = 0;
  private readonly lap: { start: Int32Array; list: Int32Array };
  private readonly pairs: Array<[number, number, Float64Array]>; // temporal neighbours (f, g, log(R0_f R0_gᵀ))
  private last: { frame: number; state: PoseState } | null = null;

  constructor(readonly model: HeadModel, heads: readonly FrameHeadParams[], options: HeadTuningOptions = {}) {
    this.options = options;
    this.posing = new HeadPosing(model);
    const { E, J, S, V } = this.posing;
    this.frameCount = heads.length;
    this.D = 6 + E + 3 * J;
    this.rates = { ...HEAD_TUNING_RATES, ...options.learningRates };
    this.prior = { ...DEFAULT_HEAD_TUNING_PRIOR, ...options.prior, sigma: { ...DEFAULT_HEAD_TUNING_PRIOR.sigma, ...options.prior?.sigma } };
    this.regularisers = { ...DEFAULT_CORRECTIVE_REGULARISERS, ...options.correctiveRegularisers };
    this.tracked = heads.map((h) => {
      const pad = (a: ArrayLike<number> | undefined, n: number) => {
        const o = new Float64Array(n);
        if (a) for (let i = 0; i < Math.min(n, a.length); i++) o[i] = a[i]!;
        return o;
      };
      return { R0: rigidRotation(h.rotation), t0: pad(h.translation, 3), psi0: pad(h.expression, E), theta0: pad(h.jointRotations, 3 * J), shape: pad(h.shape, S) };
    });
    const D = this.D;
    this.x = heads.map(() => new Float64Array(D));
    this.m = heads.map(() => new Float64Array(D));
    this.v = heads.map(() => new Float64Array(D));
    this.steps = new Int32Array(heads.length);
    this.mask = new Uint8Array(D);
    this.lr = new Float64Array(D);
    this.sigma = new Float64Array(D);
    const fr = options.frames === false ? null : { rotation: true, translation: true, expression: true, joints: [2, 3, 4], ...options.frames };
    const sg = this.prior.sigma;
    for (let k = 0; k < 3; k++) {
      this.mask[k] = fr?.rotation ? 1 : 0; this.lr[k] = this.rates.rotation; this.sigma[k] = sg.rotation;
      this.mask[3 + k] = fr?.translation ? 1 : 0; this.lr[3 + k] = this.rates.translation; this.sigma[3 + k] = sg.translation;
    }
    for (let e = 0; e < E; e++) { this.mask[6 + e] = fr?.expression ? 1 : 0; this.lr[6 + e] = this.rates.expression; this.sigma[6 + e] = sg.expression; }
    for (let j = 0; j < J; j++)
      for (let k = 0; k < 3; k++) {
        const i = 6 + E + j * 3 + k;
        this.mask[i] = fr?.joints?.includes(j) ? 1 : 0; this.lr[i] = this.rates.joints; this.sigma[i] = sg.joints;
      }
    for (const j of fr?.joints ?? []) if (!(j >= 0 && j < J)) throw new RangeError(`head tuning: joint ${j} is not in 0..${J - 1}`);
    const co = options.correctives === false ? null : { expression: true, poseJoints: [2], ...options.correctives };
    const pj = [...(co?.poseJoints ?? [])];
    for (const j of pj) if (!(j >= 1 && j < J)) throw new RangeError(`head tuning: pose-corrective joint ${j} is not in 1..${J - 1}`);
    this.learnCorrectives = !!co && (co.expression || pj.length > 0);
    const eLen = co?.expression ? V * 3 * E : 0, pLen = V * 3 * 9 * pj.length;
    this.correctives = { expression: eLen ? new Float32Array(eLen) : null, pose: pLen ? new Float32Array(pLen) : null, poseJoints: pj };
    this.corrM = { expression: eLen ? new Float32Array(eLen) : null, pose: pLen ? new Float32Array(pLen) : null };
    this.corrV = { expression: eLen ? new Float32Array(eLen) : null, pose: pLen ? new Float32Array(pLen) : null };
    this.lap = neighbours(model.triangles, V);
    this.pairs = [];
    const tp = options.temporal;
    if (tp && tp.weight > 0) {
      if (tp.times.length !== heads.length) throw new RangeError(`head tuning: ${tp.times.length} frame times for ${heads.length} frames`);
      const order = Array.from({ length: heads.length }, (_, i) => i).sort((a, b) => tp.times[a]! - tp.times[b]!);
      for (let k = 0; k + 1 < order.length; k++) {
        const f = order[k]!, g = order[k + 1]!;
        if (tp.times[g]! - tp.times[f]! <= (tp.maxGap ?? 1)) this.pairs.push([f, g, new Float64Array(3)]);
      }
      this.updatePairRotations();
    }
  }

  /** Tracked relative rotation log(R0_f · R0_gᵀ) of each temporal pair (the rotation term's constant). */
  private updatePairRotations(): void {
    for (const [f, g, c] of this.pairs) {
      const Rf = this.tracked[f]!.R0, Rg = this.tracked[g]!.R0, M = new Float64Array(9);
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) M[a * 3 + b] = Rf[a * 3]! * Rg[b * 3]! + Rf[a * 3 + 1]! * Rg[b * 3 + 1]! + Rf[a * 3 + 2]! * Rg[b * 3 + 2]!;
      c.set(rotationToAxisAngle(M));
    }
  }

  /** A tuner with no frames and no learnt correctives: `vertices` passes prepared frames through. */
  static passThrough(model: HeadModel): HeadTuning {
    return new HeadTuning(model, [], { frames: false, correctives: false });
  }

  /** Uses fixed correctives (e.g. a trained avatar's, for held-out frames); they are not updated unless learnt here. */
  useCorrectives(c: Correctives): void {
    if (this.learnCorrectives) throw new Error('head tuning: useCorrectives is for tuners that do not learn correctives');
    this.correctives = c;
    this.last = null;
  }

  /** Current head parameters of frame f (absolute; rigid rotation as a matrix). */
  poseInput(f: number): PoseInput {
    const tr = this.tracked[f], x = this.x[f];
    if (!tr || !x) throw new RangeError(`head tuning: frame ${f} not in 0..${this.frameCount - 1}`);
    const { E, J } = this.posing;
    const expression = new Float64Array(E), jointRotations = new Float64Array(3 * J);
    for (let e = 0; e < E; e++) expression[e] = tr.psi0[e]! + x[6 + e]!;
    for (let i = 0; i < 3 * J; i++) jointRotations[i] = tr.theta0[i]! + x[6 + E + i]!;
    return {
      shape: tr.shape,
      expression,
      jointRotations,
      rotation: composeRotation(x.subarray(0, 3), tr.R0),
      translation: Float64Array.from([tr.t0[0]! + x[3]!, tr.t0[1]! + x[4]!, tr.t0[2]! + x[5]!]),
    };
  }

  /** The frame's parameter corrections δ (copy): [δr 3, δt 3, δψ E, δθ 3J]. */
  delta(f: number): Float64Array {
    return Float64Array.from(this.x[f]!);
  }

  /** Sets frame f's corrections δ (e.g. for gradient checks); Adam state is kept. */
  setDelta(f: number, delta: ArrayLike<number>): void {
    if (delta.length !== this.D) throw new RangeError(`head tuning: δ has ${delta.length} entries, expected ${this.D}`);
    this.x[f]!.set(delta);
    this.last = null;
  }

  /**
   * dL/dδ of frame f (all D entries, learnt or not) from dL/d(world vertices) alone — the photometric part, no prior.
   * `state` must be the forward of f's current parameters (default: recomputed).
   */
  parameterGradient(f: number, g: ArrayLike<number>, state?: PoseState): { grad: Float64Array; pose: ReturnType<HeadPosing['backward']>; state: PoseState } {
    const st = state ?? this.posing.forward(this.poseInput(f), this.correctives);
    const pg = this.posing.backward(st, g, this.correctives);
    const { E, J } = this.posing;
    const grad = new Float64Array(this.D);
    const gr = composeRotationVjp(this.x[f]!.subarray(0, 3), this.tracked[f]!.R0, pg.rotation);
    for (let k = 0; k < 3; k++) { grad[k] = gr[k]!; grad[3 + k] = pg.translation[k]!; }
    for (let e = 0; e < E; e++) grad[6 + e] = pg.expression[e]!;
    for (let i = 0; i < 3 * J; i++) grad[6 + E + i] = pg.jointRotations[i]!;
    return { grad, pose: pg, state: st };
  }

  /** World vertices (f32) for the trainer: tuned for frames < frameCount, `prepared.vertices` otherwise. */
  vertices(index: number, prepared?: PreparedFrame): Float32Array {
    if (index >= this.frameCount || index < 0) {
      if (!prepared) throw new RangeError(`head tuning: frame ${index} is not tuned and no prepared frame was given`);
      return prepared.vertices;
    }
    const state = this.posing.forward(this.poseInput(index), this.correctives);
    this.last = { frame: index, state };
    return Float32Array.from(state.vertices);
  }

  /** Posed world vertices of arbitrary head parameters with the current correctives (held-out frames). */
  posed(head: FrameHeadParams): Float32Array {
    const R = rigidRotation(head.rotation);
    const t = head.translation ?? [0, 0, 0];
    const st = this.posing.forward({ shape: head.shape, expression: head.expression, jointRotations: head.jointRotations, rotation: R, translation: [t[0]!, t[1]!, t[2]!] }, this.correctives);
    return Float32Array.from(st.vertices);
  }

  /**
   * Value and gradient (w.r.t. frame f's parameter vector) of the prior + temporal terms; `x` overrides f's vector.
   */
  frameRegulariser(f: number, x: Float64Array = this.x[f]!): { value: number; grad: Float64Array } {
    const D = this.D, grad = new Float64Array(D);
    let value = 0;
    const w = this.prior.weight;
    for (let i = 0; i < D; i++) {
      if (!this.mask[i]) continue;
      const s2 = this.sigma[i]! ** 2;
      value += (w * x[i]! * x[i]!) / s2;
      grad[i] = (2 * w * x[i]!) / s2;
    }
    const wt = this.options.temporal?.weight ?? 0;
    if (wt > 0) {
      for (const [a, b, c] of this.pairs) {
        if (a !== f && b !== f) continue;
        const xa = a === f ? x : this.x[a]!, xb = b === f ? x : this.x[b]!;
        const sgn = a === f ? 1 : -1;
        for (let i = 0; i < D; i++) {
          if (!this.mask[i]) continue;
          const d = this.absolute(a, i, xa) - this.absolute(b, i, xb) + (i < 3 ? c[i]! : 0);
          const s2 = this.sigma[i]! ** 2;
          value += (wt * d * d) / s2;
          grad[i]! += (sgn * 2 * wt * d) / s2;
        }
      }
    }
    return { value, grad };
  }

  /** Absolute value of entry i (rotation entries: the correction δ; their tracked difference is added by the caller). */
  private absolute(f: number, i: number, x: Float64Array): number {
    const tr = this.tracked[f]!, E = this.posing.E;
    if (i < 3) return x[i]!;
    if (i < 6) return tr.t0[i - 3]! + x[i]!;
    if (i < 6 + E) return tr.psi0[i - 6]! + x[i]!;
    return tr.theta0[i - 6 - E]! + x[i]!;
  }

  /** Value and gradient of the corrective regularisers (L2 + uniform Laplacian, mean over vertices). */
  correctiveRegulariser(): { value: number; expression: Float64Array | null; pose: Float64Array | null } {
    const e = this.correctives.expression ? this.regulariseColumns(this.correctives.expression) : null;
    const p = this.correctives.pose ? this.regulariseColumns(this.correctives.pose) : null;
    return { value: (e?.value ?? 0) + (p?.value ?? 0), expression: e?.grad ?? null, pose: p?.grad ?? null };
  }

  private regulariseColumns(a: Float32Array): { value: number; grad: Float64Array } {
    const V = this.posing.V, n = a.length / V; // floats per vertex (3 × columns), contiguous
    const g = new Float64Array(a.length);
    const { l2, laplacian } = this.regularisers;
    let value = 0;
    const c2 = (2 * l2) / V;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      value += x * x;
      g[i] = c2 * x;
    }
    value *= l2 / V;
    if (laplacian > 0) {
      // y = LΔ row by row, then g += 2λ/V · Lᵀy with (Lᵀy)_v = y_v − Σ_{u∈N(v)} y_u / deg_u.
      const { start, list } = this.lap;
      const y = new Float64Array(a.length), acc = new Float64Array(n);
      let lap = 0;
      for (let v = 0; v < V; v++) {
        const s0 = start[v]!, s1 = start[v + 1]!;
        acc.fill(0);
        for (let q = s0; q < s1; q++) {
          const o = list[q]! * n;
          for (let k = 0; k < n; k++) acc[k] += a[o + k]!;
        }
        const inv = s1 > s0 ? 1 / (s1 - s0) : 0, o = v * n;
        for (let k = 0; k < n; k++) {
          const yv = a[o + k]! - acc[k]! * inv;
          y[o + k] = yv;
          lap += yv * yv;
        }
      }
      value += (laplacian * lap) / V;
      const c = (2 * laplacian) / V;
      for (let v = 0; v < V; v++) {
        acc.fill(0);
        for (let q = start[v]!; q < start[v + 1]!; q++) {
          const u = list[q]!, w = 1 / (start[u + 1]! - start[u]!), o = u * n;
          for (let k = 0; k < n; k++) acc[k] += y[o + k]! * w;
        }
        const o = v * n;
        for (let k = 0; k < n; k++) g[o + k] += c * (y[o + k]! - acc[k]!);
      }
    }
    return { value, grad: g };
  }

  /**
   * One update from dL/d(world vertices) of frame f (V×3): per-frame Adam on f's parameters (photometric + prior +
   * temporal), Adam on the correctives (photometric + regularisers), then the clamps. Non-finite gradients skip the
   * update. Returns whether it applied.
   */
  applyGradient(f: number, g: ArrayLike<number>): boolean {
    const t0 = performance.now();
    const V = this.posing.V;
    if (g.length < V * 3) throw new RangeError(`head tuning: ${g.length} vertex-gradient floats, expected ${V * 3}`);
    for (let i = 0; i < V * 3; i++)
      if (!Number.isFinite(g[i]!)) {
        this.timing.skipped++;
        return false;
      }
    const { grad, pose: pg, state: st } = this.parameterGradient(f, g, this.last?.frame === f ? this.last.state : undefined);
    const { E } = this.posing;
    const x = this.x[f]!;
    const prior = this.frameRegulariser(f).grad;
    for (let i = 0; i < this.D; i++) grad[i]! += prior[i]!;
    const s = ++this.steps[f]!;
    const m = this.m[f]!, v = this.v[f]!;
    const bc1 = 1 - ADAM_B1 ** s, bc2 = 1 - ADAM_B2 ** s;
    for (let i = 0; i < this.D; i++) {
      if (!this.mask[i]) continue;
      m[i] = ADAM_B1 * m[i]! + (1 - ADAM_B1) * grad[i]!;
      v[i] = ADAM_B2 * v[i]! + (1 - ADAM_B2) * grad[i]! * grad[i]!;
      x[i]! -= (this.lr[i]! * (m[i]! / bc1)) / (Math.sqrt(v[i]! / bc2) + ADAM_EPS);
    }
    // Expression stays in the model's range.
    const tr = this.tracked[f]!, range = this.model.expressionRange;
    for (let e = 0; e < E; e++) {
      const lo = range[e * 2]!, hi = range[e * 2 + 1]!;
      const psi = tr.psi0[e]! + x[6 + e]!;
      if (psi < lo) x[6 + e] = lo - tr.psi0[e]!;
      else if (psi > hi) x[6 + e] = hi - tr.psi0[e]!;
    }
    if (this.learnCorrectives) this.updateCorrectives(pg.rest, st.input.expression!, st.features);
    this.last = null;
    this.timing.updates++;
    this.timing.cpuMs += performance.now() - t0;
    return true;
  }

  private updateCorrectives(u: Float64Array, psi: ArrayLike<number>, feat: Float64Array): void {
    const reg = this.correctiveRegulariser();
    const s = ++this.corrStep;
    const { expression, pose } = this.correctives;
    if (expression) adamColumns(expression, this.corrM.expression!, this.corrV.expression!, reg.expression!, u, psi, s, this.rates.correctives, this.regularisers.maxExpression);
    if (pose) adamColumns(pose, this.corrM.pose!, this.corrV.pose!, reg.pose!, u, feat, s, this.rates.correctives, this.regularisers.maxPose);
  }

  /**
   * The trainer's hook after a backward: at steps ≥ `from`, reads `vertexGrads` (V×3 f32) and applies the update for
   * `frame`. Returns whether it applied.
   */
  async step(device: GPUDevice, frame: number, vertexGrads: GPUBuffer, trainerStep: number): Promise<boolean> {
    if (trainerStep < (this.options.from ?? 1) || frame >= this.frameCount) return false;
    const t0 = performance.now();
    await device.queue.onSubmittedWorkDone();
    const t1 = performance.now();
    const g = await readF32(device, vertexGrads, 0, this.posing.V * 3);
    this.timing.waitMs += t1 - t0;
    this.timing.readbackMs += performance.now() - t1;
    return this.applyGradient(frame, g);
  }

  /** The fine-tuned per-frame parameters and the learnt correctives (copies). */
  export(): HeadTuningExport {
    return {
      frames: Array.from({ length: this.frameCount }, (_, f) => {
        const p = this.poseInput(f);
        return {
          shape: Float32Array.from(p.shape!),
          expression: Float32Array.from(p.expression!),
          jointRotations: Float32Array.from(p.jointRotations!),
          rotation: Float64Array.from(p.rotation),
          translation: Float64Array.from(p.translation),
        };
      }),
      correctives: {
        expression: this.correctives.expression ? Float32Array.from(this.correctives.expression) : null,
        pose: this.correctives.pose ? Float32Array.from(this.correctives.pose) : null,
        poseJoints: [...this.correctives.poseJoints],
        vertexCount: this.posing.V,
        expressionCount: this.posing.E,
      },
    };
  }

  /**
   * Full state (tracked values, corrections, Adam moments, correctives and their moments) as bytes, little-endian:
   * u32 [magic 'HTN1', version, V, E, J, S, frames F, D, K = pose-corrective joints, flags (1 = ΔE, 2 = ΔP),
   * corrective step], i32 poseJoints[K], then f64 per frame [R0 9, t0 3, ψ0 E, θ0 3J, shape S, δ D, m D, v D, step],
   * then f32 ΔE, m, v (if flag 1) and ΔP, m, v (if flag 2).
   */
  toBytes(): Uint8Array {
    const { V, E, J, S } = this.posing, F = this.frameCount, D = this.D;
    const K = this.correctives.poseJoints.length;
    const ce = this.learnCorrectives ? this.correctives.expression : null, cp = this.learnCorrectives ? this.correctives.pose : null;
    const head = 11 + K;
    const perFrame = 9 + 3 + E + 3 * J + S + 3 * D + 1;
    const f32 = (ce ? 3 * ce.length : 0) + (cp ? 3 * cp.length : 0);
    const f64Start = Math.ceil((head * 4) / 8) * 8;
    const bytes = new Uint8Array(f64Start + F * perFrame * 8 + f32 * 4);
    const dv = new DataView(bytes.buffer);
    [MAGIC, VERSION, V, E, J, S, F, D, K, (ce ? 1 : 0) | (cp ? 2 : 0), this.corrStep].forEach((x, i) => dv.setUint32(i * 4, x, true));
    this.correctives.poseJoints.forEach((j, i) => dv.setInt32((11 + i) * 4, j, true));
    let o = f64Start;
    const put64 = (a: ArrayLike<number>) => { for (let i = 0; i < a.length; i++, o += 8) dv.setFloat64(o, a[i]!, true); };
    for (let f = 0; f < F; f++) {
      const tr = this.tracked[f]!;
      put64(tr.R0); put64(tr.t0); put64(tr.psi0); put64(tr.theta0); put64(tr.shape);
      put64(this.x[f]!); put64(this.m[f]!); put64(this.v[f]!); put64([this.steps[f]!]);
    }
    const put32 = (a: Float32Array) => { for (let i = 0; i < a.length; i++, o += 4) dv.setFloat32(o, a[i]!, true); };
    if (ce) { put32(ce); put32(this.corrM.expression!); put32(this.corrV.expression!); }
    if (cp) { put32(cp); put32(this.corrM.pose!); put32(this.corrV.pose!); }
    return bytes;
  }

  /** Restores `toBytes()` output from a tuner over the same model, frame count and options. */
  restore(bytes: Uint8Array): void {
    const p = parseHeadTuning(bytes);
    const { V, E, J, S } = this.posing;
    if (p.V !== V || p.E !== E || p.J !== J || p.S !== S) throw new RangeError(`head tuning state is for a model with ${p.V} vertices / ${p.E} expressions, this one has ${V} / ${E}`);
    if (p.frames.length !== this.frameCount) throw new RangeError(`head tuning state has ${p.frames.length} frames, the trainer ${this.frameCount}`);
    const learnsE = this.learnCorrectives && !!this.correctives.expression, learnsP = this.learnCorrectives && !!this.correctives.pose;
    if (learnsE !== !!p.expression || learnsP !== !!p.pose || (learnsP && p.poseJoints.join() !== this.correctives.poseJoints.join()))
      throw new RangeError('head tuning state was written with other corrective options');
    p.frames.forEach((fr, f) => {
      const tr = this.tracked[f]!;
      tr.R0.set(fr.R0); tr.t0.set(fr.t0); tr.psi0.set(fr.psi0); tr.theta0.set(fr.theta0); tr.shape.set(fr.shape);
      this.x[f]!.set(fr.x); this.m[f]!.set(fr.m); this.v[f]!.set(fr.v); this.steps[f] = fr.step;
    });
    if (p.expression) { this.correctives.expression!.set(p.expression.p); this.corrM.expression!.set(p.expression.m); this.corrV.expression!.set(p.expression.v); }
    if (p.pose) { this.correctives.pose!.set(p.pose.p); this.corrM.pose!.set(p.pose.m); this.corrV.pose!.set(p.pose.v); }
    this.corrStep = p.corrStep;
    this.updatePairRotations();
    this.last = null;
  }
}

/** Adam on a V×3×C corrective (gradient u_r·coef_c + regulariser), then the clamp to ±max. */
function adamColumns(p: Float32Array, m: Float32Array, v: Float32Array, rg: Float64Array, u: Float64Array, coef: ArrayLike<number>, step: number, lr: number, max: number): void {
  const C = coef.length, R = u.length;
  const bc1 = 1 - ADAM_B1 ** step, bc2 = 1 - ADAM_B2 ** step;
  for (let r = 0; r < R; r++) {
    const ur = u[r]!;
    for (let c = 0; c < C; c++) {
      const i = r * C + c;
      const gi = ur * coef[c]! + rg[i]!;
      const mi = ADAM_B1 * m[i]! + (1 - ADAM_B1) * gi, vi = ADAM_B2 * v[i]! + (1 - ADAM_B2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      const next = p[i]! - (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + ADAM_EPS);
      p[i] = next > max ? max : next < -max ? -max : next;
    }
  }
}

interface ParsedHeadTuning {
  V: number; E: number; J: number; S: number; D: number; corrStep: number;
  poseJoints: number[];
  frames: Array<{ R0: Float64Array; t0: Float64Array; psi0: Float64Array; theta0: Float64Array; shape: Float64Array; x: Float64Array; m: Float64Array; v: Float64Array; step: number }>;
  expression: { p: Float32Array; m: Float32Array; v: Float32Array } | null;
  pose: { p: Float32Array; m: Float32Array; v: Float32Array } | null;
}

function parseHeadTuning(bytes: Uint8Array): ParsedHeadTuning {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 44 || dv.getUint32(0, true) !== MAGIC) throw new RangeError('head tuning state: bad magic or too short');
  const u = (i: number) => dv.getUint32(i * 4, true);
  if (u(1) !== VERSION) throw new RangeError(`head tuning state: unsupported version ${u(1)}`);
  const [V, E, J, S, F, D, K, flags, corrStep] = [u(2), u(3), u(4), u(5), u(6), u(7), u(8), u(9), u(10)];
  if (D !== 6 + E + 3 * J) throw new RangeError('head tuning state: inconsistent parameter count');
  const poseJoints = Array.from({ length: K }, (_, i) => dv.getInt32((11 + i) * 4, true));
  const perFrame = 9 + 3 + E + 3 * J + S + 3 * D + 1;
  const eLen = flags & 1 ? V * 3 * E : 0, pLen = flags & 2 ? V * 3 * 9 * K : 0;
  const f64Start = Math.ceil(((11 + K) * 4) / 8) * 8;
  if (bytes.byteLength !== f64Start + F * perFrame * 8 + 12 * (eLen + pLen)) throw new RangeError('head tuning state: size does not match its header');
  let o = f64Start;
  const get64 = (n: number) => { const a = new Float64Array(n); for (let i = 0; i < n; i++, o += 8) a[i] = dv.getFloat64(o, true); return a; };
  const frames = Array.from({ length: F }, () => ({
    R0: get64(9), t0: get64(3), psi0: get64(E), theta0: get64(3 * J), shape: get64(S), x: get64(D), m: get64(D), v: get64(D), step: get64(1)[0]!,
  }));
  const get32 = (n: number) => { const a = new Float32Array(n); for (let i = 0; i < n; i++, o += 4) a[i] = dv.getFloat32(o, true); return a; };
  const expression = eLen ? { p: get32(eLen), m: get32(eLen), v: get32(eLen) } : null;
  const pose = pLen ? { p: get32(pLen), m: get32(pLen), v: get32(pLen) } : null;
  return { V, E, J, S, D, corrStep, poseJoints, frames, expression, pose };
}

/**
 * Reads `HeadTuning.toBytes()` (e.g. saved next to avatar.bin) into the exported form, without a model: the tuned
 * per-frame head parameters and the correctives.
 */
export function readHeadTuningExport(bytes: Uint8Array): HeadTuningExport {
  const p = parseHeadTuning(bytes);
  return {
    frames: p.frames.map((fr) => {
      const R = composeRotation(fr.x.subarray(0, 3), fr.R0);
      const expression = Float32Array.from(fr.psi0, (x, e) => x + fr.x[6 + e]!);
      const jointRotations = Float32Array.from(fr.theta0, (x, i) => x + fr.x[6 + p.E + i]!);
      return { shape: Float32Array.from(fr.shape), expression, jointRotations, rotation: R, translation: Float64Array.from(fr.t0, (x, k) => x + fr.x[3 + k]!) };
    }),
    correctives: { expression: p.expression?.p ?? null, pose: p.pose?.p ?? null, poseJoints: p.poseJoints, vertexCount: p.V, expressionCount: p.E },
  };
}
