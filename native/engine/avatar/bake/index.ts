/** Baking bound-Gaussian avatars into continuous UV attribute maps. See README.md. */
export { bakeAvatar, DEFAULT_BAKE_RATES, VISIBILITY_FILLED, VISIBILITY_OBSERVED, type BakeOptions, type BakeRates, type BakeReport, type BakeResult, type BakeStage } from './bake';
export { attributesFromBound, boundFromAttributes, writeAttributes } from './attributes';
export { MapAdam } from './map-adam';
export { MapFit } from './map-fit';
export { observationWeights, renderViews, type BakeView } from './observation';
export * from './uv-maps';
export { BAKED_MAPS_MAGIC, BAKED_MAPS_VERSION, MAX_BAKED_MAP_SIZE, bakedMapsFileSize, readBakedMaps, writeBakedMaps, type BakedMaps } from './baked-maps-file';
export { colourImage, opacityImage, visibilityImage } from './baked-map-images';
export { ColourResampler, EditResampler, resampleAvatar, type ColourEdit, type ResampleInput, type ResampleOptions, type ResampleReport, type ResampleResult } from './resample';
export { denseVisibility, rasterUvLayout } from './uv-visibility';
