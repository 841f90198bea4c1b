/** CPU reference renderer: one entry point, `renderReference(scene, camera, options)`. */
import { projectAll, type Projected } from './project';
import { rasterizeForward, type RasterImages, type RasterInputs } from './rasterize';
import { DEFAULT_NEAR, type Camera, type RefScene, type RenderOptions } from './types';

/** Images as `Float32Array` (CONVENTIONS.md), plus the per-Gaussian projection. */
export interface ReferenceRender extends RasterImages<Float32Array> {
  projected: Projected[];
}

/** Same as `ReferenceRender` but images kept in f64 (finite-difference tests). */
export interface ReferenceRender64 extends RasterImages<Float64Array> {
  projected: Projected[];
}

/** Expand the background option to a per-pixel H·W·3 image. */
export function backgroundImage(cam: Camera, bg: RenderOptions['background']): Float64Array {
  const n = cam.width * cam.height;
  const out = new Float64Array(n * 3);
  if (!bg) return out;
  if (bg.length === 3) {
    for (let i = 0; i < n; i++) for (let ch = 0; ch < 3; ch++) out[i * 3 + ch] = bg[ch];
  } else {
    if (bg.length !== n * 3) throw new Error(`background image must have ${n * 3} values, got ${bg.length}`);
    for (let i = 0; i < n * 3; i++) out[i] = bg[i];
  }
  return out;
}

export function rasterInputs(scene: RefScene, cam: Camera, options: RenderOptions = {}): RasterInputs {
  return {
    projected: projectAll(scene, cam, options.near ?? DEFAULT_NEAR),
    width: cam.width,
    height: cam.height,
    background: backgroundImage(cam, options.background),
    featureDim: scene.featureDim ?? 0,
    features: scene.features ?? null,
  };
}

export function renderReference64(scene: RefScene, cam: Camera, options: RenderOptions = {}): ReferenceRender64 {
  const inp = rasterInputs(scene, cam, options);
  return { ...rasterizeForward(inp), projected: inp.projected };
}

export function renderReference(scene: RefScene, cam: Camera, options: RenderOptions = {}): ReferenceRender {
  const r = renderReference64(scene, cam, options);
  return {
    rgb: Float32Array.from(r.rgb),
    alpha: Float32Array.from(r.alpha),
    depth: Float32Array.from(r.depth),
    features: r.features ? Float32Array.from(r.features) : null,
    nContrib: r.nContrib,
    lastContrib: r.lastContrib,
    projected: r.projected,
  };
}
