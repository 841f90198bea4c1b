import { z } from 'zod';
import { StudioErrorShape } from '../api/errors';

export const JobId = z.string().regex(/^[0-9a-f]{32}$/, 'must be a job id (32 hex characters)');
export type JobId = z.infer<typeof JobId>;

/** Kinds of long work. Each has a handler in src/main/services/<capability>/ registered with the job runner. */
export const JobKind = z.enum(['project.duplicate', 'trash.empty', 'capture.import', 'capture.track', 'avatar.train', 'avatar.export', 'avatar.bake', 'texture.apply', 'avatar.drive']);
export type JobKind = z.infer<typeof JobKind>;

/** `paused`: stopped on request after a checkpoint (only kinds that support it); resumes from that checkpoint. */
export const JobStatus = z.enum(['queued', 'running', 'paused', 'completed', 'failed', 'cancelled', 'interrupted']);
export type JobStatus = z.infer<typeof JobStatus>;

export const JobProgress = z.object({
  /** 0..1 */
  fraction: z.number().min(0).max(1),
  stage: z.string(),
  done: z.number().optional(),
  total: z.number().optional(),
  unit: z.string().optional(),
  etaSeconds: z.number().nullable(),
  /** Project-relative path of a preview image, when the job has one. */
  preview: z.string().optional(),
  /** Live figures of an avatar training job (see services/training/README.md). */
  training: z
    .object({
      step: z.number().int(),
      steps: z.number().int(),
      /** Photometric loss (L1 + λ·D-SSIM) of the latest step, null before the first readback. */
      loss: z.number().nullable(),
      /** PSNR / SSIM of the validation frame at `validatedAt` (a held-out test frame, else a train frame). */
      psnr: z.number().nullable(),
      ssim: z.number().nullable(),
      validatedAt: z.number().int().nullable(),
      validation: z.enum(['test', 'train']).nullable(),
      gaussians: z.number().int(),
      secondsPerStep: z.number().nullable(),
      /** Step of the last checkpoint on disk (0 = none yet). */
      checkpointStep: z.number().int(),
    })
    .optional(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const Job = z.object({
  id: JobId,
  kind: JobKind,
  title: z.string(),
  projectId: z.string().nullable(),
  /** The capture the job works on (imports learn theirs when they finish), else null. */
  captureId: z.string().nullable(),
  status: JobStatus,
  progress: JobProgress,
  result: z.unknown().nullable(),
  error: StudioErrorShape.nullable(),
  createdAt: z.number().int(),
  startedAt: z.number().int().nullable(),
  finishedAt: z.number().int().nullable(),
  /** Number of times the job was started (1 + resumes). */
  attempts: z.number().int(),
});
export type Job = z.infer<typeof Job>;

export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ['queued', 'running'];
export const RESUMABLE_JOB_STATUSES: readonly JobStatus[] = ['paused', 'interrupted', 'failed', 'cancelled'];

/**
 * Whether Resume can help. Paused, interrupted and cancelled jobs continue or start again. A failed one only when the
 * failure may pass: a crash, a full disk, a prerequisite the user can still supply (track first, …). A job whose own
 * input was refused — `BAD_REQUEST` (not a video, a damaged file, mixed sizes) or an error marked `details.final`
 * (footage already in the project) — would fail the same way: the user starts a new one instead.
 */
export function canResumeJob(job: Pick<Job, 'status' | 'error'>): boolean {
  if (!RESUMABLE_JOB_STATUSES.includes(job.status)) return false;
  if (job.status !== 'failed' || !job.error) return true;
  return job.error.code !== 'BAD_REQUEST' && job.error.details?.final !== true;
}
/** Kinds whose workers stop at a checkpoint on request (`jobs.pause`) and continue from it; others refuse a pause. */
export const PAUSABLE_JOB_KINDS: readonly JobKind[] = ['avatar.train'];
