/**
 * The 3D view's colour update: the texture document's composite → every Gaussian's SH DC re-sampled at its UV
 * (`ColourResampler`, native/engine/avatar/bake/resample.ts; texels with coverage 0 keep the exact baked colour) →
 * the SH array the engine uploads. Only colours change while painting; Gaussians are added on "apply to avatar".
 */
import type { BoundGaussianData } from '@engine/avatar/binding/bound-gaussians';
import type { UvLayout } from '@engine/avatar/head-model';
import { ColourResampler } from '@engine/avatar/bake/resample';
import { gaussianUvs } from '@engine/avatar/bake/uv-maps';
import type { Composite, Rect } from '@shared/texture/types';

export class LiveColours {
  private readonly resampler: ColourResampler;
  private readonly out: Float32Array;
  /** False until a full re-sample has filled `out` (a region update needs the rest of it). */
  private primed = false;

  constructor(data: BoundGaussianData, uv: UvLayout, readonly mapSize: number) {
    this.resampler = new ColourResampler(data, gaussianUvs(uv, data.triangle, data.barycentric, data.count), mapSize);
    this.out = new Float32Array(data.sh.length);
  }

  /**
   * SH coefficients under `composite` (the same array every call: upload it before the next call). `dirty`: the texel
   * rectangle that changed since the previous call (a brush segment), so only the Gaussians over it are re-sampled;
   * null re-samples all (layer changes, a new composite).
   */
  apply(composite: Composite, dirty: Rect | null = null): { sh: Float32Array; resampled: number } {
    if (composite.width !== this.mapSize || composite.height !== this.mapSize)
      throw new RangeError(`The texture is ${composite.width}×${composite.height} but the avatar's maps are ${this.mapSize}².`);
    const edit = { size: this.mapSize, rgba: composite.rgba, coverage: composite.coverage };
    if (dirty && this.primed) return { sh: this.out, resampled: this.resampler.resampleRegion(edit, dirty, this.out) };
    this.resampler.resample(edit, this.out);
    this.primed = true;
    return { sh: this.out, resampled: this.resampler.count };
  }
}
