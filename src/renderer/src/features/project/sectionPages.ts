import type { Avatar } from '@shared/model/avatar';
import type { Capture } from '@shared/model/capture';
import type { Job } from '@shared/model/job';
import type { TrackingSummary } from '@shared/model/tracking';
import type { IconName } from '../../components/Icon';
import { avatarSummary, avatarTitle } from '../../lib/avatarText';
import { formatPercent, formatRelativeTime, plural } from '../../lib/format';
import { formatPx } from '../tracking/trackingText';

/**
 * The words and rows of the project pages that exist also with nothing selected: Texture, Live and Export list the
 * avatars (each row's action opens that avatar there), Tracking lists the captures. Pure, no DOM.
 */

export type AvatarPage = 'texture' | 'live' | 'export';

export interface AvatarPageCopy {
  title: string;
  icon: IconName;
  /** What the page does, above the list. */
  intro: string;
  /** The row's button, short. */
  action: string;
  /** The row button's accessible name, from the avatar's title ("Ada avatar v2"). */
  actionName: (title: string) => string;
  /** Without any avatar: why there is nothing to pick. */
  empty: string;
}

export const AVATAR_PAGES: Record<AvatarPage, AvatarPageCopy> = {
  texture: {
    title: 'Texture',
    icon: 'brush',
    intro: 'Paint colour and place stickers on an avatar’s baked UV maps. Pick the version to edit: one without a bake offers to bake it first, and applying the edits makes a new version.',
    action: 'Edit texture',
    actionName: (t) => `Edit the texture of ${t}`,
    empty: 'The texture editor paints on a trained avatar.',
  },
  live: {
    title: 'Live',
    icon: 'camera',
    intro: 'Drive an avatar with a face from a webcam (or a video file) and record it. Pick the version to drive.',
    action: 'Drive live',
    actionName: (t) => `Drive ${t} live`,
    empty: 'The Live page drives a trained avatar.',
  },
  export: {
    title: 'Export',
    icon: 'export',
    intro: 'Write an avatar as PLY, glTF, an avatar bundle, a web player, MP4 / PNG video, texture maps or a mesh sequence. Pick the version to export (Ctrl/⌘+E: the newest).',
    action: 'Export…',
    actionName: (t) => `Export ${t}`,
    empty: 'Export writes out a trained avatar.',
  },
};

/** What to do first on an avatar page without avatars, from what the project holds. */
export function firstStepText(captures: number): string {
  return captures === 0
    ? 'Start with Footage: import a video of one person, track the face in it, then train an avatar in the Avatar section.'
    : 'Train one first in the Avatar section: pick a tracked capture and a preset, and the finished avatar appears here.';
}

export interface AvatarRow {
  id: string;
  /** "Ada avatar v2" */
  title: string;
  /** Its origin and figure: "test PSNR 22.3 dB", "texture edit of v1". */
  summary: string;
  /** The capture it was trained on, by name. */
  capture: string;
  /** "5 min ago" */
  when: string;
}

/** The rows of an avatar page, newest first. */
export function avatarRows(avatars: readonly Avatar[], captures: readonly Pick<Capture, 'id' | 'name'>[], now = Date.now()): AvatarRow[] {
  const names = new Map(captures.map((c) => [c.id, c.name]));
  return [...avatars]
    .sort((a, b) => b.createdAt - a.createdAt || b.version - a.version)
    .map((a) => ({
      id: a.id,
      title: avatarTitle(a),
      summary: avatarSummary(a),
      capture: a.captureId === null ? 'no capture' : (names.get(a.captureId) ?? 'capture deleted'),
      when: formatRelativeTime(a.createdAt, now),
    }));
}

/**
 * The row a list key moves to from row `i` of `n`: ↑/↓ one row (stopping at the ends), Home/End the first/last;
 * null for any other key (or an empty list).
 */
export function nextIndex(key: string, i: number, n: number): number | null {
  if (n <= 0) return null;
  const at = Math.min(Math.max(0, i), n - 1);
  switch (key) {
    case 'ArrowDown':
      return Math.min(n - 1, at + 1);
    case 'ArrowUp':
      return Math.max(0, at - 1);
    case 'Home':
      return 0;
    case 'End':
      return n - 1;
    default:
      return null;
  }
}

export type CaptureTrackingState = 'checking' | 'running' | 'failed' | 'tracked' | 'untracked';

/**
 * Where a capture stands with tracking, in a few words: "Tracking… 40%", "Tracked 118 of 120 frames (98%) · mean fit
 * 1.20 px · 5 min ago", "Not tracked yet", "Tracking failed: …". `summary` undefined: not read yet.
 */
export function captureTrackingText(
  summary: TrackingSummary | null | undefined,
  job: Pick<Job, 'status' | 'progress' | 'error' | 'createdAt'> | null,
  now = Date.now(),
): { state: CaptureTrackingState; text: string } {
  if (job && (job.status === 'queued' || job.status === 'running'))
    return { state: 'running', text: job.status === 'queued' ? 'Tracking: waiting to start' : `Tracking… ${formatPercent(job.progress.fraction)}` };
  const failed = job && job.status === 'failed' && (!summary || job.createdAt > summary.trackedAt);
  if (failed) return { state: 'failed', text: `Tracking failed${job.error ? `: ${job.error.message}` : ''}` };
  if (summary === undefined) return { state: 'checking', text: 'Checking…' };
  if (summary === null) return { state: 'untracked', text: 'Not tracked yet' };
  const share = summary.frames > 0 && summary.tracked < summary.frames ? ` (${Math.round((summary.tracked / summary.frames) * 100)}%)` : '';
  const fit = summary.meanFitErrorPx === null ? 'not fitted' : `mean fit ${formatPx(summary.meanFitErrorPx)}`;
  return { state: 'tracked', text: `Tracked ${summary.tracked.toLocaleString()} of ${plural(summary.frames, 'frame')}${share} · ${fit} · ${formatRelativeTime(summary.trackedAt, now)}` };
}
