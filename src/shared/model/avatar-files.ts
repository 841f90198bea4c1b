import { z } from 'zod';
import { Avatar } from './avatar';

/**
 * A trained avatar and the project-relative paths of the files a viewer needs (fetch them from the project's file
 * route: `studio://files/<projectId>/<path>` or `/files/<projectId>/<path>?token=…`).
 */
export const AvatarWithFiles = z.object({
  avatar: Avatar,
  files: z.object({
    /** `avatars/<id>/avatar.bin`: the bound Gaussians (format in services/training/README.md). */
    avatar: z.string(),
    /** `avatars/<id>/meta.json`: training settings, image size, metrics. */
    meta: z.string(),
    /** The tracked capture's `expression-space.json` (the open head of this subject); null when it is gone. */
    expressionSpace: z.string().nullable(),
    /** `avatars/<id>/head-tuning.bin`: learnt corrective blend shapes + fine-tuned frame parameters; null when the run did not tune heads. */
    headTuning: z.string().nullable(),
    /** Per camera with a head-model fit: its `fit.json` (per-frame pose, expression, jaw, eyes). */
    fits: z.array(z.object({ cameraId: z.string(), cameraName: z.string(), path: z.string() })),
    /**
     * The avatar's bake (`avatars/<id>/bake/*`, written by the `avatar.bake` job); null until a bake has finished
     * (listed only when `maps.bin` exists). maps: composed UV maps + visibility (baked-maps-file.ts); bakedAvatar: the
     * Gaussians sampled from the maps, avatar.bin format; colour/opacity/visibility: PNG previews (UV row 0 = v≈0);
     * report: BakeReport JSON (held-out PSNR/SSIM before and after).
     */
    bake: z
      .object({ maps: z.string(), bakedAvatar: z.string(), colour: z.string(), opacity: z.string(), visibility: z.string(), report: z.string() })
      .nullable(),
  }),
  /** Frames per second of the capture (null for photos and image sequences without timing, or no capture). */
  fps: z.number().nullable(),
});
export type AvatarWithFiles = z.infer<typeof AvatarWithFiles>;
