import { FACE_CODE, type CaptureTracking } from '../../store/tracking';
import { SPLIT_CODE } from '../capture/splits';
import { FIT_LIMIT_PX } from './trackingText';

/** Frames (indices) that `tracking.excludeBadlyTracked` would exclude now: untracked or fitted worse than the limit. */
export function badlyTracked(t: CaptureTracking | undefined, splits: Uint8Array | undefined): number {
  if (!t?.summary || !splits) return 0;
  let n = 0;
  for (let i = 0; i < splits.length; i++) {
    if (splits[i] === SPLIT_CODE.excluded) continue;
    const code = t.face[i] ?? FACE_CODE.none;
    const err = t.fitError[i];
    if (code === FACE_CODE.none || code >= FACE_CODE['no-face'] || (err !== undefined && err > FIT_LIMIT_PX)) n++;
  }
  return n;
}

/** The lowest frame index where some view passes `test` (faces the detector saw, several-faces warning). */
export function firstFrameWith(t: CaptureTracking, test: (cameraFaces: number, warned: boolean) => boolean): number | null {
  let best: number | null = null;
  for (const list of Object.values(t.byCamera))
    for (const f of list) if (f && test(f.faces.length, f.warnings.includes('several-faces')) && (best === null || f.idx < best)) best = f.idx;
  return best;
}
