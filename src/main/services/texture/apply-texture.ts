/**
 * "Apply to avatar" (issue 7 deliverable 4), the computation: the saved texture document composited over the bake's
 * colour map (`compositeTexture`), the baked avatar re-sampled under it (`resampleAvatar`, the computation the
 * editor's 3D view shows while painting: SH DC blended by coverage, texel-sized Gaussians along the edit's edges where
 * the avatar's are too large) and the bake's maps with their colour channels edited the same way (texels with coverage 0 keep their exact floats), so the new version's bake describes the new avatar.
 * Arrays in, arrays out: the `texture.apply` worker (apply-texture.worker.ts) reads and writes the files.
 */
import type { BoundGaussianData } from '@engine/avatar/binding/bound-gaussians';
import type { UvLayout } from '@engine/avatar/head-model';
import type { BakedMaps } from '@engine/avatar/bake/baked-maps-file';
import { resampleAvatar, type ResampleReport } from '@engine/avatar/bake/resample';
import { CH_SH, CHANNELS } from '@engine/avatar/bake/uv-maps';
import { SH_C0 } from '@engine/reference/sh';
import { StudioError } from '@shared/api/errors';
import { compositeTexture } from '@shared/texture/composite';
import type { Composite, RasterImage, TextureLayer } from '@shared/texture/types';

export interface ApplyTextureInputs {
  /** The bake's baked avatar (bake/baked-avatar.bin). */
  baked: BoundGaussianData;
  /** The bake's composed maps (bake/maps.bin). */
  maps: BakedMaps;
  /** The bake's colour map (bake/colour.png), the document's base. */
  base: RasterImage;
  layers: readonly TextureLayer[];
  images: Readonly<Record<string, RasterImage>>;
  uv: UvLayout;
  /** The neutral head (the subject's shape) the Gaussians are bound to. */
  mesh: { vertices: ArrayLike<number>; triangles: Uint32Array };
}

export interface ApplyTextureResult {
  avatar: BoundGaussianData;
  /** The bake's maps with the edited colour channels (visibility unchanged). */
  maps: BakedMaps;
  composite: Composite;
  report: ResampleReport;
}

export function applyTexture(inputs: ApplyTextureInputs): ApplyTextureResult {
  const { maps, base } = inputs;
  const M = maps.mapSize;
  if (base.width !== M || base.height !== M) throw new StudioError('CONFLICT', `The bake's colour map is ${base.width}×${base.height} but its maps are ${M}²; bake the avatar again.`);
  const composite = compositeTexture(base, inputs.layers, inputs.images);
  const { avatar, report } = resampleAvatar({ avatar: inputs.baked, uv: inputs.uv, mesh: inputs.mesh, edit: { size: M, rgba: composite.rgba, coverage: composite.coverage }, base: base.data });
  const edited = maps.maps.slice();
  for (let p = 0; p < M * M; p++) {
    const a = composite.coverage[p] / 255;
    if (a === 0) continue;
    for (let c = 0; c < 3; c++) {
      const o = p * CHANNELS + CH_SH + c;
      const rgb = (maps.maps[o] * SH_C0 + 0.5) * (1 - a) + (a * composite.rgba[p * 4 + c]) / 255;
      edited[o] = (rgb - 0.5) / SH_C0;
    }
  }
  return { avatar, maps: { ...maps, maps: edited }, composite, report };
}
