/**
 * Regularisers on the bound parameters, added to the bound gradients on the GPU (one thread per Gaussian, no
 * readback), with a CPU twin of the loss value and its gradient (tests, reporting).
 *
 * With N live Gaussians, d the normal offset (metres), l = local log-scales (units of the triangle scale k):
 *
 *   L_offset = λ_offset · (1/N) Σ max(|d| − offsetFree, 0)                   (|d| penalty; FATE/GaussianAvatars keep
 *                                                                            Gaussians on the surface)
 *   L_ratio  = λ_ratio  · (1/N) Σ max(exp(max l − min l) − maxRatio, 0)     (FATE Eq. 13: anisotropy ratio, r = 9, 0.1)
 *   L_scale  = λ_scale  · (1/N) Σ_k max(exp(l_k) − maxLocalScale, 0)        (GaussianAvatars: local scale threshold 0.6)
 *
 * Ties for max/min pick the first axis (same on CPU and GPU). A weight of 0 switches a term off.
 */
import { createUniformBuffer } from '../../gpu/buffers';
import { createKernel, dispatchKernel, type Kernel } from '../../gpu/kernel';
import type { SceneGradients } from '../../splat/backward-grads';
import type { GaussianScene } from '../../splat/scene';

export interface RegulariserOptions {
  /** Weight of the offset penalty (per metre of |d|); default 1. */
  offsetWeight: number;
  /** |d| below this (metres) is free; default 0. */
  offsetFree: number;
  /** Weight of FATE's anisotropy-ratio hinge; default 0.1. */
  ratioWeight: number;
  /** FATE's `scale_threshold`; default 9. */
  maxRatio: number;
  /** Weight of the local-scale hinge; default 1. */
  scaleWeight: number;
  /** Largest free local scale (units of k); default 0.6 (GaussianAvatars `threshold_scale`). */
  maxLocalScale: number;
}

export const DEFAULT_REGULARISERS: RegulariserOptions = {
  offsetWeight: 1,
  offsetFree: 0,
  ratioWeight: 0.1,
  maxRatio: 9,
  scaleWeight: 1,
  maxLocalScale: 0.6,
};

const REG_WGSL = /* wgsl */ `
struct Params {
  n: u32, _p0: u32, _p1: u32, _p2: u32,
  w_off: f32, off_free: f32, w_ratio: f32, max_ratio: f32,
  w_scale: f32, max_scale: f32, inv_n: f32, _p3: f32,
};
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> means: array<f32>;
@group(0) @binding(2) var<storage, read> log_scales: array<f32>;
@group(0) @binding(3) var<storage, read_write> g_means: array<f32>;
@group(0) @binding(4) var<storage, read_write> g_log_scales: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= P.n) { return; }
  let d = means[i * 3u + 2u];
  if (P.w_off > 0.0 && abs(d) > P.off_free) {
    g_means[i * 3u + 2u] += P.w_off * P.inv_n * sign(d);
  }
  let l = vec3f(log_scales[i * 3u], log_scales[i * 3u + 1u], log_scales[i * 3u + 2u]);
  var g = vec3f(0.0);
  if (P.w_ratio > 0.0) {
    var imax = 0u; var imin = 0u;
    for (var k = 1u; k < 3u; k++) {
      if (l[k] > l[imax]) { imax = k; }
      if (l[k] < l[imin]) { imin = k; }
    }
    let ratio = exp(l[imax] - l[imin]);
    if (ratio > P.max_ratio && imax != imin) {
      let c = P.w_ratio * P.inv_n * ratio;
      g[imax] += c;
      g[imin] -= c;
    }
  }
  if (P.w_scale > 0.0) {
    for (var k = 0u; k < 3u; k++) {
      let s = exp(l[k]);
      if (s > P.max_scale) { g[k] += P.w_scale * P.inv_n * s; }
    }
  }
  if (any(g != vec3f(0.0))) {
    for (var k = 0u; k < 3u; k++) { g_log_scales[i * 3u + k] += g[k]; }
  }
}
`;

