/**
 * Adam on the GPU (β1 0.9, β2 0.999, ε 1e-15, bias-corrected), one dispatch per parameter buffer, with a learning
 * rate per parameter group (means, logScales, rotations, opacities, SH DC, SH rest, features). Moments live in
 * `m`/`v` buffers per parameter, sized to the scene's capacity; densify compacts them along with the scene.
 * The step number only travels CPU→GPU (bias corrections in a small uniform), nothing is read back.
 */
import { createStorageBuffer, createUniformBuffer } from '../gpu/buffers';
import { createKernel, dispatchKernel, type Kernel } from '../gpu/kernel';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPS } from '../reference/adam';
import type { SceneGradients } from '../splat/backward-grads';
import { SCENE_PARAMS, type GaussianScene, type SceneParam } from '../splat/scene';

export interface LearningRates {
  means: number;
  logScales: number;
  rotations: number;
  opacities: number;
  shDC: number;
  shRest: number;
  features: number;
}

/** 3DGS defaults (means scaled by the scene extent by the caller). */
export const DEFAULT_LEARNING_RATES: LearningRates = {
  means: 1.6e-4,
  logScales: 5e-3,
  rotations: 1e-3,
  opacities: 5e-2,
  shDC: 2.5e-3,
  shRest: 2.5e-3 / 20,
  features: 2.5e-3,
};

const ADAM_WGSL = /* wgsl */ `
struct Params {
  n: u32,
  stride: u32,
  head: u32,
  _pad: u32,
  lr_head: f32,
  lr_tail: f32,
  b1: f32,
  b2: f32,
  bc1: f32,
  bc2: f32,
  eps: f32,
  _pad2: f32,
};
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= P.n) { return; }
  var g = grad[i];
  if (!(abs(g) <= 3.0e38)) { g = 0.0; } // NaN/Inf gradients are dropped, never written into the moments
  let mi = P.b1 * m[i] + (1.0 - P.b1) * g;
  let vi = P.b2 * v[i] + (1.0 - P.b2) * g * g;
  m[i] = mi;
  v[i] = vi;
  let lr = select(P.lr_tail, P.lr_head, (i % P.stride) < P.head);
  param[i] -= lr * (mi / P.bc1) / (sqrt(vi / P.bc2) + P.eps);
}
`;

export class GpuAdam {
  readonly device: GPUDevice;
  lr: LearningRates;
  capacity = 0;
  readonly m = new Map<SceneParam, GPUBuffer>();
  readonly v = new Map<SceneParam, GPUBuffer>();
  private readonly kernel: Kernel;
  private readonly uniforms = new Map<SceneParam, GPUBuffer>();

  constructor(
    private readonly scene: GaussianScene,
    lr: Partial<LearningRates> = {},
  ) {
    this.device = scene.device;
    this.lr = { ...DEFAULT_LEARNING_RATES, ...lr };
    this.kernel = createKernel(this.device, { label: 'adam', code: ADAM_WGSL });
    for (const p of SCENE_PARAMS) this.uniforms.set(p, createUniformBuffer(this.device, 48, `adam.params.${p}`));
    this.ensureCapacity();
  }

  /** Allocates zeroed moments for the scene's capacity (contents are lost if it changed). */
  ensureCapacity(): void {
    if (this.scene.capacity === this.capacity) return;
    for (const b of [...this.m.values(), ...this.v.values()]) b.destroy();
    this.m.clear();
    this.v.clear();
    this.capacity = this.scene.capacity;
    const enc = this.device.createCommandEncoder({ label: 'adam.init' });
    for (const p of SCENE_PARAMS) {
      const floats = this.scene.floatsPer(p);
      if (floats === 0) continue;
      const m = createStorageBuffer(this.device, this.capacity * floats * 4, `adam.m.${p}`);
      const v = createStorageBuffer(this.device, this.capacity * floats * 4, `adam.v.${p}`);
      enc.clearBuffer(m);
      enc.clearBuffer(v);
      this.m.set(p, m);
      this.v.set(p, v);
    }
    this.device.queue.submit([enc.finish()]);
  }

  /** Replaces the moment buffers (densify hands in compacted ones). */
  replaceState(param: SceneParam, m: GPUBuffer, v: GPUBuffer): void {
    this.m.get(param)?.destroy();
    this.v.get(param)?.destroy();
    this.m.set(param, m);
    this.v.set(param, v);
  }

  /** Records Adam step `t` (1-based) over the scene's live Gaussians. */
  step(encoder: GPUCommandEncoder, grads: SceneGradients, t: number): void {
    const n = this.scene.count;
    const bc1 = 1 - ADAM_BETA1 ** t;
    const bc2 = 1 - ADAM_BETA2 ** t;
    const pass = encoder.beginComputePass({ label: 'adam' });
    for (const p of SCENE_PARAMS) {
      const floats = this.scene.floatsPer(p);
      const param = this.scene.buffer(p);
      const grad = grads.buffer(p);
      if (floats === 0 || !param || !grad) continue;
      let head = floats, lrHead = 0, lrTail = 0;
      if (p === 'sh') {
        head = 3;
        lrHead = this.lr.shDC;
        lrTail = this.lr.shRest;
      } else {
        lrHead = lrTail = this.lr[p];
      }
      const u = new ArrayBuffer(48);
      new Uint32Array(u, 0, 4).set([n * floats, floats, head, 0]);
      new Float32Array(u, 16, 8).set([lrHead, lrTail, ADAM_BETA1, ADAM_BETA2, bc1, bc2, ADAM_EPS, 0]);
      const ub = this.uniforms.get(p)!;
      this.device.queue.writeBuffer(ub, 0, u);
      dispatchKernel(pass, this.kernel, this.kernel.bind([ub, param, grad, this.m.get(p)!, this.v.get(p)!]), n * floats, 256);
    }
    pass.end();
  }

  destroy(): void {
    for (const b of [...this.m.values(), ...this.v.values(), ...this.uniforms.values()]) b.destroy();
  }
}
