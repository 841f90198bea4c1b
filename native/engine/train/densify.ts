/**
 * Densify/prune with buffer compaction on the GPU (3DGS adaptive density control).
 *
 * Passes: classify (action per Gaussian from `SceneGradients.stats` and opacity) → exclusive scan of output counts →
 * output map (`source | kind << 30`) and new count → gather every parameter buffer, the Adam moments (zeroed for new
 * rows) and any extra per-Gaussian attributes into fresh buffers → child placement rule on new rows → swap buffers.
 * The one readback is the new count (a single u32), once per densify call.
 */
import { createStorageBuffer, createUniformBuffer } from '../gpu/buffers';
import { createKernel, dispatchKernel, type Kernel } from '../gpu/kernel';
import { readU32 } from '../gpu/readback';
import type { DensifyConfig } from '../reference/densify';
import type { SceneGradients } from '../splat/backward-grads';
import { PrefixScan } from '../splat/scan';
import { SCENE_PARAMS, type GaussianScene } from '../splat/scene';
import type { GpuAdam } from './adam';
import { CLASSIFY_COPIES_WGSL, CLASSIFY_WGSL, DEFAULT_CHILD_RULE_WGSL, GATHER_WGSL, MAP_WGSL, placeWgsl, RESET_OPACITY_WGSL } from './densify-wgsl';

export type { DensifyConfig } from '../reference/densify';

/** An extra per-Gaussian buffer compacted along with the scene (e.g. a triangle binding). */
export interface ExtraAttribute {
  floatsPer: number;
  get(): GPUBuffer;
  set(buffer: GPUBuffer): void;
}

/**
 * Where children go. `wgsl` defines
 *   `fn place_child(c: ptr<function, Child>, kind: u32, src: u32, dst: u32)`
 * which edits a copy of the parent (`Child { mean, log_scale, rot, opacity }`) for output row `dst`; kind 1 = clone
 * copy, 2/3 = the two split children (which replace the parent). Available helpers: `rand_normal(seed, index, k)`,
 * `rand01`, `quat_to_mat`, uniform `U` (`U.seed`, `U.split_log`). A rule may declare `@group(1)` bindings
 * (read-only inputs such as mesh triangles) and supply them via `group1()`. `extraAttributes` are compacted too.
 */
export interface ChildPlacementRule {
  name: string;
  wgsl: string;
  group1?(): GPUBuffer[];
  extraAttributes?: ExtraAttribute[];
}

export const DEFAULT_CHILD_RULE: ChildPlacementRule = { name: '3dgs-clone-split', wgsl: DEFAULT_CHILD_RULE_WGSL };

export interface DensifyRunConfig extends DensifyConfig {
  /** Hard cap on the number of Gaussians after densification. */
  maxGaussians?: number;
  /**
   * Sampling-based densification (FATE): per live Gaussian, the number of extra copies (kind 1 children placed right
   * after the parent). Replaces the gradient test (`gradThreshold`/`cloneMaxScale` are ignored); pruning still applies
   * and drops a pruned parent's copies. See `sampling-densify.ts` for the multinomial draw.
   */
  copies?: Uint32Array;
}

export interface DensifyStats {
  before: number;
  after: number;
}

export class Densifier {
  readonly device: GPUDevice;
  private readonly scan: PrefixScan;
  private readonly k: { classify: Kernel; classifyCopies: Kernel; map: Kernel; gather: Kernel; place: Kernel; reset: Kernel };
  private readonly uniform: GPUBuffer;
  private readonly resetUniform: GPUBuffer;
  private readonly counter: GPUBuffer;
  private gatherUniforms: GPUBuffer[] = [];
  private work: { n: number; action: GPUBuffer; outCount: GPUBuffer; offsets: GPUBuffer; map: GPUBuffer; copies: GPUBuffer } | null = null;

