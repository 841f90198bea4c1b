import { create } from 'zustand';
import type { StudioErrorShape } from '@shared/api/errors';
import { ACTIVE_JOB_STATUSES, canResumeJob, type Job } from '@shared/model/job';
import { errorMessage, toErrorShape } from '../lib/errors';
import { studio } from './studio';
import { toast } from './toasts';

interface JobsState {
  jobs: Record<string, Job>;
  loaded: boolean;
  error: StudioErrorShape | null;
  load(): Promise<void>;
  /** Applies a job as the host sent it; returns the version it replaced, if any. */
  upsert(job: Job): Job | undefined;
  cancel(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  dismiss(id: string): Promise<void>;
  dismissFinished(): Promise<void>;
}

export const isActive = (j: Job) => ACTIVE_JOB_STATUSES.includes(j.status);
export const isResumable = (j: Job) => canResumeJob(j);
export const isFinished = (j: Job) => !isActive(j);

export const useJobs = create<JobsState>((set, get) => {
  const act = async (method: 'jobs.cancel' | 'jobs.resume', id: string) => {
    try {
      get().upsert(await studio().client.call(method, { id }));
    } catch (e) {
      toast.error(errorMessage(e));
    }
  };
  return {
    jobs: {},
    loaded: false,
    error: null,
    async load() {
      try {
        const list = await studio().client.call('jobs.list', { includeFinished: true });
        set({ jobs: Object.fromEntries(list.map((j) => [j.id, j])), loaded: true, error: null });
      } catch (e) {
        set({ error: toErrorShape(e) });
      }
    },
    upsert(job) {
      const previous = get().jobs[job.id];
      // Events can arrive out of order with call results; never let an older snapshot replace a newer one.
      if (previous && isFinished(previous) && isActive(job) && previous.attempts >= job.attempts) return previous;
      set((s) => ({ jobs: { ...s.jobs, [job.id]: job } }));
      return previous;
    },
    cancel: (id) => act('jobs.cancel', id),
    resume: (id) => act('jobs.resume', id),
    async dismiss(id) {
      try {
        await studio().client.call('jobs.dismiss', { id });
        set((s) => {
          const { [id]: _gone, ...rest } = s.jobs;
          return { jobs: rest };
        });
      } catch (e) {
        toast.error(errorMessage(e));
      }
    },
    async dismissFinished() {
      const done = Object.values(get().jobs).filter((j) => j.status === 'completed');
      await Promise.all(done.map((j) => get().dismiss(j.id)));
    },
  };
});

/** Newest first, active ones on top. */
export function sortJobs(jobs: Job[]): Job[] {
  return jobs.slice().sort((a, b) => Number(isActive(b)) - Number(isActive(a)) || b.createdAt - a.createdAt);
}
