import { createStorageBuffer, writeArray } from '../gpu/buffers';
import { CapacityError } from '../gpu/errors';
import { readF32 } from '../gpu/readback';

/**
 * Gaussian parameters on the GPU, structure of arrays, all f32 (see CONVENTIONS.md for the meaning of each):
 *
 * | buffer      | floats per Gaussian | layout                    |
 * |-------------|---------------------|---------------------------|
 * | means       | 3                   | [x, y, z]                 |
 * | logScales   | 3                   | [sx, sy, sz] (log σ)      |
 * | rotations   | 4                   | [w, x, y, z] unnormalised |
 * | opacities   | 1                   | logit                     |
 * | sh          | K·3, K=(deg+1)²     | sh[n][k][rgb]             |
 * | features    | F (F ≥ 0)           | features[n][f]; null if F=0 |
 *
 * Buffers are allocated for `capacity` Gaussians; the first `count` are live. `grow()` reallocates on the GPU
 * (copying the live prefix) so densification can add Gaussians without a CPU round trip.
 */
export type ShDegree = 0 | 1 | 2 | 3;

export interface GaussianSceneOptions {
  capacity: number;
  shDegree: ShDegree;
  /** Extra per-Gaussian feature channels blended like colour (default 0). */
  featureDim?: number;
  label?: string;
}

/** CPU-side Gaussian parameters in the same layouts as the GPU buffers (first `count` Gaussians). */
export interface GaussianData {
  count: number;
  means: Float32Array;
  logScales: Float32Array;
  rotations: Float32Array;
  opacities: Float32Array;
  sh: Float32Array;
  features?: Float32Array;
}

export function shCoeffCount(degree: number): number {
  return (degree + 1) * (degree + 1);
}

/** Names of the parameter buffers, in a fixed order (handy for optimisers and gradient buffers). */
export const SCENE_PARAMS = ['means', 'logScales', 'rotations', 'opacities', 'sh', 'features'] as const;
export type SceneParam = (typeof SCENE_PARAMS)[number];

export class GaussianScene {
  readonly device: GPUDevice;
  readonly shDegree: ShDegree;
  /** K = (shDegree + 1)²: SH coefficients per colour channel. */
  readonly shCoeffs: number;
  readonly featureDim: number;
  readonly label: string;
  capacity: number;
  count = 0;
  means!: GPUBuffer;
  logScales!: GPUBuffer;
  rotations!: GPUBuffer;
  opacities!: GPUBuffer;
  sh!: GPUBuffer;
  /** null when featureDim = 0. */
  features!: GPUBuffer | null;

