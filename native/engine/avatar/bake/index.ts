/** Baking bound-Gaussian avatars into continuous UV attribute maps. See README.md. */
export { bakeAvatar, DEFAULT_BAKE_RATES, VISIBILITY_FILLED, VISIBILITY_OBSERVED, type BakeOptions, type BakeRates, type BakeReport, type BakeResult } from './bake';
export { attributesFromBound, boundFromAttributes, writeAttributes } from './attributes';
export { MapAdam } from './map-adam';
export { MapFit } from './map-fit';
export { observationWeights, renderViews, type BakeView } from './observation';
export * from './uv-maps';
