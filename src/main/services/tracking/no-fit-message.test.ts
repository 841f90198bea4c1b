import { describe, expect, it } from 'vitest';
import { noFaceError, noFittedHeadMessage, type NoFitState } from './no-fit-message';

const summary = (over: Partial<NonNullable<NoFitState['summary']>> = {}): NonNullable<NoFitState['summary']> => ({ frames: 40, tracked: 0, headModel: 'none', trackedAt: 1000, pick: null, ...over });
const noFace = noFaceError({ frames: 40, views: 1, untracked: { 'no-face': 40 }, picked: false }).toShape();

describe('why a capture has no fitted head to train on', () => {
  it.each<[string, NoFitState, RegExp]>([
    ['never tracked', { summary: null, lastJob: null }, /^Track the capture first/],
    ['cancelled before it finished', { summary: null, lastJob: { status: 'cancelled', error: null, createdAt: 5 } }, /^Track the capture first/],
    ['tracking still running', { summary: null, lastJob: { status: 'running', error: null, createdAt: 5 } }, /being tracked; train once tracking has finished/],
    ['tracked, no face in any frame', { summary: null, lastJob: { status: 'failed', error: noFace, createdAt: 5 } }, /^Tracking ran on 40 frames but found no face in any of them, so there is no fitted head to train on\. Use footage where the face is clearly visible .*pick the face/],
    ['no face, newer than an earlier landmarks-only run', { summary: summary({ tracked: 30 }), lastJob: { status: 'failed', error: noFace, createdAt: 2000 } }, /^Tracking ran on 40 frames but found no face/],
    ['tracking failed otherwise', { summary: null, lastJob: { status: 'failed', error: { code: 'INTERNAL', message: 'The models are not installed.' }, createdAt: 5 } }, /^Tracking of this capture failed \(The models are not installed\)/],
    ['tracking interrupted', { summary: null, lastJob: { status: 'interrupted', error: null, createdAt: 5 } }, /stopped before it finished.*Resume it/],
    ['an older summary with no face (before tracking failed on it)', { summary: summary(), lastJob: null }, /^Tracking ran on 40 frames but found no face in any of them/],
    ['a face in one frame only', { summary: summary({ tracked: 1 }), lastJob: null }, /a face in only 1 of 40 frames: too few to fit the head model \(it needs at least 2\)/],
    ['tracked without the fit', { summary: summary({ tracked: 38 }), lastJob: null }, /tracked without the head-model fit \(landmarks only, a face in 38 of 40 frames\).*Track it again with the fit/],
    ['tracked with FLAME', { summary: summary({ tracked: 38, headModel: 'flame' }), lastJob: null }, /tracked with the FLAME head model; training needs the open-head fit/],
    ['open-head fit files missing', { summary: summary({ tracked: 38, headModel: 'open-head' }), lastJob: null }, /missing from its tracking folder/],
  ])('%s', (_what, state, message) => {
    expect(noFittedHeadMessage(state)).toMatch(message);
  });

  it('only the never-tracked case says "Track the capture first"', () => {
    expect(noFittedHeadMessage({ summary: summary(), lastJob: null })).not.toMatch(/Track the capture first/);
    expect(noFittedHeadMessage({ summary: null, lastJob: { status: 'failed', error: noFace, createdAt: 5 } })).not.toMatch(/Track the capture first/);
  });
});

describe('the tracking error when no frame has a face', () => {
  it('counts the frames and views, names other reasons, and says what to do', () => {
    const e = noFaceError({ frames: 20, views: 2, untracked: { 'no-face': 12, 'too-dark': 8 }, picked: true });
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/^No face was found in any of the 20 frames of 2 views at the picked point \(8 too dark\), so nothing was tracked/);
    expect(e.message).toMatch(/face is clearly visible.*pick the face/);
    expect(e.details).toMatchObject({ noFace: true, frames: 20, picked: true });
    expect(noFaceError({ frames: 10, views: 1, untracked: { 'no-face': 10 }, picked: false }).message).toMatch(/^No face was found in any of the 10 frames, so nothing/);
  });
});
