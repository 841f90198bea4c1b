import { z } from 'zod';

/** Training presets: image long side, UV resolution and step count (see services/training/presets.ts). */
export const TrainingPreset = z.enum(['preview', 'standard', 'high']);
export type TrainingPreset = z.infer<typeof TrainingPreset>;

export const AvatarMetrics = z.object({ psnr: z.number(), ssim: z.number() });
export type AvatarMetrics = z.infer<typeof AvatarMetrics>;

/** A trained avatar: UV-bound Gaussians on a head model, with its held-out (test split) quality. */
export const Avatar = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  version: z.number().int(),
  headModel: z.string(),
  createdAt: z.number(),
  /** Means over the capture's test frames; null when the capture had none. */
  metrics: AvatarMetrics.nullable(),
  captureId: z.string().nullable(),
});
export type Avatar = z.infer<typeof Avatar>;

export const TrainingReport = z.object({
  metrics: AvatarMetrics.nullable(),
  perFrame: z.array(z.object({ idx: z.number().int(), psnr: z.number(), ssim: z.number() })),
});
export type TrainingReport = z.infer<typeof TrainingReport>;
