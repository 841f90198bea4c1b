import { z } from 'zod';

/** Formats of `exports.create`; `bundle`, `player` and `mp4` are refused as not available yet. */
export const ExportFormat = z.enum(['ply', 'gltf', 'bundle', 'player', 'mp4']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const ExportSettings = z.object({
  /** Tracked frame index (of the capture's first camera with a fit), or null. */
  frame: z.number().int().nullable(),
  /** Expression coefficients (clamped to the head's range when posed), or null (with frame null: neutral). */
  expression: z.array(z.number()).nullable(),
});
export type ExportSettings = z.infer<typeof ExportSettings>;

/** One row of the library's `exports` table. */
export const ExportRecord = z.object({
  id: z.string(),
  projectId: z.string(),
  avatarId: z.string().nullable(),
  format: ExportFormat,
  settings: ExportSettings.extend({ gaussians: z.number().int().optional() }),
  /** Project-relative when inside the project folder, else absolute. */
  path: z.string().nullable(),
  size: z.number().int().nullable(),
  createdAt: z.number().int(),
});
export type ExportRecord = z.infer<typeof ExportRecord>;