  constructor(
    private readonly scene: GaussianScene,
    private readonly grads: SceneGradients,
    private readonly adam: GpuAdam | null,
    private readonly rule: ChildPlacementRule = DEFAULT_CHILD_RULE,
  ) {
    const device = (this.device = scene.device);
    this.scan = new PrefixScan(device);
    this.k = {
      classify: createKernel(device, { label: 'densify.classify', code: CLASSIFY_WGSL }),
      classifyCopies: createKernel(device, { label: 'densify.classifyCopies', code: CLASSIFY_COPIES_WGSL }),
      map: createKernel(device, { label: 'densify.map', code: MAP_WGSL }),
      gather: createKernel(device, { label: 'densify.gather', code: GATHER_WGSL }),
      place: createKernel(device, { label: `densify.place[${rule.name}]`, code: placeWgsl(rule.wgsl) }),
      reset: createKernel(device, { label: 'densify.resetOpacity', code: RESET_OPACITY_WGSL }),
    };
    this.uniform = createUniformBuffer(device, 32, 'densify.params');
    this.resetUniform = createUniformBuffer(device, 16, 'densify.resetParams');
    this.counter = createStorageBuffer(device, 16, 'densify.counter');
  }

  private ensureWork(n: number, outCap: number) {
    if (this.work && this.work.n >= Math.max(n, outCap)) return this.work;
    if (this.work) for (const b of [this.work.action, this.work.outCount, this.work.offsets, this.work.map, this.work.copies]) b.destroy();
    const size = Math.max(n, outCap, 256);
    const make = (label: string) => createStorageBuffer(this.device, size * 4, `densify.${label}`);
    this.work = { n: size, action: make('action'), outCount: make('outCount'), offsets: make('offsets'), map: make('map'), copies: make('copies') };
    return this.work;
  }

  private gatherUniform(i: number, floats: number, zeroChildren: boolean, limit: number): GPUBuffer {
    while (this.gatherUniforms.length <= i) this.gatherUniforms.push(createUniformBuffer(this.device, 16, 'densify.gatherParams'));
    this.device.queue.writeBuffer(this.gatherUniforms[i], 0, new Uint32Array([floats, zeroChildren ? 1 : 0, limit, 0]));
    return this.gatherUniforms[i];
  }

