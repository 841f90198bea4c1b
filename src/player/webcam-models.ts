import type { ModelName } from '../main/services/tracking/models';

/** The models the player's webcam tracker runs from its `models/` folder (no person mask: the player needs none). */
export const WEBCAM_MODELS: readonly ModelName[] = ['blazeface', 'facemesh', 'iris'];
