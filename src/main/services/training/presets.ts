import { StudioError } from '@shared/api/errors';
import { TRAINING_PRESETS, TrainingConfig, type TrainingOverrides, type TrainingPreset } from '@shared/model/avatar';
import type { AvatarTrainerOptions } from '@engine/avatar/trainer';

export { TRAINING_PRESETS };

/** The preset's configuration with the overrides applied, checked as a whole (e.g. densify window order). */
export function resolveTrainingConfig(preset: TrainingPreset, overrides: TrainingOverrides = {}): TrainingConfig {
  const { holdOutCamera: _camera, ...rest } = overrides;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const config = TrainingConfig.parse({ ...TRAINING_PRESETS[preset], ...defined });
  if (config.densifyUntil < config.densifyFrom)
    throw new StudioError('BAD_REQUEST', `densifyUntil (${config.densifyUntil}) must not be before densifyFrom (${config.densifyFrom}).`);
  return config;
}

/** Densify / prune schedule in steps, from the fractions and intervals of the configuration. */
export function schedule(c: TrainingConfig, initialCount: number) {
  const from = Math.max(1, Math.floor(c.steps * c.densifyFrom));
  const until = Math.floor(c.steps * c.densifyUntil);
  const interval = c.densifyInterval || Math.max(1, Math.floor(c.steps * 0.2));
  // Below 20 steps there are no gradient statistics worth splitting on.
  const densify = c.steps >= 20 && c.densifyBudget > 1 && until >= from ? { from, until, interval, maxGaussians: Math.round(c.densifyBudget * initialCount) } : null;
  const prune = { interval: c.pruneInterval || Math.max(10, Math.floor(c.steps * 0.45)), minOpacity: c.pruneOpacity };
  return { densify, prune };
}

const BACKGROUNDS = { black: [0, 0, 0], white: [1, 1, 1] } as const;

/**
 * The trainer's options for a training config (the job's and the GPU kit's): rates, loss, background, the densify and
 * prune schedules for an avatar that starts with `initialCount` Gaussians, head tuning over `tuningTimes` (one per
 * train frame).
 */
export function trainerOptions(c: TrainingConfig, initialCount: number, tuningTimes: number[]): Omit<AvatarTrainerOptions, 'onRollback'> {
  const { densify, prune } = schedule(c, initialCount);
  return {
    learningRates: { shDC: c.lrColor, shRest: c.lrColor / 20, opacities: c.lrOpacity, logScales: c.lrScale, rotations: c.lrRotation, means: c.lrOffset },
    lambda: c.dssimWeight,
    background: c.background === 'random' ? 'random' : BACKGROUNDS[c.background],
    densify,
    prune,
    shDegree: c.shDegree,
    seed: c.seed,
    intersectionCapacity: 'adaptive',
    lossWeights: { mouth: c.mouthWeight },
    headTuning: c.headTuning ? { temporal: { times: tuningTimes, weight: 5e-6 } } : null,
  };
}

/** The camera id a hold-out names (id, name or source name); refused with the capture's cameras listed otherwise. */
export function resolveHoldOutCamera(capture: { cameras: { id: string; name: string; sourceName: string }[] }, which: string): string {
  const cam = capture.cameras.find((c) => c.id === which || c.name === which || c.sourceName === which);
  if (!cam) throw new StudioError('BAD_REQUEST', `No camera “${which}” in this capture; its cameras are ${capture.cameras.map((c) => `“${c.name}”`).join(', ')}.`);
  if (capture.cameras.length < 2) throw new StudioError('CONFLICT', 'Holding out a camera needs a capture with at least two cameras; this one has one.');
  return cam.id;
}