  /** Densifies and prunes; resets the densification statistics. Reads back one u32 (the new count). */
  async run(cfg: DensifyRunConfig): Promise<DensifyStats> {
    const s = this.scene;
    const n = s.count;
    if (n === 0) return { before: 0, after: 0 };
    const maxG = cfg.maxGaussians ?? Number.MAX_SAFE_INTEGER;
    const copies = cfg.copies;
    if (copies && copies.length < n) throw new RangeError(`densify: copies has ${copies.length} entries for ${n} Gaussians`);
    let extra = n;
    if (copies) {
      extra = 0;
      for (let i = 0; i < n; i++) extra += copies[i];
    }
    const outLimit = Math.max(1, Math.min(n + extra, maxG));
    const newCap = Math.max(s.capacity, outLimit);
    const w = this.ensureWork(n, outLimit);
    const u = new ArrayBuffer(32);
    new Uint32Array(u, 0, 4).set([n, outLimit, s.shCoeffs * 3, cfg.seed >>> 0]);
    new Float32Array(u, 16, 4).set([cfg.gradThreshold, cfg.cloneMaxScale, cfg.minOpacity, Math.log(cfg.splitFactor ?? 1.6)]);
    this.device.queue.writeBuffer(this.uniform, 0, u);

    const enc = this.device.createCommandEncoder({ label: 'densify' });
    const pass = enc.beginComputePass({ label: 'densify' });
    const U = this.uniform;
    if (copies) {
      this.device.queue.writeBuffer(w.copies, 0, copies.buffer, copies.byteOffset, n * 4);
      dispatchKernel(pass, this.k.classifyCopies, this.k.classifyCopies.bind([U, s.means, s.logScales, s.rotations, s.opacities, s.sh, w.copies, w.action, w.outCount]), n, 256);
    } else {
      dispatchKernel(pass, this.k.classify, this.k.classify.bind([U, s.means, s.logScales, s.rotations, s.opacities, s.sh, this.grads.stats, w.action, w.outCount]), n, 256);
    }
    this.scan.encode(pass, w.outCount, w.offsets, n);
    dispatchKernel(pass, this.k.map, this.k.map.bind([U, w.action, w.offsets, w.map, this.counter]), n, 256);

    // Gather into fresh buffers.
    let slot = 0;
    const gather = (src: GPUBuffer, floats: number, zero: boolean, label: string): GPUBuffer => {
      const dst = createStorageBuffer(this.device, newCap * floats * 4, label);
      const gu = this.gatherUniform(slot++, floats, zero, outLimit);
      dispatchKernel(pass, this.k.gather, this.k.gather.bind([gu, w.map, this.counter, src, dst]), outLimit * floats, 256);
      return dst;
    };
    const newParams = new Map<string, GPUBuffer>();
    const newAdam = new Map<string, [GPUBuffer, GPUBuffer]>();
    for (const p of SCENE_PARAMS) {
      const floats = s.floatsPer(p);
      const b = s.buffer(p);
      if (!b || floats === 0) continue;
      newParams.set(p, gather(b, floats, false, `${s.label}.${p}`));
      if (this.adam) {
        const m = this.adam.m.get(p)!, v = this.adam.v.get(p)!;
        newAdam.set(p, [gather(m, floats, true, `adam.m.${p}`), gather(v, floats, true, `adam.v.${p}`)]);
      }
    }
    const extras = (this.rule.extraAttributes ?? []).map((a) => gather(a.get(), a.floatsPer, false, 'densify.extra'));
    const placeGroup0 = this.k.place.bind([U, w.map, this.counter, newParams.get('means')!, newParams.get('logScales')!, newParams.get('rotations')!, newParams.get('opacities')!]);
    pass.setPipeline(this.k.place.pipeline);
    pass.setBindGroup(0, placeGroup0);
    const extraInputs = this.rule.group1?.() ?? [];
    if (extraInputs.length) {
      pass.setBindGroup(1, this.device.createBindGroup({
        layout: this.k.place.pipeline.getBindGroupLayout(1),
        entries: extraInputs.map((buffer, binding) => ({ binding, resource: { buffer } })),
      }));
    }
    dispatchKernel(pass, this.k.place, placeGroup0, outLimit, 256);
    pass.end();
    this.grads.clearStats(enc);
    this.device.queue.submit([enc.finish()]);

    const after = (await readU32(this.device, this.counter, 0, 1))[0];
    // Swap in the compacted buffers.
    for (const [p, b] of newParams) {
      s.buffer(p as (typeof SCENE_PARAMS)[number])!.destroy();
      (s as unknown as Record<string, GPUBuffer>)[p] = b;
    }
    (this.rule.extraAttributes ?? []).forEach((a, i) => {
      a.get().destroy();
      a.set(extras[i]);
    });
    s.capacity = newCap;
    s.setCount(after);
    if (this.adam) {
      for (const [p, [m, v]] of newAdam) this.adam.replaceState(p as (typeof SCENE_PARAMS)[number], m, v);
      this.adam.capacity = newCap;
    }
    this.grads.ensureCapacity();
    return { before: n, after };
  }

  /** Records logit ← min(logit, logit(maxOpacity)) (3DGS opacity reset). */
  resetOpacity(encoder: GPUCommandEncoder, maxOpacity = 0.01): void {
    const u = new ArrayBuffer(16);
    new Uint32Array(u, 0, 1)[0] = this.scene.count;
    new Float32Array(u, 4, 1)[0] = Math.log(maxOpacity / (1 - maxOpacity));
    this.device.queue.writeBuffer(this.resetUniform, 0, u);
    const pass = encoder.beginComputePass({ label: 'reset-opacity' });
    dispatchKernel(pass, this.k.reset, this.k.reset.bind([this.resetUniform, this.scene.opacities]), this.scene.count, 256);
    pass.end();
  }

  destroy(): void {
    this.scan.destroy();
    for (const b of [this.uniform, this.resetUniform, this.counter, ...this.gatherUniforms]) b.destroy();
    if (this.work) for (const b of [this.work.action, this.work.outCount, this.work.offsets, this.work.map, this.work.copies]) b.destroy();
  }
}
