import { PAUSABLE_JOB_KINDS, type Job } from '@shared/model/job';
import { errorMessage } from '../../lib/errors';
import { useJobs } from '../../store/jobs';
import { studio } from '../../store/studio';
import { toast } from '../../store/toasts';

/** A running or waiting job of a kind that can stop at a checkpoint (jobs.pause). */
export const canPause = (job: Job): boolean => PAUSABLE_JOB_KINDS.includes(job.kind) && (job.status === 'running' || job.status === 'queued');

export async function pauseJob(id: string): Promise<void> {
  try {
    useJobs.getState().upsert(await studio().client.call('jobs.pause', { id }));
  } catch (e) {
    toast.error(errorMessage(e));
  }
}
