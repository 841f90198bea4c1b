/**
 * GPU backward of the splat renderer: pixel gradients → Gaussian parameter gradients (into `SceneGradients`).
 *
 * Passes: pack per-pixel inputs → rasteriser backward (per tile, back to front, workgroup reduction + CAS float
 * atomics into `grad2d`, N×10) → projection backward (2D → 3D, three kernels). Nothing is read back.
 *
 * Inputs from the forward (`RasterBackwardInputs`, a subset of `ForwardState`): `projected` (ProjectedSplat),
 * `tileInfo` (radius 0 = culled), `tileRanges`, `isectGaussians` (sorted ids) and `aux` (final T and the exclusive end
 * of each pixel's contributors).
 */
import { createStorageBuffer, createUniformBuffer } from '../gpu/buffers';
import { createKernel, dispatchGroups, dispatchKernel, type Kernel } from '../gpu/kernel';
import { cameraCentre } from '../reference/camera';
import type { Camera } from '../reference/types';
import { isCpuDevice } from '../gpu/adapter-kind';
import { backwardPackWgsl, backwardProjectWgsl, backwardTrimRangesWgsl, backwardRasterWgsl, backwardStatsWgsl, BW_TILE, GRAD2D_STRIDE, type BackwardRasterMode } from './backward-wgsl';
import type { SceneGradients } from './backward-grads';
import type { GaussianScene } from './scene';

export interface RasterBackwardInputs {
  projected: GPUBuffer;
  tileInfo: GPUBuffer;
  tileRanges: GPUBuffer;
  isectGaussians: GPUBuffer;
  aux: GPUBuffer;
  /** Active SH degree used by the forward (default: the scene's). */
  shDegree?: number;
  /** Per-pixel background image the forward used (H·W·3), if any. */
  backgroundImage?: GPUBuffer | null;
}

export interface PixelGradBuffers {
  /** dL/drgb, `rgbStride` floats per pixel (channels 0..2 used). */
  rgb?: GPUBuffer | null;
  rgbStride?: number;
  alpha?: GPUBuffer | null;
  depth?: GPUBuffer | null;
  /** dL/dfeatures, H·W·F. */
  features?: GPUBuffer | null;
}

export interface BackwardOptions {
  near?: number;
  /** Background colour used by the forward (default black); an image comes with the inputs. */
  background?: readonly [number, number, number];
}

export class SplatBackward {
  readonly device: GPUDevice;
  /** dL/d(u, v, conic, opacity, rgb, depth) per Gaussian (N×10, f32 bits), rebuilt every backward. */
  grad2d: GPUBuffer;
  private grad2dCapacity: number;
  private pix: GPUBuffer | null = null;
  private pixPixels = 0;
  private readonly uniform: GPUBuffer;
  private readonly dummy: GPUBuffer;
  private readonly k: { pack: Kernel; trim: Kernel; raster: Kernel; geom: Kernel; sh: Kernel; stats: Kernel };
  private trimmed: GPUBuffer | null = null;
  private trimmedTiles = 0;
  
  /** The rasteriser backward's variant: 'rows' on CPU adapters, 'shared' on GPUs (backward-wgsl.ts). */
  readonly rasterMode: BackwardRasterMode;

  constructor(private readonly scene: GaussianScene, options: { rasterMode?: BackwardRasterMode } = {}) {
    const device = (this.device = scene.device);
    this.rasterMode = options.rasterMode ?? (isCpuDevice(device) ? 'rows' : 'shared');
    this.uniform = createUniformBuffer(device, 160, 'bw.params');
    this.dummy = createStorageBuffer(device, 16, 'bw.dummy');
    this.grad2dCapacity = scene.capacity;
    this.grad2d = createStorageBuffer(device, scene.capacity * GRAD2D_STRIDE * 4, 'bw.grad2d');
    this.k = {
      pack: createKernel(device, { label: 'bw.pack', code: backwardPackWgsl }),
      trim: createKernel(device, { label: 'bw.trimRanges', code: backwardTrimRangesWgsl }),
      raster: createKernel(device, { label: `bw.raster[${this.rasterMode}]`, code: backwardRasterWgsl(scene.featureDim, this.rasterMode) }),
      geom: createKernel(device, { label: 'bw.projectGeom', code: backwardProjectWgsl('geom') }),
      sh: createKernel(device, { label: 'bw.projectSh', code: backwardProjectWgsl('sh') }),
      stats: createKernel(device, { label: 'bw.stats', code: backwardStatsWgsl }),
    };
  }

  private ensureBuffers(pixels: number, tiles: number): void {
    if (tiles > this.trimmedTiles) {
      this.trimmed?.destroy();
      this.trimmedTiles = tiles;
      this.trimmed = createStorageBuffer(this.device, tiles * 8, 'bw.trimmedRanges');
    }
    if (this.grad2dCapacity !== this.scene.capacity) {
      this.grad2d.destroy();
      this.grad2dCapacity = this.scene.capacity;
      this.grad2d = createStorageBuffer(this.device, this.grad2dCapacity * GRAD2D_STRIDE * 4, 'bw.grad2d');
    }
    if (pixels > this.pixPixels) {
      this.pix?.destroy();
      this.pixPixels = pixels;
      this.pix = createStorageBuffer(this.device, pixels * 12 * 4, 'bw.pix');
    }
  }

