import { z } from 'zod';

export const ProjectId = z.string().regex(/^[0-9a-f]{32}$/, 'must be a project id (32 hex characters)');
export type ProjectId = z.infer<typeof ProjectId>;

export const ProjectName = z
  .string()
  .transform((s) => s.trim().replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(1, 'a project needs a name')
      .max(120, 'names are limited to 120 characters')
      .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'names cannot contain control characters'),
  );

export const Project = z.object({
  id: ProjectId,
  name: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  /** Set while the project sits in the trash; null otherwise. */
  trashedAt: z.number().int().nullable(),
  /** Path of the project's thumbnail inside its folder, or null when it has none yet. */
  thumbnail: z.string().nullable(),
  counts: z.object({ captures: z.number().int(), frames: z.number().int(), avatars: z.number().int() }),
  sizeBytes: z.number().int(),
});
export type Project = z.infer<typeof Project>;