/** Adds the regulariser gradients into a SceneGradients of the bound parameters. */
export class BoundRegularisers {
  private readonly kernel: Kernel;
  private readonly uniform: GPUBuffer;

  constructor(
    private readonly device: GPUDevice,
    public options: RegulariserOptions = DEFAULT_REGULARISERS,
  ) {
    this.kernel = createKernel(device, { label: 'avatar.regularisers', code: REG_WGSL });
    this.uniform = createUniformBuffer(device, 48, 'avatar.regularisers.params');
  }

  get active(): boolean {
    const o = this.options;
    return o.offsetWeight > 0 || o.ratioWeight > 0 || o.scaleWeight > 0;
  }

  /** Records the pass (after the deformer backward, before Adam). */
  encode(encoder: GPUCommandEncoder, params: GaussianScene, grads: SceneGradients): void {
    const n = params.count;
    if (n === 0 || !this.active) return;
    const o = this.options;
    const u = new ArrayBuffer(48);
    new Uint32Array(u, 0, 4).set([n, 0, 0, 0]);
    new Float32Array(u, 16, 8).set([o.offsetWeight, o.offsetFree, o.ratioWeight, o.maxRatio, o.scaleWeight, o.maxLocalScale, 1 / n, 0]);
    this.device.queue.writeBuffer(this.uniform, 0, u);
    const pass = encoder.beginComputePass({ label: 'avatar.regularisers' });
    dispatchKernel(pass, this.kernel, this.kernel.bind([this.uniform, params.means, params.logScales, grads.means!, grads.logScales!]), n, 256);
    pass.end();
  }

  destroy(): void {
    this.uniform.destroy();
  }
}

/** CPU twin: the regulariser loss and its gradients (bound layout: means N×3 = [b0, b1, d], logScales N×3). */
export function regulariserReference(
  count: number,
  means: ArrayLike<number>,
  logScales: ArrayLike<number>,
  o: RegulariserOptions = DEFAULT_REGULARISERS,
): { loss: number; gMeans: Float64Array; gLogScales: Float64Array } {
  const gMeans = new Float64Array(count * 3), gLogScales = new Float64Array(count * 3);
  if (count === 0) return { loss: 0, gMeans, gLogScales };
  const inv = 1 / count;
  let loss = 0;
  for (let i = 0; i < count; i++) {
    const d = means[i * 3 + 2];
    if (o.offsetWeight > 0 && Math.abs(d) > o.offsetFree) {
      loss += o.offsetWeight * inv * (Math.abs(d) - o.offsetFree);
      gMeans[i * 3 + 2] += o.offsetWeight * inv * Math.sign(d);
    }
    const l = [logScales[i * 3], logScales[i * 3 + 1], logScales[i * 3 + 2]];
    if (o.ratioWeight > 0) {
      let imax = 0, imin = 0;
      for (let k = 1; k < 3; k++) {
        if (l[k] > l[imax]) imax = k;
        if (l[k] < l[imin]) imin = k;
      }
      const ratio = Math.exp(l[imax] - l[imin]);
      if (ratio > o.maxRatio && imax !== imin) {
        loss += o.ratioWeight * inv * (ratio - o.maxRatio);
        gLogScales[i * 3 + imax] += o.ratioWeight * inv * ratio;
        gLogScales[i * 3 + imin] -= o.ratioWeight * inv * ratio;
      }
    }
    if (o.scaleWeight > 0) {
      for (let k = 0; k < 3; k++) {
        const s = Math.exp(l[k]);
        if (s > o.maxLocalScale) {
          loss += o.scaleWeight * inv * (s - o.maxLocalScale);
          gLogScales[i * 3 + k] += o.scaleWeight * inv * s;
        }
      }
    }
  }
  return { loss, gMeans, gLogScales };
}
