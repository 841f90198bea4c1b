/** CPU reference backward: pixel gradients → all Gaussian parameter gradients. */
import { projectBackward, zeroGrads, type SceneGrads } from './project';
import { rasterizeBackward, type PixelGrads } from './rasterize';
import { rasterInputs } from './forward';
import { DEFAULT_NEAR, type Camera, type RefScene, type RenderOptions } from './types';

export type { SceneGrads } from './project';
export type { PixelGrads } from './rasterize';

export function backwardReference(scene: RefScene, cam: Camera, grads: PixelGrads, options: RenderOptions = {}): SceneGrads {
  const inp = rasterInputs(scene, cam, options);
  const out = zeroGrads(scene);
  const g2d = rasterizeBackward(inp, grads, out.features);
  const near = options.near ?? DEFAULT_NEAR;
  for (let i = 0; i < scene.count; i++) if (inp.projected[i].visible) projectBackward(scene, i, cam, g2d[i], out, near);
  return out;
}
