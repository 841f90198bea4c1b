import { z } from 'zod';
import { ExportFormat } from './export-formats';

/** Formats of `exports.create`: one registry, export-formats.ts. */
export { ExportFormat };

export const ExportSettings = z.object({
  /** Tracked frame index (of the capture's first camera with a fit), or null. */
  frame: z.number().int().nullable(),
  /** Expression coefficients (clamped to the head's range when posed), or null (with frame null: neutral). */
  expression: z.array(z.number()).nullable(),
});
export type ExportSettings = z.infer<typeof ExportSettings>;

/** Settings of the rendered formats (`mp4`, `png-sequence`); every field has a default (services/export/video-types.ts). */
export const VideoExportSettings = z.object({
  /** `turntable`: 360° orbit at neutral or `expression`; `tracked`: the capture's tracked motion. */
  sequence: z.enum(['turntable', 'tracked']).default('turntable'),
  /** Frame size in pixels (even: H.264 in yuv420p needs it). */
  width: z.number().int().min(16).max(4096).multipleOf(2).optional(),
  height: z.number().int().min(16).max(4096).multipleOf(2).optional(),
  fps: z.number().min(1).max(120).optional(),
  /** H.264 constant rate factor, 0 (best) … 51; MP4 only. */
  crf: z.number().int().min(0).max(51).optional(),
  /** Turntable frames for the full turn. */
  frames: z.number().int().min(1).max(3600).optional(),
  /** Tracked: show the tracked rigid head motion (default true). */
  headPose: z.boolean().optional(),
});
export type VideoExportSettings = z.infer<typeof VideoExportSettings>;

/**
 * What `avatar.drive` records for its MP4 (services/drive): the driver (a video file, or a capture with its name)
 * and the drive settings. Rows written by earlier versions may lack fields, so all but the source are optional.
 */
export const DriveExportSettings = z
  .object({
    source: z.union([z.object({ video: z.string() }), z.object({ captureId: z.string(), name: z.string().optional() })]),
    size: z.number(),
    sideBySide: z.boolean(),
    intensity: z.number(),
    mirror: z.boolean(),
    followPose: z.boolean(),
    tracked: z.number(),
  })
  .partial({ size: true, sideBySide: true, intensity: true, mirror: true, followPose: true, tracked: true })
  .passthrough();
export type DriveExportSettings = z.infer<typeof DriveExportSettings>;

/** One row of the library's `exports` table. */
export const ExportRecord = z.object({
  id: z.string(),
  projectId: z.string(),
  avatarId: z.string().nullable(),
  format: ExportFormat,
  settings: ExportSettings.extend({ gaussians: z.number().int().optional(), video: VideoExportSettings.optional(), frames: z.number().int().optional(), frameStep: z.number().int().optional(), drive: DriveExportSettings.optional() }),
  /** Project-relative when inside the project folder, else absolute. */
  path: z.string().nullable(),
  size: z.number().int().nullable(),
  createdAt: z.number().int(),
});
export type ExportRecord = z.infer<typeof ExportRecord>;
