import type { TrainingPreset } from '@shared/model/avatar';

/** Image long side (px), UV resolution (N×N texels → Gaussians) and steps of each preset. */
export const TRAINING_PRESETS: Record<TrainingPreset, { imageLongSide: number; uvResolution: number; steps: number }> = {
  preview: { imageLongSide: 128, uvResolution: 64, steps: 1500 },
  standard: { imageLongSide: 256, uvResolution: 128, steps: 15_000 },
  high: { imageLongSide: 512, uvResolution: 256, steps: 60_000 },
};
