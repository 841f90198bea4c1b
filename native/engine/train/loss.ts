/**
 * GPU photometric loss (1 − λ)·L1 + λ·(1 − SSIM) with its gradient w.r.t. the render, optionally mask-weighted.
 * Recorded into a command encoder; the scalars stay on the GPU in `result` = [l1, ssim, loss, maskSum] and are read
 * back only when the caller asks (`readLoss`).
 */
import { createStorageBuffer, createUniformBuffer } from '../gpu/buffers';
import { createKernel, dispatchGroups, dispatchKernel, type Kernel } from '../gpu/kernel';
import { readF32 } from '../gpu/readback';
import { DSSIM_LAMBDA } from '../reference/losses';
import { isCpuDevice } from '../gpu/adapter-kind';
import { GRAD_BLUR_H, GRAD_BLUR_H_WALK, GRAD_FINAL, GRAD_FINAL_WALK, LOSS_REDUCE, MASK_SUM, SSIM_BLUR_H, SSIM_BLUR_H_WALK, SSIM_BLUR_V, SSIM_BLUR_V_WALK } from './loss-wgsl';

export interface PhotometricLossOptions {
  width: number;
  height: number;
  /** Floats per pixel of the render/target/gradient images (3 = RGB, 4 = RGBA); channels 0..2 are used. */
  stride?: number;
  /** D-SSIM weight λ (default 0.2); λ = 0 gives plain L1 (SSIM still computed for reporting). */
  lambda?: number;
  /**
   * 'pixel': an invocation per output value (GPUs); 'walk': an invocation per image row or column, each input loaded
   * once (CPU adapters, where loads dominate). Default by adapter. The same sums in the same order.
   */
  mode?: LossMode;
}

export type LossMode = 'pixel' | 'walk';

export interface LossValues {
  l1: number;
  ssim: number;
  loss: number;
}

export class PhotometricLoss {
  readonly width: number;
  readonly height: number;
  readonly stride: number;
  readonly lambda: number;
  /** [l1, ssim, loss, maskSum] on the GPU. */
  readonly result: GPUBuffer;
  private readonly device: GPUDevice;
  private readonly params: GPUBuffer;
  private readonly planes: GPUBuffer;
  private readonly gmaps: GPUBuffer;
  private readonly tmp: GPUBuffer;
  private readonly pix: GPUBuffer;
  private readonly dummyMask: GPUBuffer;
  private readonly k: Record<'maskSum' | 'blurH' | 'blurV' | 'gradH' | 'final' | 'reduce', Kernel>;
  private useMask = -1;
  readonly mode: LossMode;

  constructor(device: GPUDevice, options: PhotometricLossOptions) {
    this.device = device;
    this.width = options.width;
    this.height = options.height;
    this.stride = options.stride ?? 3;
    this.lambda = options.lambda ?? DSSIM_LAMBDA;
    const n = this.width * this.height;
    this.params = createUniformBuffer(device, 32, 'loss.params');
    this.planes = createStorageBuffer(device, 15 * n * 4, 'loss.planes');
    this.gmaps = createStorageBuffer(device, 9 * n * 4, 'loss.gmaps');
    this.tmp = createStorageBuffer(device, 9 * n * 4, 'loss.tmp');
    this.pix = createStorageBuffer(device, 6 * n * 4, 'loss.pix');
    this.result = createStorageBuffer(device, 16, 'loss.result');
    this.dummyMask = createStorageBuffer(device, 16, 'loss.noMask');
    this.mode = options.mode ?? (isCpuDevice(device) ? 'walk' : 'pixel');
    const walk = this.mode === 'walk';
    this.k = {
      maskSum: createKernel(device, { label: 'loss.maskSum', code: MASK_SUM }),
      blurH: createKernel(device, { label: `loss.ssimBlurH[${this.mode}]`, code: walk ? SSIM_BLUR_H_WALK : SSIM_BLUR_H }),
      blurV: createKernel(device, { label: `loss.ssimBlurV[${this.mode}]`, code: walk ? SSIM_BLUR_V_WALK : SSIM_BLUR_V }),
      gradH: createKernel(device, { label: `loss.gradBlurH[${this.mode}]`, code: walk ? GRAD_BLUR_H_WALK : GRAD_BLUR_H }),
      final: createKernel(device, { label: `loss.gradFinal[${this.mode}]`, code: walk ? GRAD_FINAL_WALK : GRAD_FINAL }),
      reduce: createKernel(device, { label: 'loss.reduce', code: LOSS_REDUCE }),
    };
  }

  private writeParams(useMask: boolean): void {
    if (this.useMask === Number(useMask)) return;
    this.useMask = Number(useMask);
    const u = new Uint32Array(8);
    u.set([this.width, this.height, this.stride, Number(useMask)]);
    new Float32Array(u.buffer).set([this.lambda], 4);
    this.device.queue.writeBuffer(this.params, 0, u);
  }

  /**
   * Records the loss and writes dL/drender into `dRender` (same layout as `render`, channels ≥ 3 set to 0).
   * `mask` is an optional H·W weight buffer.
   */
  encode(encoder: GPUCommandEncoder, render: GPUBuffer, target: GPUBuffer, dRender: GPUBuffer, mask: GPUBuffer | null = null): void {
    this.writeParams(mask !== null);
    const m = mask ?? this.dummyMask;
    const n = this.width * this.height;
    const p = this.params;
    const pass = encoder.beginComputePass({ label: 'photometric-loss' });
    dispatchKernel(pass, this.k.maskSum, this.k.maskSum.bind([p, m, this.result]), 1, 1);
    if (this.mode === 'walk') {
      // rows for the horizontal passes, columns for the vertical ones; channels (planes) on y
      const rows = Math.ceil(this.height / 64), cols = Math.ceil(this.width / 64);
      dispatchGroups(pass, this.k.blurH, this.k.blurH.bind([p, render, target, this.planes]), rows, 3);
      dispatchGroups(pass, this.k.blurV, this.k.blurV.bind([p, this.planes, m, this.result, this.gmaps, this.pix]), cols, 3);
      dispatchGroups(pass, this.k.gradH, this.k.gradH.bind([p, this.gmaps, this.tmp]), rows, 9);
      dispatchGroups(pass, this.k.final, this.k.final.bind([p, this.tmp, render, target, m, this.result, dRender, this.pix]), cols, 3);
    } else {
      const gx = Math.ceil(this.width / 16), gy = Math.ceil(this.height / 16);
      dispatchGroups(pass, this.k.blurH, this.k.blurH.bind([p, render, target, this.planes]), gx, gy, 3);
      dispatchGroups(pass, this.k.blurV, this.k.blurV.bind([p, this.planes, m, this.result, this.gmaps, this.pix]), gx, gy, 3);
      dispatchGroups(pass, this.k.gradH, this.k.gradH.bind([p, this.gmaps, this.tmp]), gx, gy, 9);
      dispatchGroups(pass, this.k.final, this.k.final.bind([p, this.tmp, render, target, m, this.result, dRender, this.pix]), gx, gy, 3);
    }
    dispatchKernel(pass, this.k.reduce, this.k.reduce.bind([p, this.pix, this.result]), 1, 1);
    pass.end();
  }

  /** Reads [l1, ssim, loss] back (a readback: call at intervals, not every step). */
  async readLoss(): Promise<LossValues> {
    const r = await readF32(this.device, this.result, 0, 3);
    return { l1: r[0], ssim: r[1], loss: r[2] };
  }

  destroy(): void {
    for (const b of [this.params, this.planes, this.gmaps, this.tmp, this.pix, this.result, this.dummyMask]) b.destroy();
  }
}
