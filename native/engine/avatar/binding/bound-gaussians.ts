/**
 * Gaussians bound to mesh triangles (GaussianAvatars / FATE), on the GPU, structure of arrays.
 *
 * The trainable parameters live in a `GaussianScene` (`params`) so that the engine's Adam (`GpuAdam`), gradient
 * buffers (`SceneGradients`) and densify/prune compaction (`Densifier`) work on them unchanged; only the meaning of
 * two buffers differs from a world-space scene:
 *
 * | params buffer | per Gaussian | meaning here |
 * |---|---|---|
 * | `means` | 3 | [b0, b1, d]: barycentric weights of the triangle's v0 and v1 (b2 = 1 − b0 − b1) and the normal offset d (metres) |
 * | `logScales` | 3 | local log-scales: world scale = k_tri · exp(logScale) |
 * | `rotations` | 4 | local quaternion (w, x, y, z), unnormalised, in the triangle frame |
 * | `opacities` | 1 | logit (copied to the world scene) |
 * | `sh` | K·3 | SH coefficients (copied; degree 0 by default) |
 *
 * plus `triangleIds` (one f32 per Gaussian holding an integer triangle id, exact below 2²⁴ — f32 so the Densifier's
 * gather copies it as an extra attribute; see `extraAttribute()`).
 */
import { createStorageBuffer, writeArray } from '../../gpu/buffers';
import { readF32 } from '../../gpu/readback';
import type { ExtraAttribute } from '../../train/densify';
import { GaussianScene, type ShDegree } from '../../splat/scene';

/** Bound Gaussians on the CPU (same layouts; `reference/binding.ts` `BoundRef` accepts it). */
export interface BoundGaussianData {
  count: number;
  shDegree: ShDegree;
  triangle: Uint32Array; // N
  barycentric: Float32Array; // N×2 (b0, b1)
  offset: Float32Array; // N
  rotations: Float32Array; // N×4
  logScales: Float32Array; // N×3
  opacities: Float32Array; // N
  sh: Float32Array; // N×K×3
}

export class BoundGaussians {
  readonly device: GPUDevice;
  readonly params: GaussianScene;
  triangleIds: GPUBuffer;

  private constructor(params: GaussianScene, triangleIds: GPUBuffer) {
    this.device = params.device;
    this.params = params;
    this.triangleIds = triangleIds;
  }

  get count(): number {
    return this.params.count;
  }
  get capacity(): number {
    return this.params.capacity;
  }
  get shDegree(): ShDegree {
    return this.params.shDegree;
  }

  static fromData(device: GPUDevice, data: BoundGaussianData, options: { capacity?: number; label?: string } = {}): BoundGaussians {
    const n = data.count;
    const capacity = Math.max(1, options.capacity ?? n);
    const label = options.label ?? 'bound';
    const means = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      means[i * 3] = data.barycentric[i * 2];
      means[i * 3 + 1] = data.barycentric[i * 2 + 1];
      means[i * 3 + 2] = data.offset[i];
    }
    const params = GaussianScene.fromData(
      device,
      { count: n, means, logScales: data.logScales, rotations: data.rotations, opacities: data.opacities, sh: data.sh },
      { shDegree: data.shDegree, capacity, label },
    );
    const ids = createStorageBuffer(device, capacity * 4, `${label}.triangleIds`);
    for (let i = 0; i < n; i++) if (!(data.triangle[i] < 1 << 24)) throw new RangeError(`triangle id ${data.triangle[i]} ≥ 2^24`);
    writeArray(device, ids, Float32Array.from(data.triangle.subarray(0, n)));
    return new BoundGaussians(params, ids);
  }

  /** The triangle-id buffer as a Densifier extra attribute (compacted with the parameters). */
  extraAttribute(): ExtraAttribute {
    return { floatsPer: 1, get: () => this.triangleIds, set: (b) => (this.triangleIds = b) };
  }

  /** Reallocates with a larger capacity, keeping the live Gaussians. */
  grow(newCapacity: number): void {
    if (newCapacity <= this.params.capacity) return;
    const old = this.triangleIds;
    const n = this.params.count;
    this.params.grow(newCapacity);
    this.triangleIds = createStorageBuffer(this.device, newCapacity * 4, old.label);
    const enc = this.device.createCommandEncoder({ label: 'bound.grow' });
    if (n > 0) enc.copyBufferToBuffer(old, 0, this.triangleIds, 0, n * 4);
    this.device.queue.submit([enc.finish()]);
    old.destroy();
  }

  async read(): Promise<BoundGaussianData> {
    const p = await this.params.read();
    const n = p.count;
    const ids = await readF32(this.device, this.triangleIds, 0, n);
    const barycentric = new Float32Array(n * 2), offset = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      barycentric[i * 2] = p.means[i * 3];
      barycentric[i * 2 + 1] = p.means[i * 3 + 1];
      offset[i] = p.means[i * 3 + 2];
    }
    return {
      count: n,
      shDegree: this.params.shDegree,
      triangle: Uint32Array.from(ids),
      barycentric,
      offset,
      rotations: p.rotations,
      logScales: p.logScales,
      opacities: p.opacities,
      sh: p.sh,
    };
  }

  destroy(): void {
    this.params.destroy();
    this.triangleIds.destroy();
  }
}

/** Why bound Gaussians do not fit a mesh (the first one bound to a triangle it lacks), or null. */
export function misboundGaussian(data: Pick<BoundGaussianData, 'count' | 'triangle'>, triangles: ArrayLike<number>): string | null {
  const T = triangles.length / 3;
  for (let i = 0; i < data.count; i++) if (!(data.triangle[i]! < T)) return `Gaussian ${i} is bound to triangle ${data.triangle[i]} of ${T}`;
  return null;
}
