/**
 * Gradient buffers the backward pass writes, one per scene parameter (same layouts as GaussianScene), plus
 * densification statistics. Parameter gradients hold f32 bit patterns (kernels add into them with compare-exchange
 * on atomic<u32>) and are cleared at the start of every backward; `gradAccum`/`gradCount` persist until densify
 * resets them.
 */
import { createStorageBuffer } from '../gpu/buffers';
import { readF32 } from '../gpu/readback';
import { SCENE_PARAMS, type GaussianScene, type SceneParam } from './scene';

export class SceneGradients {
  readonly device: GPUDevice;
  capacity = 0;
  means!: GPUBuffer;
  logScales!: GPUBuffer;
  rotations!: GPUBuffer;
  opacities!: GPUBuffer;
  sh!: GPUBuffer;
  features!: GPUBuffer | null;
  /**
   * Densification statistics, N×4 f32: [du, dv] = dL/d(u, v) of the last backward, then `gradAccum` = Σ over
   * backward passes of ‖dL/d(u, v)‖ and `gradCount` = number of passes in which the Gaussian was visible.
   */
  stats!: GPUBuffer;

  constructor(private readonly scene: GaussianScene) {
    this.device = scene.device;
    this.ensureCapacity();
  }

  /** Reallocates (dropping contents, zeroing the statistics) if the scene grew. */
  ensureCapacity(): void {
    const cap = this.scene.capacity;
    if (cap === this.capacity) return;
    if (this.capacity > 0) this.destroy();
    this.capacity = cap;
    const make = (floats: number, label: string) => createStorageBuffer(this.device, cap * floats * 4, `grad.${label}`);
    this.means = make(3, 'means');
    this.logScales = make(3, 'logScales');
    this.rotations = make(4, 'rotations');
    this.opacities = make(1, 'opacities');
    this.sh = make(this.scene.shCoeffs * 3, 'sh');
    this.features = this.scene.featureDim > 0 ? make(this.scene.featureDim, 'features') : null;
    this.stats = make(4, 'stats');
    const enc = this.device.createCommandEncoder({ label: 'grad.init' });
    this.clearStats(enc);
    this.device.queue.submit([enc.finish()]);
  }

  buffer(param: SceneParam): GPUBuffer | null {
    return this[param];
  }

  /** Zeroes the per-step gradients (not the densification statistics). */
  clear(encoder: GPUCommandEncoder): void {
    for (const p of SCENE_PARAMS) {
      const b = this.buffer(p);
      if (b) encoder.clearBuffer(b);
    }
  }

  clearStats(encoder: GPUCommandEncoder): void {
    encoder.clearBuffer(this.stats);
  }

  /** Reads the live Gaussians' gradients (tests). */
  async read(): Promise<Record<SceneParam | 'stats', Float32Array>> {
    const n = this.scene.count;
    const get = (b: GPUBuffer | null, floats: number) => (b && floats > 0 ? readF32(this.device, b, 0, n * floats) : Promise.resolve(new Float32Array(0)));
    return {
      means: await get(this.means, 3),
      logScales: await get(this.logScales, 3),
      rotations: await get(this.rotations, 4),
      opacities: await get(this.opacities, 1),
      sh: await get(this.sh, this.scene.shCoeffs * 3),
      features: await get(this.features, this.scene.featureDim),
      stats: await get(this.stats, 4),
    };
  }

  destroy(): void {
    for (const b of [this.means, this.logScales, this.rotations, this.opacities, this.sh, this.features, this.stats]) b?.destroy();
  }
}
