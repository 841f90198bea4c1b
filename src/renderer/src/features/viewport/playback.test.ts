import { describe, expect, it } from 'vitest';
import { frameAtPosition, playbackFrame, playbackPosition, playbackRateText, RateMeter, startClock } from './playback';

describe('viewport playback in real time', () => {
  const idxs = Array.from({ length: 30 }, (_, i) => i); // 30 frames at 30 fps: one second of motion

  it('chooses the frame from the wall time elapsed × fps, not from how many were drawn', () => {
    const clock = startClock(idxs, 0, 1000);
    expect(playbackFrame(idxs, clock, 1000, 30)).toBe(0);
    expect(playbackFrame(idxs, clock, 1000 + 1000 / 30 - 0.01, 30)).toBe(0);
    expect(playbackFrame(idxs, clock, 1000 + 1000 / 30 + 0.01, 30)).toBe(1);
    expect(playbackFrame(idxs, clock, 1500, 30)).toBe(15);
  });

  it('drops frames when rendering is slower than the motion: a 250 ms render at 30 fps shows every 7th–8th frame and keeps time', () => {
    const clock = startClock(idxs, 0, 0);
    const shown: number[] = [];
    for (let now = 0; now < 1000; now += 250) shown.push(playbackFrame(idxs, clock, now, 30)); // the engine is ready every 250 ms
    expect(shown).toEqual([0, 7, 15, 22]);
    // After 1 s of wall time the motion has played exactly once and starts again, whatever was drawn.
    expect(playbackFrame(idxs, clock, 1000, 30)).toBe(0);
    expect(playbackFrame(idxs, clock, 2500, 30)).toBe(15);
  });

  it('starts from the frame on screen and loops, holding the last frame for its 1/fps', () => {
    const clock = startClock(idxs, 20, 0);
    expect(playbackFrame(idxs, clock, 0, 30)).toBe(20);
    expect(playbackFrame(idxs, clock, (9 * 1000) / 30 + 1, 30)).toBe(29);
    expect(playbackFrame(idxs, clock, (10 * 1000) / 30 + 1, 30)).toBe(0);
    expect(playbackPosition(clock, 0, 30, 0, 29)).toBe(20);
  });

  it('frames the tracker lost keep their time: the previous tracked frame stays up over a gap', () => {
    const gappy = [0, 1, 2, 6, 7]; // frames 3–5 untracked
    const clock = startClock(gappy, 0, 0);
    const at = (frame: number) => playbackFrame(gappy, clock, (frame * 1000) / 10 + 1, 10);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(at)).toEqual([0, 1, 2, 2, 2, 2, 3, 4]);
    expect(at(8)).toBe(0); // span 0–7 = 8 frames = 0.8 s, then the loop
    expect(frameAtPosition(gappy, -1)).toBe(0);
    expect(frameAtPosition([], 3)).toBe(-1);
  });

  it('a one-frame motion and a missing fps stay on the frame', () => {
    expect(playbackFrame([5], startClock([5], 0, 0), 12_345, 30)).toBe(0);
    expect(playbackFrame(idxs, startClock(idxs, 3, 0), 5000, 0)).toBe(0);
    expect(playbackFrame([], startClock([], 0, 0), 10, 30)).toBe(-1);
  });

  it('measures the rate that reaches the screen and says when frames are dropped', () => {
    const m = new RateMeter();
    expect(m.rate(0)).toBeNull();
    for (let t = 0; t <= 1000; t += 250) m.add(t);
    expect(m.rate(1000)).toBeCloseTo(4, 6);
    expect(playbackRateText(m.rate(1000), 30)).toBe('4.0 of 30 fps · dropping frames to keep time');
    expect(m.rate(5000)).toBeCloseTo(0.25, 6); // stalled: no frame for 4 s
    const fast = new RateMeter();
    for (let t = 0; t <= 1000; t += 1000 / 30) fast.add(t);
    expect(playbackRateText(fast.rate(1000), 30)).toBe('30 fps');
    expect(playbackRateText(null, 29.97)).toBe('29.97 fps');
  });
});
