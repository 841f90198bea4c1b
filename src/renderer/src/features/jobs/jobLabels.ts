import { canResumeJob, type Job, type JobKind, type JobStatus } from '@shared/model/job';
import { formatEta, formatPercent } from '../../lib/format';

const KIND_LABEL: Partial<Record<JobKind, string>> = {
  'project.duplicate': 'Duplicate project',
  'trash.empty': 'Empty Trash',
  'capture.import': 'Import footage',
  'capture.track': 'Track faces',
  'avatar.train': 'Train avatar',
  'avatar.bake': 'Bake textures',
  'texture.apply': 'Apply texture edits',
};

export const kindLabel = (kind: JobKind): string => KIND_LABEL[kind] ?? kind;

export const STATUS_LABEL: Record<JobStatus, string> = {
  queued: 'Waiting',
  running: 'Running',
  paused: 'Paused',
  completed: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

/** "42% · Copying files · 12 / 30 files · about 3 min left" for an active job. */
export function progressText(job: Job): string {
  const p = job.progress;
  const parts: string[] = [formatPercent(p.fraction)];
  if (p.stage) parts.push(p.stage);
  if (p.done !== undefined && p.total !== undefined) parts.push(`${p.done.toLocaleString()} / ${p.total.toLocaleString()}${p.unit ? ` ${p.unit}` : ''}`);
  else if (p.done !== undefined) parts.push(`${p.done.toLocaleString()}${p.unit ? ` ${p.unit}` : ''}`);
  const eta = job.status === 'running' ? formatEta(p.etaSeconds) : null;
  if (eta) parts.push(eta);
  return parts.join(' · ');
}

/** What the user can do about a job that did not finish. */
export function endedText(job: Job): string | null {
  switch (job.status) {
    case 'paused':
      return `Paused at ${formatPercent(job.progress.fraction)}${job.progress.training ? ` (step ${job.progress.training.checkpointStep.toLocaleString()} saved)` : ''}. Resume continues from there.`;
    case 'interrupted':
      // The worker's own message says why when it was not the studio closing (e.g. the GPU was lost).
      return job.error && job.error.code !== 'CANCELLED' ? `${job.error.message}` : `Stopped when the studio closed, at ${formatPercent(job.progress.fraction)}. Resume picks up where it left off.`;
    case 'failed':
      return `${job.error?.message ?? 'It stopped with an error.'}${canResumeJob(job) ? ' Resume tries again.' : ''}`;
    case 'cancelled':
      return `Cancelled at ${formatPercent(job.progress.fraction)}. Resume starts it again.`;
    default:
      return null;
  }
}
