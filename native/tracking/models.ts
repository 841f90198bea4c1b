/**
 * The face models the tracker runs (converted TF.js → ONNX by native/models into `.cache/models/<name>.onnx`; the
 * Node sessions and the models folder are src/main/services/tracking/models.ts's, the browser ones web-tracker.ts's).
 */

/** BlazeFace detection, the 468-point face mesh, the iris model, the selfie person mask. */
export type ModelName = 'blazeface' | 'facemesh' | 'iris' | 'selfie';

/**
 * The models a tracker in a browser page runs (the web player's webcam driving, the Live page's worker), and what the
 * `player` export copies into its `models/` folder: no person mask (live driving needs none).
 */
export const WEBCAM_MODELS: readonly ModelName[] = ['blazeface', 'facemesh', 'iris'];

/** A model's file name in a models folder (`models/<name>.onnx` beside the player, `.cache/models/` in the studio). */
export const modelFileName = (name: ModelName): string => `${name}.onnx`;
