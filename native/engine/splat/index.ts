/** Forward renderer public API (platform-neutral). Backward/training modules import what they need directly. */
export { cameraCentre, MAX_IMAGE_SIZE, validateCamera, type Camera } from './camera';
export {
  DEFAULT_NEAR,
  ForwardRenderer,
  PROJECTED_STRIDE,
  readCounters,
  type ForwardOptions,
  type ForwardRendererOptions,
  type ForwardState,
} from './forward';
export { readForwardImages, readPixelsRgba, type ForwardImages } from './images';
export { RENDER_PARAMS_SIZE, tileGrid } from './params';
export { RadixSort, type SortBuffers } from './radix-sort';
export { PrefixScan } from './scan';
export { GaussianScene, SCENE_PARAMS, shCoeffCount, type GaussianData, type GaussianSceneOptions, type SceneParam, type ShDegree } from './scene';
export type { RasterMode } from './kernels/rasterize';
