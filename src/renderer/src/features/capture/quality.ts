import type { Frame } from '@shared/model/capture';

/** Below this fraction of the capture's median sharpness a frame counts as blurry (the excludeBlurry default). */
export const BLUR_THRESHOLD = 0.35;
/** Below this fraction it is soft (shown amber). */
export const SOFT_THRESHOLD = 0.7;

export type SharpnessLevel = 'blurry' | 'soft' | 'sharp' | 'unknown';
export type ExposureLevel = 'dark' | 'bright' | 'clipped' | 'ok' | 'unknown';

export function relativeSharpness(f: Frame | undefined, median: number | null): number | null {
  if (!f || f.sharpness === null || !median || median <= 0) return null;
  return f.sharpness / median;
}

export function sharpnessLevel(rel: number | null): SharpnessLevel {
  if (rel === null) return 'unknown';
  if (rel < BLUR_THRESHOLD) return 'blurry';
  if (rel < SOFT_THRESHOLD) return 'soft';
  return 'sharp';
}

export function exposureLevel(f: Frame | undefined): ExposureLevel {
  if (!f || f.exposure === null) return 'unknown';
  if ((f.clipped ?? 0) > 0.05) return 'clipped';
  if (f.exposure < 0.15) return 'dark';
  if (f.exposure > 0.85) return 'bright';
  return 'ok';
}

export const SHARPNESS_TEXT: Record<SharpnessLevel, string> = { blurry: 'Blurry', soft: 'Soft', sharp: 'Sharp', unknown: 'Not measured' };
export const EXPOSURE_TEXT: Record<ExposureLevel, string> = { dark: 'Underexposed', bright: 'Overexposed', clipped: 'Clipped', ok: 'Good', unknown: 'Not measured' };
