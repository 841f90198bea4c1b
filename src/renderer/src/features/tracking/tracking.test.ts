import { describe, expect, it } from 'vitest';
import type { TrackedFrame } from '@shared/model/tracking';
import { combineViews, FACE_CODE, type CaptureTracking } from '../../store/tracking';
import { badlyTracked, firstFrameWith } from './frames';
import { warningText } from './trackingText';

const box = (x: number, y: number, w = 100, h = 100) => ({ x, y, width: w, height: h });
function frame(idx: number, cameraId: string, over: Partial<TrackedFrame> = {}): TrackedFrame {
  return { idx, cameraId, tracked: true, reason: null, warnings: [], confidence: 0.9, box: box(10, 10), faces: [], chosenFace: 0, fitErrorPx: 1, ...over };
}
function tracking(byCamera: Record<string, TrackedFrame[]>, frames: number): CaptureTracking {
  const sparse: Record<string, TrackedFrame[]> = {};
  for (const [cam, list] of Object.entries(byCamera)) for (const f of list) (sparse[cam] ??= [])[f.idx] = f;
  const summary = { frames, tracked: 0, headModel: 'open-head', meanFitErrorPx: 1, untracked: {}, warnings: {}, trackedAt: 1 };
  return { summary, byCamera: sparse, ...combineViews(sparse, frames), loaded: true, error: null };
}

describe('tracking strip data', () => {
  it('combines views: the worst face code, the lowest confidence, the highest fit error', () => {
    const t = tracking(
      {
        a: [frame(0, 'a'), frame(1, 'a', { confidence: 0.5, fitErrorPx: 2 }), frame(2, 'a', { warnings: ['profile'] })],
        b: [frame(0, 'b', { tracked: false, reason: 'too-dark', confidence: 0.1, fitErrorPx: null }), frame(1, 'b', { confidence: 0.7, fitErrorPx: 6 }), frame(2, 'b')],
      },
      4,
    );
    expect([...t.face]).toEqual([FACE_CODE['too-dark'], FACE_CODE.tracked, FACE_CODE.warned, FACE_CODE.none]);
    expect(t.confidence[0]).toBe(0);
    expect(t.confidence[1]).toBeCloseTo(0.5);
    expect(t.fitError[1]).toBe(6);
    expect(Number.isNaN(t.confidence[3])).toBe(true);
    expect(Number.isNaN(t.fitError[3])).toBe(true);
  });

  it('counts what Exclude badly tracked frames would exclude: untracked, over the limit, no row; not already excluded', () => {
    const t = tracking({ a: [frame(0, 'a'), frame(1, 'a', { tracked: false, reason: 'no-face', fitErrorPx: null }), frame(2, 'a', { fitErrorPx: 4.5 }), frame(3, 'a', { fitErrorPx: 4 })] }, 6);
    // frames 4 and 5 have no track row; frame 5 is already excluded
    expect(badlyTracked(t, Uint8Array.from([0, 0, 1, 0, 0, 2]))).toBe(3);
    expect(badlyTracked(undefined, new Uint8Array(3))).toBe(0);
  });


  it('explains several faces differently once a face was picked', () => {
    expect(warningText('several-faces', 12)).toBe('Several faces in 12 frames: the largest is followed. Click a face in the preview to follow another, then track again.');
    expect(warningText('several-faces', 1, true)).toMatch(/^Several faces in 1 frame: the face you picked is followed/);
  });
});
