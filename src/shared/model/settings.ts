import { z } from 'zod';

export const Theme = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof Theme>;

/**
 * FLAME files the user supplies (FLAME cannot be bundled: its licence forbids redistribution). Absolute paths on the
 * host; null = not set. The embedding ties MediaPipe landmarks to FLAME triangles (needed to fit FLAME to footage).
 */
export const FlameSettings = z.object({
  modelPath: z.string().min(1).nullable(),
  embeddingPath: z.string().min(1).nullable(),
});
export type FlameSettings = z.infer<typeof FlameSettings>;

/** What `settings.checkFlame` reports about a FLAME model file (and embedding) that loaded. */
export const FlameCheck = z.object({
  ok: z.literal(true),
  vertices: z.number().int(),
  shapeCount: z.number().int(),
  expressionCount: z.number().int(),
  /** MediaPipe landmarks the embedding places on the model; 0 without an embedding (FLAME cannot be fitted then). */
  landmarkCount: z.number().int(),
});
export type FlameCheck = z.infer<typeof FlameCheck>;

export const HeadModelKind = z.enum(['open-head', 'flame']);
export type HeadModelKind = z.infer<typeof HeadModelKind>;

/** Settings stored in the library database. The library location itself lives outside it (see LibraryInfo). */
export const Settings = z.object({
  theme: Theme,
  flame: FlameSettings,
});
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = { theme: 'system', flame: { modelPath: null, embeddingPath: null } };

export const LibraryInfo = z.object({
  path: z.string(),
  schemaVersion: z.number().int(),
  readOnly: z.boolean(),
  /** Why the library is read-only, written for the user; null when writable. */
  readOnlyReason: z.string().nullable(),
});
export type LibraryInfo = z.infer<typeof LibraryInfo>;

export const AppInfo = z.object({
  version: z.string(),
  frontDoor: z.enum(['electron', 'web', 'cli']),
  platform: z.string(),
  versions: z.record(z.string(), z.string()),
});
export type AppInfo = z.infer<typeof AppInfo>;
