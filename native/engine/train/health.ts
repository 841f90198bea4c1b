/**
 * Training health check: one small kernel that copies the loss scalars ([l1, ssim, loss] from `PhotometricLoss.result`)
 * and flags non-finite values — the loss (bit 0) and any parameter of the live Gaussians (bit 1, with a count) — into
 * an 8-word buffer, read back asynchronously (`readBufferBytes` submits the copy at once and resolves later, so the
 * step loop never waits for it). Cost per check: one thread per Gaussian reading its 11 + 3K floats, plus a 32-byte
 * copy and map.
 *
 * Output words: [l1, ssim, loss (f32 bits), flags, non-finite Gaussians, 0, 0, 0].
 */
import { createStorageBuffer, createUniformBuffer } from '../gpu/buffers';
import { createKernel, dispatchKernel, type Kernel } from '../gpu/kernel';
import { readBufferBytes } from '../gpu/readback';
import type { GaussianScene } from '../splat/scene';

export const HEALTH_LOSS_NONFINITE = 1;
export const HEALTH_PARAMS_NONFINITE = 2;

export interface HealthReport {
  l1: number;
  ssim: number;
  loss: number;
  /** HEALTH_* bits; 0 = healthy. */
  flags: number;
  /** Gaussians with at least one non-finite parameter. */
  nonFiniteGaussians: number;
}

const HEALTH_WGSL = /* wgsl */ `
struct Params { count: u32, sh_floats: u32, _p0: u32, _p1: u32 };
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> loss: array<f32>;
@group(0) @binding(2) var<storage, read> means: array<f32>;
@group(0) @binding(3) var<storage, read> log_scales: array<f32>;
@group(0) @binding(4) var<storage, read> rotations: array<f32>;
@group(0) @binding(5) var<storage, read> opacities: array<f32>;
@group(0) @binding(6) var<storage, read> sh: array<f32>;
@group(0) @binding(7) var<storage, read_write> out: array<atomic<u32>>;
fn fin(x: f32) -> bool { return abs(x) <= 3.0e38; }
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i == 0u) {
    for (var k = 0u; k < 3u; k++) { atomicStore(&out[k], bitcast<u32>(loss[k])); }
    if (!fin(loss[0]) || !fin(loss[1]) || !fin(loss[2])) { atomicOr(&out[3], ${HEALTH_LOSS_NONFINITE}u); }
  }
  if (i >= P.count) { return; }
  var ok = fin(opacities[i]);
  for (var k = 0u; k < 3u; k++) { ok = ok && fin(means[i * 3u + k]) && fin(log_scales[i * 3u + k]); }
  for (var k = 0u; k < 4u; k++) { ok = ok && fin(rotations[i * 4u + k]); }
  for (var k = 0u; k < P.sh_floats; k++) { ok = ok && fin(sh[i * P.sh_floats + k]); }
  if (!ok) {
    atomicOr(&out[3], ${HEALTH_PARAMS_NONFINITE}u);
    atomicAdd(&out[4], 1u);
  }
}
`;

/** CPU twin of the kernel. */
export function healthReference(loss: ArrayLike<number>, scene: { count: number; shCoeffs: number; means: ArrayLike<number>; logScales: ArrayLike<number>; rotations: ArrayLike<number>; opacities: ArrayLike<number>; sh: ArrayLike<number> }): HealthReport {
  let flags = [0, 1, 2].every((k) => Number.isFinite(loss[k])) ? 0 : HEALTH_LOSS_NONFINITE;
  let bad = 0;
  const K3 = scene.shCoeffs * 3;
  const rows: Array<[ArrayLike<number>, number]> = [[scene.means, 3], [scene.logScales, 3], [scene.rotations, 4], [scene.opacities, 1], [scene.sh, K3]];
  for (let i = 0; i < scene.count; i++) {
    let ok = true;
    for (const [a, f] of rows) for (let k = 0; k < f; k++) ok = ok && Number.isFinite(a[i * f + k]);
    if (!ok) bad++;
  }
  if (bad) flags |= HEALTH_PARAMS_NONFINITE;
  return { l1: loss[0], ssim: loss[1], loss: loss[2], flags, nonFiniteGaussians: bad };
}

export function decodeHealth(bytes: ArrayBuffer): HealthReport {
  const f = new Float32Array(bytes, 0, 3);
  const u = new Uint32Array(bytes, 12, 2);
  return { l1: f[0], ssim: f[1], loss: f[2], flags: u[0], nonFiniteGaussians: u[1] };
}

export class TrainingHealth {
  readonly device: GPUDevice;
  readonly out: GPUBuffer;
  private readonly uniform: GPUBuffer;
  private readonly kernel: Kernel;

  constructor(device: GPUDevice) {
    this.device = device;
    this.out = createStorageBuffer(device, 32, 'health.out');
    this.uniform = createUniformBuffer(device, 16, 'health.params');
    this.kernel = createKernel(device, { label: 'health', code: HEALTH_WGSL });
  }

  /** Records the check of `lossResult` (≥ 3 floats) and `scene`'s live parameters into `out`. */
  encode(encoder: GPUCommandEncoder, lossResult: GPUBuffer, scene: GaussianScene): void {
    this.device.queue.writeBuffer(this.uniform, 0, new Uint32Array([scene.count, scene.shCoeffs * 3, 0, 0]));
    encoder.clearBuffer(this.out);
    const pass = encoder.beginComputePass({ label: 'health' });
    dispatchKernel(pass, this.kernel, this.kernel.bind([this.uniform, lossResult, scene.means, scene.logScales, scene.rotations, scene.opacities, scene.sh, this.out]), Math.max(1, scene.count), 256);
    pass.end();
  }

  /**
   * Starts the readback of `out` (the copy is submitted now, so it sees everything submitted before this call and
   * nothing after) and returns a promise of the report: await it, or let it resolve in the background.
   */
  read(): Promise<HealthReport> {
    return readBufferBytes(this.device, this.out, 0, 32).then(decodeHealth);
  }

  destroy(): void {
    this.out.destroy();
    this.uniform.destroy();
  }
}
