import type { FitOptions } from '@engine/avatar/fitting/fit';

/** The landmark fit's options in the tracking job (every third frame a keyframe candidate, temporal smoothing). */
export const CAPTURE_FIT_OPTIONS = { stride: 3, temporal: { rotation: 0.5, translation: 0.5, expression: 0.2 } } satisfies FitOptions;
