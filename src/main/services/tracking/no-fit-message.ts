import type Database from 'better-sqlite3';
import { StudioError, type StudioErrorShape } from '@shared/api/errors';
import type { JobStatus } from '@shared/model/job';
import type { TrackingSummary } from '@shared/model/tracking';
import { readLibrary } from '../library/read-only-view';

/**
 * Why a capture has no fitted head to train on, in words that say what happened and what to do: tracking never ran,
 * ran and found no face, found too few faces to fit, ran without the fit or with another head model, or is still
 * running. Used by `training.start` and by the training worker. Free of the tracker's modules (like tracking-paths).
 */

const WHAT_TO_DO = 'Use footage where the face is clearly visible (facing the camera, lit and in focus), or pick the face in the footage review and track again.';

/** What tracking found in a capture's frames: counts by untracked reason. */
type Untracked = Partial<Record<'no-face' | 'low-confidence' | 'too-dark' | 'decode-failed', number>>;

function breakdown(frames: number, untracked: Untracked): string {
  const parts: string[] = [];
  if (untracked['too-dark']) parts.push(`${untracked['too-dark']} too dark`);
  if (untracked['low-confidence']) parts.push(`${untracked['low-confidence']} where a face could not be confirmed`);
  if (untracked['decode-failed']) parts.push(`${untracked['decode-failed']} that could not be read`);
  // Only worth listing when not every frame simply had no face.
  return parts.length > 0 && (untracked['no-face'] ?? 0) < frames ? ` (${parts.join(', ')})` : '';
}

/**
 * The tracking job's error when no frame of any view has a face. BAD_REQUEST: the footage (or the picked point)
 * is refused, and tracking it again would find no face again, so the job is not resumable. `details.noFace` lets
 * training explain itself.
 */
export function noFaceError(opts: { frames: number; views: number; untracked: Untracked; picked: boolean }): StudioError {
  const where = opts.views > 1 ? ` of ${opts.views} views` : '';
  const at = opts.picked ? ' at the picked point' : '';
  return new StudioError(
    'BAD_REQUEST',
    `No face was found in any of the ${opts.frames} frames${where}${at}${breakdown(opts.frames, opts.untracked)}, so nothing was tracked (earlier tracking results, if any, are kept). ${WHAT_TO_DO}`,
    { noFace: true, frames: opts.frames, untracked: opts.untracked, picked: opts.picked },
  );
}

export interface NoFitState {
  summary: Pick<TrackingSummary, 'frames' | 'tracked' | 'headModel' | 'trackedAt'> & { pick?: TrackingSummary['pick'] } | null;
  /** The capture's newest tracking job, if any. */
  lastJob: { status: JobStatus; error: StudioErrorShape | null; createdAt: number } | null;
}

export function noFittedHeadMessage({ summary, lastJob }: NoFitState): string {
  const noHead = 'so there is no fitted head to train on.';
  const newer = lastJob && (!summary || lastJob.createdAt > summary.trackedAt) ? lastJob : null;
  if (newer && (newer.status === 'queued' || newer.status === 'running')) return 'This capture is being tracked; train once tracking has finished.';
  if (newer?.status === 'failed' && newer.error) {
    const d = newer.error.details as { noFace?: boolean; frames?: number; picked?: boolean } | undefined;
    if (d?.noFace) return `Tracking ran on ${d.frames ?? 'all the'} frames but found no face in any of them${d.picked ? ' at the picked point' : ''}, ${noHead} ${WHAT_TO_DO}`;
    if (!summary) return `Tracking of this capture failed (${newer.error.message.replace(/\.$/, '')}), ${noHead} Fix that and track it again.`;
  }
  if ((newer?.status === 'interrupted' || newer?.status === 'paused') && !summary)
    return `Tracking of this capture stopped before it finished, ${noHead} Resume it (Jobs), or track the capture again.`;
  if (!summary) return 'Track the capture first (with the open-head fit): there is no fitted head to train on.';
  if (summary.tracked === 0) return `Tracking ran on ${summary.frames} frames but found no face in any of them${summary.pick ? ' at the picked point' : ''}, ${noHead} ${WHAT_TO_DO}`;
  if (summary.headModel === 'none' && summary.tracked < 2)
    return `Tracking found a face in only ${summary.tracked} of ${summary.frames} frames: too few to fit the head model (it needs at least 2), ${noHead} ${WHAT_TO_DO}`;
  if (summary.headModel === 'none')
    return `The capture was tracked without the head-model fit (landmarks only, a face in ${summary.tracked} of ${summary.frames} frames), ${noHead} Track it again with the fit (the default).`;
  if (summary.headModel !== 'open-head') return `The capture was tracked with the ${summary.headModel === 'flame' ? 'FLAME' : summary.headModel} head model; training needs the open-head fit. Track it again with the open head.`;
  return "The fitted head of this capture is missing from its tracking folder. Track the capture again.";
}

/** The state noFittedHeadMessage explains, read from the library (the host's connection or a worker's read-only one). */
export function readNoFitState(db: Database.Database, captureId: string): NoFitState {
  const meta = db.prepare('SELECT meta FROM captures WHERE id = ?').pluck().get(captureId) as string | undefined;
  const tracking = meta ? ((JSON.parse(meta) as { tracking?: NoFitState['summary'] }).tracking ?? null) : null;
  const row = db
    .prepare(`SELECT status, error, created_at FROM jobs WHERE kind = 'capture.track' AND json_extract(params, '$.captureId') = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`)
    .get(captureId) as { status: JobStatus; error: string | null; created_at: number } | undefined;
  return {
    summary: tracking,
    lastJob: row ? { status: row.status, error: row.error ? (JSON.parse(row.error) as StudioErrorShape) : null, createdAt: row.created_at } : null,
  };
}

/** noFittedHeadMessage for a capture, read on a read-only view of the library (for workers). */
export function noFittedHeadMessageAt(libraryDir: string, captureId: string): string {
  return readLibrary(libraryDir, (lib) => noFittedHeadMessage(readNoFitState(lib.db, captureId)));
}
