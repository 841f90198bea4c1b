import { canResumeJob, type Job } from '@shared/model/job';
import { useConnection } from './connection';
import { isActive, useJobs } from './jobs';
import { useProjects } from './projects';
import { navigate } from './route';
import { useSettings } from './settings';
import { studio } from './studio';
import { toast } from './toasts';

/** Loads everything the shell shows. Runs on every (re)connect, since events may have been missed meanwhile. */
async function loadAll(): Promise<void> {
  const c = useConnection.getState();
  await Promise.all([c.loadAppInfo(), c.loadLibrary()]);
  await Promise.all([useSettings.getState().load(), useProjects.getState().refresh(), useJobs.getState().load()]);
}

/** Tells the user when a job they may be waiting on ends. */
function announceJobEnd(job: Job, previous: Job | undefined): void {
  if (!previous || !isActive(previous) || isActive(job)) return;
  if (job.status === 'completed') {
    if (job.kind === 'project.duplicate') {
      const projectId = (job.result as { projectId?: unknown } | null)?.projectId;
      toast.success(
        `${job.title} — done`,
        typeof projectId === 'string' && /^[0-9a-f]{32}$/.test(projectId)
          ? { label: 'Open', run: () => navigate({ name: 'project', id: projectId }) }
          : undefined,
      );
    } else {
      toast.success(`${job.title} — done`);
    }
  } else if (job.status === 'failed') {
    // Only where a resume can help: a refused input (not a video, …) would fail the same way again.
    toast.error(`${job.title} failed: ${job.error?.message ?? 'no reason given.'}${canResumeJob(job) ? ' You can resume it from the Jobs panel.' : ''}`);
  }
}

/** Wires connection status and host events into the stores. Returns a function that unwires them. */
export function startSync(): () => void {
  const { client, onStatus } = studio();
  let pendingIds: Set<string> | null = null;
  let pendingAll = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  // Coalesce bursts of projects.changed (a job can touch many projects) into one refresh.
  const scheduleRefresh = (ids: string[]) => {
    if (ids.length === 0) pendingAll = true;
    else {
      const set = (pendingIds ??= new Set<string>());
      ids.forEach((id) => set.add(id));
    }
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      const ids = pendingAll ? undefined : [...(pendingIds ?? [])];
      pendingIds = null;
      pendingAll = false;
      void useProjects.getState().refresh(ids);
    }, 50);
  };

  const offs = [
    onStatus((s) => {
      const wasOpen = useConnection.getState().status === 'open';
      useConnection.getState().setStatus(s);
      if (s === 'open' && !wasOpen) void loadAll();
    }),
    client.on('job.updated', (job) => {
      const previous = useJobs.getState().upsert(job);
      // A job that ends may have added or removed projects (duplicate, empty Trash): show the result now.
      if (previous && isActive(previous) && !isActive(job)) scheduleRefresh([]);
      announceJobEnd(job, previous);
    }),
    client.on('projects.changed', ({ ids }) => scheduleRefresh(ids)),
    client.on('settings.changed', (s) => useSettings.getState().apply(s)),
    client.on('library.changed', (info) => {
      useConnection.getState().setLibrary(info);
      void Promise.all([useSettings.getState().load(), useProjects.getState().refresh(), useJobs.getState().load()]);
    }),
  ];
  return () => {
    offs.forEach((off) => off());
    if (timer) clearTimeout(timer);
  };
}
