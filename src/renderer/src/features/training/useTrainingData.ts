import { useEffect, useMemo, useState } from 'react';
import type { StudioErrorShape } from '@shared/api/errors';
import type { Avatar, TrainingReport } from '@shared/model/avatar';
import type { Capture } from '@shared/model/capture';
import type { Job } from '@shared/model/job';
import type { TrackingSummary } from '@shared/model/tracking';
import { toErrorShape } from '../../lib/errors';
import { useCaptures } from '../../store/captures';
import { sortJobs, useJobs } from '../../store/jobs';
import { studio } from '../../store/studio';

/** The project's captures (the shared captures store, loaded on mount). */
export function useProjectCaptures(projectId: string): { captures: Capture[]; loaded: boolean } {
  const entry = useCaptures((s) => s.byProject[projectId]);
  useEffect(() => {
    void useCaptures.getState().loadList(projectId);
  }, [projectId]);
  return { captures: entry?.captures ?? [], loaded: entry?.loaded ?? false };
}

/** Tracking summary per capture (null: not tracked), refreshed when a tracking job of the project finishes. */
export function useTrackingSummaries(projectId: string, captures: Capture[]): Record<string, TrackingSummary | null> {
  const [byCapture, setByCapture] = useState<Record<string, TrackingSummary | null>>({});
  const ids = captures.map((c) => c.id).join(',');
  const [tick, setTick] = useState(0);
  useEffect(
    () =>
      studio().client.on('job.updated', (job) => {
        if (job.kind === 'capture.track' && job.status === 'completed' && job.projectId === projectId) setTick((t) => t + 1);
      }),
    [projectId],
  );
  useEffect(() => {
    let live = true;
    void Promise.all(
      ids
        .split(',')
        .filter(Boolean)
        .map(async (id) => [id, await studio().client.call('tracking.summary', { captureId: id }).catch(() => null)] as const),
    ).then((entries) => live && setByCapture(Object.fromEntries(entries)));
    return () => {
      live = false;
    };
  }, [ids, tick]);
  return byCapture;
}

/** Job kinds whose completion adds an avatar (a trained one, or a new version with an applied texture edit). */
const AVATAR_MAKING_JOBS = new Set(['avatar.train', 'texture.apply']);

/**
 * The project's avatars, reloaded whenever a job of the project that makes one completes, or on `reload()`. `loaded`:
 * the first list (or its error) has come.
 */
export function useAvatars(projectId: string): { avatars: Avatar[]; loaded: boolean; error: StudioErrorShape | null; reload: () => void } {
  const [state, setState] = useState<{ avatars: Avatar[]; loaded: boolean; error: StudioErrorShape | null }>({ avatars: [], loaded: false, error: null });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const { client } = studio();
    let live = true;
    const load = () =>
      client.call('avatars.list', { projectId }).then(
        (avatars) => live && setState({ avatars, loaded: true, error: null }),
        (e) => live && setState((s) => ({ ...s, loaded: true, error: toErrorShape(e) })),
      );
    void load();
    const off = client.on('job.updated', (job) => {
      if (AVATAR_MAKING_JOBS.has(job.kind) && job.status === 'completed' && job.projectId === projectId) void load();
    });
    return () => {
      live = false;
      off();
    };
  }, [projectId, generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}

export function useReport(avatarId: string | undefined): { report: TrainingReport | null; error: StudioErrorShape | null } {
  const [state, setState] = useState<{ report: TrainingReport | null; error: StudioErrorShape | null }>({ report: null, error: null });
  useEffect(() => {
    if (!avatarId) return;
    let live = true;
    setState({ report: null, error: null });
    studio()
      .client.call('training.report', { avatarId })
      .then(
        (report) => live && setState({ report, error: null }),
        (e) => live && setState({ report: null, error: toErrorShape(e) }),
      );
    return () => {
      live = false;
    };
  }, [avatarId]);
  return state;
}

/** Training jobs of the project worth a live card: active, paused, interrupted or failed (newest first). */
export function useTrainingJobs(projectId: string): Job[] {
  const jobsById = useJobs((s) => s.jobs);
  return useMemo(
    () => sortJobs(Object.values(jobsById).filter((j) => j.kind === 'avatar.train' && j.projectId === projectId && j.status !== 'completed' && j.status !== 'cancelled')),
    [jobsById, projectId],
  );
}

/**
 * An image URL that only changes once the new image has loaded, so a live preview swaps without flashing empty.
 */
export function usePreloadedSrc(src: string | null): string | null {
  const [shown, setShown] = useState<string | null>(src);
  useEffect(() => {
    if (!src || src === shown) return;
    const img = new Image();
    let live = true;
    img.onload = () => live && setShown(src);
    img.src = src;
    return () => {
      live = false;
    };
  }, [src, shown]);
  return shown;
}
