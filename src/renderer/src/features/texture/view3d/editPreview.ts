/**
 * The 3D view's edited avatar: the texture document's composite over the bake's colour map → the avatar that
 * *Apply to avatar* will write (`EditResampler`, native/engine/avatar/bake/resample.ts — the same computation, on
 * the same mesh, as the `texture.apply` job): SH DC re-sampled at every Gaussian's UV, texel-sized Gaussians along
 * the edit's edges where the avatar's are too large. What does not depend on the edit is computed once per map size.
 */
import type { BoundGaussianData } from '@engine/avatar/binding/bound-gaussians';
import type { UvLayout } from '@engine/avatar/head-model';
import { EditResampler, type ResampleResult } from '@engine/avatar/bake/resample';
import type { Composite, RasterImage } from '@shared/texture/types';

export class EditPreview {
  private resampler: EditResampler | null = null;

  /** `mesh`: the neutral head the avatar is bound to, as the editor shows it (`rig.vertices(rig.neutral(), false)`). */
  constructor(
    private readonly data: BoundGaussianData,
    private readonly uv: UvLayout,
    private readonly mesh: { vertices: ArrayLike<number>; triangles: Uint32Array },
  ) {}

  /** The edited avatar under `composite`, composited over `base` (the bake's colour map, the document's base). */
  apply(composite: Composite, base: RasterImage): ResampleResult {
    const M = composite.width;
    if (composite.height !== M || base.width !== M || base.height !== M)
      throw new RangeError(`The texture is ${composite.width}×${composite.height} over a ${base.width}×${base.height} base; the avatar's maps are square and the same size.`);
    if (this.resampler?.size !== M) this.resampler = new EditResampler(this.data, this.uv, this.mesh, M);
    return this.resampler.apply({ size: M, rgba: composite.rgba, coverage: composite.coverage }, base.data);
  }
}