  private constructor(device: GPUDevice, options: GaussianSceneOptions) {
    const { capacity, shDegree } = options;
    const featureDim = options.featureDim ?? 0;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`scene capacity must be a positive integer, got ${capacity}`);
    if (![0, 1, 2, 3].includes(shDegree)) throw new RangeError(`shDegree must be 0..3, got ${shDegree}`);
    if (!Number.isInteger(featureDim) || featureDim < 0) throw new RangeError(`featureDim must be an integer ≥ 0, got ${featureDim}`);
    this.device = device;
    this.shDegree = shDegree;
    this.shCoeffs = shCoeffCount(shDegree);
    this.featureDim = featureDim;
    this.label = options.label ?? 'scene';
    this.capacity = capacity;
    this.allocate(capacity);
  }

  static create(device: GPUDevice, options: GaussianSceneOptions): GaussianScene {
    return new GaussianScene(device, options);
  }

  /** A scene holding `data` (capacity defaults to data.count, at least 1). */
  static fromData(
    device: GPUDevice,
    data: GaussianData,
    options: { shDegree: ShDegree; featureDim?: number; capacity?: number; label?: string },
  ): GaussianScene {
    const scene = new GaussianScene(device, { ...options, capacity: options.capacity ?? Math.max(1, data.count) });
    scene.upload(data);
    return scene;
  }

  /** Floats per Gaussian for each parameter buffer. */
  floatsPer(param: SceneParam): number {
    switch (param) {
      case 'means':
      case 'logScales':
        return 3;
      case 'rotations':
        return 4;
      case 'opacities':
        return 1;
      case 'sh':
        return this.shCoeffs * 3;
      case 'features':
        return this.featureDim;
    }
  }

  buffer(param: SceneParam): GPUBuffer | null {
    return this[param];
  }

  private allocate(capacity: number): void {
    const make = (param: SceneParam) =>
      createStorageBuffer(this.device, capacity * this.floatsPer(param) * 4, `${this.label}.${param}`);
    this.means = make('means');
    this.logScales = make('logScales');
    this.rotations = make('rotations');
    this.opacities = make('opacities');
    this.sh = make('sh');
    this.features = this.featureDim > 0 ? make('features') : null;
  }

  /**
   * Writes `data.count` Gaussians starting at index `start`; the live count becomes at least start + data.count.
   * Throws CapacityError if they do not fit (call grow() first).
   */
  upload(data: GaussianData, start = 0): void {
    const n = data.count;
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`GaussianData.count must be an integer ≥ 0, got ${n}`);
    if (start + n > this.capacity) {
      throw new CapacityError(
        `${this.label}: ${start + n} Gaussians do not fit a scene of capacity ${this.capacity}; grow() it first`,
      );
    }
    const check = (param: SceneParam, arr: Float32Array | undefined) => {
      const need = n * this.floatsPer(param);
      if (need === 0) return;
      if (!arr || arr.length < need) {
        throw new RangeError(`${this.label}.${param}: expected ≥ ${need} floats for ${n} Gaussians, got ${arr?.length ?? 0}`);
      }
      writeArray(this.device, this.buffer(param)!, arr.subarray(0, need), start * this.floatsPer(param) * 4);
    };
    check('means', data.means);
    check('logScales', data.logScales);
    check('rotations', data.rotations);
    check('opacities', data.opacities);
    check('sh', data.sh);
    if (this.featureDim > 0) check('features', data.features);
    this.count = Math.max(this.count, start + n);
  }

  setCount(count: number): void {
    if (!Number.isInteger(count) || count < 0 || count > this.capacity) {
      throw new CapacityError(`${this.label}: count ${count} outside [0, capacity ${this.capacity}]`);
    }
    this.count = count;
  }

  /** Reallocates every buffer with a larger capacity, copying the live Gaussians on the GPU. */
  grow(newCapacity: number): void {
    if (newCapacity <= this.capacity) return;
    const old = SCENE_PARAMS.map((p) => [p, this.buffer(p)] as const);
    this.allocate(newCapacity);
    const encoder = this.device.createCommandEncoder({ label: `${this.label}.grow` });
    for (const [param, buffer] of old) {
      const bytes = this.count * this.floatsPer(param) * 4;
      if (buffer && bytes > 0) encoder.copyBufferToBuffer(buffer, 0, this.buffer(param)!, 0, bytes);
    }
    this.device.queue.submit([encoder.finish()]);
    for (const [, buffer] of old) buffer?.destroy();
    this.capacity = newCapacity;
  }

  /** Reads the live Gaussians back to the CPU (tests, export). */
  async read(): Promise<GaussianData> {
    const n = this.count;
    const get = (param: SceneParam) => readF32(this.device, this.buffer(param)!, 0, n * this.floatsPer(param));
    return {
      count: n,
      means: await get('means'),
      logScales: await get('logScales'),
      rotations: await get('rotations'),
      opacities: await get('opacities'),
      sh: await get('sh'),
      ...(this.featureDim > 0 ? { features: await get('features') } : {}),
    };
  }

  destroy(): void {
    for (const p of SCENE_PARAMS) this.buffer(p)?.destroy();
  }
}