  private writeUniform(cam: Camera, g: PixelGradBuffers, opts: BackwardOptions, bgImage: boolean, shDegree: number): void {
    const buf = new ArrayBuffer(160);
    const f = new Float32Array(buf);
    const u = new Uint32Array(buf);
    for (let i = 0; i < 16; i++) f[i] = cam.viewMatrix[i];
    f.set(cameraCentre(cam.viewMatrix), 16);
    if (opts.background) f.set(opts.background, 20);
    f.set([cam.fx, cam.fy, cam.cx, cam.cy], 24);
    u.set([cam.width, cam.height, this.scene.count, shDegree], 28);
    f[32] = opts.near ?? 0.01;
    const flags = (g.rgb ? 1 : 0) | (g.alpha ? 2 : 0) | (g.depth ? 4 : 0) | (g.features && this.scene.featureDim > 0 ? 8 : 0) | (bgImage ? 16 : 0);
    u.set([g.rgbStride ?? 3, flags, this.scene.featureDim], 33);
    u.set([Math.ceil(cam.width / BW_TILE), Math.ceil(cam.height / BW_TILE), this.scene.shCoeffs], 36);
    this.device.queue.writeBuffer(this.uniform, 0, buf);
  }

  /**
   * Records the backward for one view. Clears `grads` parameter gradients first unless `accumulate` is set
   * (then gradients of several views add up); densification statistics in `grads.stats` always accumulate.
   */
  encode(
    encoder: GPUCommandEncoder,
    cam: Camera,
    inputs: RasterBackwardInputs,
    pixelGrads: PixelGradBuffers,
    grads: SceneGradients,
    options: BackwardOptions = {},
    accumulate = false,
  ): void {
    const pixels = cam.width * cam.height;
    const tilesX = Math.ceil(cam.width / BW_TILE), tilesY = Math.ceil(cam.height / BW_TILE);
    this.ensureBuffers(pixels, tilesX * tilesY);
    grads.ensureCapacity();
    const bgImage = inputs.backgroundImage ?? null;
    this.writeUniform(cam, pixelGrads, options, bgImage !== null, inputs.shDegree ?? this.scene.shDegree);
    if (!accumulate) grads.clear(encoder);
    encoder.clearBuffer(this.grad2d, 0, Math.max(4, this.scene.count * GRAD2D_STRIDE * 4));
    const d = this.dummy;
    const U = this.uniform;
    const pass = encoder.beginComputePass({ label: 'splat-backward' });
    const k = this.k;
    dispatchKernel(pass, k.pack, k.pack.bind([U, pixelGrads.rgb ?? d, pixelGrads.alpha ?? d, pixelGrads.depth ?? d, inputs.aux, bgImage ?? d, this.pix!]), pixels, 256);
    const F = this.scene.featureDim;
    dispatchKernel(pass, k.trim, k.trim.bind([U, inputs.tileRanges, this.pix!, this.trimmed!]), tilesX * tilesY, 16);
    const rasterBuffers = [U, inputs.projected, (F > 0 && this.scene.features) || d, this.trimmed!, inputs.isectGaussians, this.pix!, pixelGrads.features ?? d, this.grad2d];
    if (F > 0) rasterBuffers.push(grads.features!);
    dispatchGroups(pass, k.raster, k.raster.bind(rasterBuffers), tilesX, tilesY);
    const s = this.scene;
    const n = s.count;
    dispatchKernel(pass, k.geom, k.geom.bind([U, s.means, s.logScales, s.rotations, s.sh, this.grad2d, grads.means, grads.logScales, grads.rotations]), n, 64);
    dispatchKernel(pass, k.sh, k.sh.bind([U, s.means, s.logScales, s.rotations, s.sh, this.grad2d, grads.sh]), n, 64);
    dispatchKernel(pass, k.stats, k.stats.bind([U, this.grad2d, s.opacities, inputs.tileInfo, grads.opacities, grads.stats]), n, 256);
    pass.end();
  }

  destroy(): void {
    for (const b of [this.grad2d, this.pix, this.trimmed, this.uniform, this.dummy]) b?.destroy();
  }
}

/** The backward inputs of a forward pass (`ForwardState` from forward.ts). */
export function backwardInputsFromForward(state: {
  projected: GPUBuffer; tileInfo: GPUBuffer; tileRanges: GPUBuffer; isectGaussians: GPUBuffer; aux: GPUBuffer;
  shDegree: number; backgroundImage: GPUBuffer | null;
}): RasterBackwardInputs {
  const { projected, tileInfo, tileRanges, isectGaussians, aux, shDegree, backgroundImage } = state;
  return { projected, tileInfo, tileRanges, isectGaussians, aux, shDegree, backgroundImage };
}
