export { trackFrames, Tracker, summarize, estimatePose, landmarkBox, ALL_POINTS, MESH_POINTS } from './tracker';
export { ModelsMissingError, defaultModelsDir } from './models';
export { encodeMaskPng, resizeMask, readImage, decodeImage } from './image';
export type * from '@tracking/types';
