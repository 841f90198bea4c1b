/**
 * The live driving loop with a scripted source and tracker (synthetic landmarks of the open head, a fake clock): the
 * tracker reset on each run's first frame, the automatic and the "Hold a neutral face" calibration with its time limit,
 * poses held over frames with no face, the figures, stopping and superseding a run, errors ending it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canonicalFace, createOpenHead } from '../engine/avatar/open-head/build';
import { proceduralExpressionBasis } from '../engine/avatar/open-head/procedural-expressions';
import { LIVE_DRIVING, syntheticDriverLandmarks, type AvatarExpressionSpace } from '../engine/avatar/reenact';
import { LIVE_FRAME_MAX_SIDE, liveFrameSize, LiveLoop, type LiveCalibration, type LiveFrame, type LiveStep, type LiveTrack } from './live-loop';

const face = canonicalFace();
const gen = proceduralExpressionBasis(face);
const space: AvatarExpressionSpace = { mean: face, basis: gen.basis, count: gen.count, range: gen.range };
const head = createOpenHead({ face, expression: gen });
const neutral = syntheticDriverLandmarks(head, {});
const smiling = syntheticDriverLandmarks(head, { expression: Array.from({ length: gen.count }, (_, k) => (k === 0 ? 0.8 : 0)) });

interface Frame extends LiveFrame {
  landmarks: ArrayLike<number> | null;
}

/** A camera at 10 fps: frame i captured at 100·i ms; each track takes 20 ms on the fake clock. */
function script(landmarks: (ArrayLike<number> | null)[]) {
  let clock = 0;
  let i = 0;
  const resets: boolean[] = [];
  let onEmpty: () => void = () => undefined;
  const source = {
    async next(): Promise<Frame | null> {
      if (i >= landmarks.length) {
        onEmpty();
        return null;
      }
      clock = 100 * i;
      const frame = { captureTime: clock, landmarks: landmarks[i]! };
      i++;
      return frame;
    },
  };
  const tracker = {
    async track(frame: Frame, reset: boolean): Promise<LiveTrack & { extra: string }> {
      resets.push(reset);
      clock += 20;
      return { tracked: !!frame.landmarks, landmarks: frame.landmarks, extra: 'page' };
    },
  };
  return { source, tracker, resets, now: () => clock, whenEmpty: (f: () => void) => (onEmpty = f), append: (more: (ArrayLike<number> | null)[]) => landmarks.push(...more) };
}

/** Runs `s` to its last frame, then stops; the steps it gave. */
async function drive(loop: LiveLoop, s: ReturnType<typeof script>) {
  const steps: LiveStep<Frame, LiveTrack & { extra: string }>[] = [];
  s.whenEmpty(() => loop.stop());
  await loop.run(s.source, s.tracker, (st) => steps.push(st));
  return steps;
}

afterEach(() => vi.useRealTimers());

