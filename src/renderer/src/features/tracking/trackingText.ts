import type { z } from 'zod';
import type { TrackWarning, UntrackedReason } from '@shared/model/tracking';
import { plural } from '../../lib/format';

/** The exclude limit: frames whose fit error is above this many pixels count as badly tracked. */
export const FIT_LIMIT_PX = 4;
/** The Fit row of the strip spans 0 … this many pixels (the limit sits at half height). */
export const FIT_SCALE_PX = FIT_LIMIT_PX * 2;

type Reason = z.infer<typeof UntrackedReason>;
type Warning = z.infer<typeof TrackWarning>;

export const REASON_LABEL: Record<Reason, string> = {
  'no-face': 'No face found',
  'low-confidence': 'Face not confirmed',
  'too-dark': 'Too dark',
  'decode-failed': 'Unreadable frame',
};

/** Why frames are untracked, and what to do, in plain words. */
export function reasonText(reason: string, n: number): string {
  switch (reason as Reason) {
    case 'no-face':
      return `No face found in ${plural(n, 'frame')}. They are flagged on the strip and can be left out of training with “Exclude badly tracked frames”.`;
    case 'low-confidence':
      return `The face could not be confirmed in ${plural(n, 'frame')}: turned away, blurred or covered.`;
    case 'too-dark':
      return `${plural(n, 'frame')} too dark to find a face. Brighter footage tracks better.`;
    case 'decode-failed':
      return `${plural(n, 'frame file')} could not be read. Importing the footage again may help.`;
    default:
      return `${plural(n, 'frame')} not tracked (${reason}).`;
  }
}

export const WARNING_LABEL: Record<Warning, string> = {
  'several-faces': 'Several faces',
  'partial-face': 'Face leaves the frame',
  profile: 'Strong profile',
  dark: 'Dark',
  redetected: 'Face found again',
};

/** What a warning means for the result, in plain words. */
export function warningText(warning: string, n: number, picked = false): string {
  switch (warning as Warning) {
    case 'several-faces':
      return picked
        ? `Several faces in ${plural(n, 'frame')}: the face you picked is followed. Click another face in the preview to follow it instead.`
        : `Several faces in ${plural(n, 'frame')}: the largest is followed. Click a face in the preview to follow another, then track again.`;
    case 'partial-face':
      return `The face leaves the frame in ${plural(n, 'frame')}: landmarks outside the picture are estimates.`;
    case 'profile':
      return `${plural(n, 'frame')} in strong profile: landmarks on the far side of the face are estimates.`;
    case 'dark':
      return `${plural(n, 'frame')} dark: the face was tracked, but less surely. Check the overlay there.`;
    case 'redetected':
      return `The face was lost and found again in ${plural(n, 'frame')}: look for jumps in the overlay there.`;
    default:
      return `${warning} in ${plural(n, 'frame')}.`;
  }
}

export function formatPx(px: number | null): string {
  return px === null || !Number.isFinite(px) ? '—' : `${px < 10 ? px.toFixed(2) : px.toFixed(1)} px`;
}
