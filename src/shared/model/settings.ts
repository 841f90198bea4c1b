import { z } from 'zod';

export const Theme = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof Theme>;

/** Settings stored in the library database. The library location itself lives outside it (see LibraryInfo). */
export const Settings = z.object({
  theme: Theme,
});
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = { theme: 'system' };

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