describe('live loop', () => {
  it('tracks frame after frame: reset on the first, automatic calibration, poses held without a face, the figures', async () => {
    const frames = [...Array(LIVE_DRIVING.calibrationFrames).fill(neutral), smiling, null, smiling];
    const s = script(frames);
    const changes: LiveCalibration[] = [];
    const loop = new LiveLoop(space, { now: s.now, onCalibration: (c) => changes.push(c) });
    const steps = await drive(loop, s);
    expect(loop.running).toBe(false);
    expect(s.resets).toEqual(frames.map((_, i) => i === 0));
    expect(steps.map((st) => st.step.phase)).toEqual([...Array(LIVE_DRIVING.calibrationFrames - 1).fill('calibrating'), 'driving', 'driving', 'driving', 'driving']);
    expect(changes).toEqual([{ state: 'auto' }]);
    // the page's own fields come back with the step
    expect(steps[0]!.track.extra).toBe('page');
    // a smile after the neutral: the first component moves; a frame with no face holds the last pose
    const [smile, none, again] = steps.slice(-3);
    expect(smile!.step.params.expression[0]).toBeGreaterThan(0.3);
    expect(none!.step.tracked).toBe(false);
    expect(none!.step.params).toBe(smile!.step.params);
    expect(again!.step.tracked).toBe(true);
    // frames, faces, tracked in the last second (10 fps camera), mean tracker time
    expect(loop.stats).toEqual({ frames: frames.length, tracked: frames.length - 1, fps: 11, trackMs: 20 });
    expect(steps.at(-1)!.stats).toBe(loop.stats);
  });

  it('"Hold a neutral face" collects the next tracked frames, then says how still they were; a new run keeps it', async () => {
    const s = script(Array(LIVE_DRIVING.calibrationFrames + 2).fill(neutral));
    const changes: LiveCalibration[] = [];
    const loop = new LiveLoop(space, { now: s.now, onCalibration: (c) => changes.push(c) });
    await drive(loop, s);
    expect(loop.calibration).toEqual({ state: 'auto' });
    const auto = loop.reenactor.currentCalibration;

    loop.holdNeutral();
    const n = LIVE_DRIVING.calibrationFrames;
    const s2 = script([null, ...Array(n).fill(neutral), smiling]);
    const steps = await drive(loop, s2);
    expect(s2.resets[0]).toBe(true);
    // a frame with no face does not count
    expect(changes.slice(1, 4)).toEqual([
      { state: 'capturing', got: 0, frames: n },
      { state: 'capturing', got: 1, frames: n },
      { state: 'capturing', got: 2, frames: n },
    ]);
    const done = changes.at(-1)!;
    expect(done).toMatchObject({ state: 'done', frames: n });
    expect((done as { spreadMm: number }).spreadMm).toBeLessThan(0.05);
    expect(loop.reenactor.currentCalibration).not.toBe(auto);
    expect(steps.at(-1)!.step.params.expression[0]).toBeGreaterThan(0.3);
  });

  it('gives up on "Hold a neutral face" after the time limit with no face, keeping the calibration it had', async () => {
    vi.useFakeTimers();
    const s = script(Array(LIVE_DRIVING.calibrationFrames).fill(neutral));
    const changes: LiveCalibration[] = [];
    const loop = new LiveLoop(space, { now: s.now, calibrationTimeoutMs: 15_000, onCalibration: (c) => changes.push(c) });
    await drive(loop, s);
    const auto = loop.reenactor.currentCalibration;
    expect(auto).not.toBeNull();
    loop.holdNeutral();
    await drive(loop, script([null, null, neutral]));
    expect(loop.reenactor.phase).toBe('calibrating');
    vi.advanceTimersByTime(14_999);
    expect(loop.calibration.state).toBe('capturing');
    vi.advanceTimersByTime(1);
    expect(loop.calibration).toEqual({ state: 'failed' });
    expect(changes.at(-1)).toEqual({ state: 'failed' });
    expect(loop.reenactor.phase).toBe('driving');
    expect(loop.reenactor.currentCalibration).toBe(auto);

    // a finished calibration is not failed later by its timer
    loop.holdNeutral();
    await drive(loop, script(Array(LIVE_DRIVING.calibrationFrames).fill(neutral)));
    expect(loop.calibration.state).toBe('done');
    vi.advanceTimersByTime(20_000);
    expect(loop.calibration.state).toBe('done');
  });

  it('a new driver calibrates afresh on its first frames', async () => {
    const s = script(Array(LIVE_DRIVING.calibrationFrames).fill(neutral));
    const changes: LiveCalibration[] = [];
    const loop = new LiveLoop(space, { now: s.now, onCalibration: (c) => changes.push(c) });
    await drive(loop, s);
    loop.newDriver();
    expect(loop.reenactor.phase).toBe('uncalibrated');
    const steps = await drive(loop, script(Array(LIVE_DRIVING.calibrationFrames).fill(neutral)));
    expect(steps[0]!.step.phase).toBe('calibrating');
    expect(changes).toEqual([{ state: 'auto' }, { state: 'none' }, { state: 'auto' }]);
  });

  it('stop drops the frame in hand; another run supersedes the first; a failing source or tracker ends the run', async () => {
    const loop = new LiveLoop(space);
    let release!: () => void;
    const steps: unknown[] = [];
    const first = loop.run(
      { next: async () => ({ captureTime: 0 }) },
      { track: () => new Promise<LiveTrack>((r) => (release = () => r({ tracked: false }))) },
      (st) => steps.push(st),
    );
    await vi.waitFor(() => expect(release).toBeDefined());
    expect(loop.running).toBe(true);
    loop.stop();
    release();
    await first;
    expect(steps).toEqual([]);
    expect(loop.running).toBe(false);

    // a second run while the first waits for a frame: the first ends without tracking it
    let frameFor!: (f: LiveFrame) => void;
    const tracked: string[] = [];
    const a = loop.run({ next: () => new Promise<LiveFrame>((r) => (frameFor = r)) }, { track: async () => (tracked.push('a'), { tracked: false }) }, () => undefined);
    const b = loop.run(
      { next: async () => (loop.stop(), null) },
      { track: async () => (tracked.push('b'), { tracked: false }) },
      () => undefined,
    );
    frameFor({ captureTime: 1 });
    await Promise.all([a, b]);
    expect(tracked).toEqual([]);

    await expect(loop.run({ next: () => Promise.reject(new Error('unplugged')) }, { track: async () => ({ tracked: false }) }, () => undefined)).rejects.toThrow('unplugged');
    expect(loop.running).toBe(false);
    await expect(loop.run({ next: async () => ({ captureTime: 0 }) }, { track: () => Promise.reject(new Error('tracker gone')) }, () => undefined)).rejects.toThrow('tracker gone');
    expect(loop.running).toBe(false);
  });

  it('sizes frames to the tracked long side, never upscaled', () => {
    expect(LIVE_FRAME_MAX_SIDE).toBe(480);
    expect(liveFrameSize(640, 480)).toEqual({ width: 480, height: 360 });
    expect(liveFrameSize(1080, 1920)).toEqual({ width: 270, height: 480 });
    expect(liveFrameSize(320, 240)).toEqual({ width: 320, height: 240 });
  });
});
