/**
 * Real-time playback of tracked motion: the frame to show is chosen from the wall time elapsed since Play × the
 * capture's fps — as the exported player and any video player do — never "the next one once this one is drawn", so a
 * slow adapter drops frames and keeps the motion's speed instead of playing every frame in slow motion.
 *
 * Positions are in capture frame units (a tracked frame's `idx`), so frames the tracker lost (gaps in the fitted
 * frames) keep their time instead of speeding the motion up.
 */

/** Where playback started: the wall time (ms) and the capture position (frame units) shown then. */
export interface PlaybackClock {
  startedAt: number;
  startPos: number;
}

/**
 * The capture position at wall time `now`: `startPos + elapsed × fps`, looping over `[first, last + 1)` so the last
 * frame is held for its 1/fps like any other before the loop starts again.
 */
export function playbackPosition(clock: PlaybackClock, now: number, fps: number, first: number, last: number): number {
  const span = last - first + 1;
  if (!(span > 0) || !(fps > 0)) return first;
  const advanced = clock.startPos - first + (Math.max(0, now - clock.startedAt) / 1000) * fps;
  return first + (((advanced % span) + span) % span);
}

/** Index into the sorted `idxs` of the frame on screen at capture position `pos`: the last one at or before it. */
export function frameAtPosition(idxs: readonly number[], pos: number): number {
  let lo = 0, hi = idxs.length - 1;
  if (hi < 0) return -1;
  if (pos < idxs[0]!) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (idxs[mid]! <= pos + 1e-9) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Index into the sorted `idxs` of the tracked frame to show at wall time `now`. */
export function playbackFrame(idxs: readonly number[], clock: PlaybackClock, now: number, fps: number): number {
  if (idxs.length === 0) return -1;
  return frameAtPosition(idxs, playbackPosition(clock, now, fps, idxs[0]!, idxs[idxs.length - 1]!));
}

/** A clock that starts now at the tracked frame `i` (index into `idxs`). */
export function startClock(idxs: readonly number[], i: number, now: number): PlaybackClock {
  return { startedAt: now, startPos: idxs[Math.max(0, Math.min(idxs.length - 1, i))] ?? 0 };
}

/**
 * The effective frame rate of what reached the screen: distinct frames drawn over the recent window (default the
 * last 2 s and at most 30 frames), or null until two have been drawn.
 */
export class RateMeter {
  private times: number[] = [];
  constructor(
    private readonly windowMs = 2000,
    private readonly maxSamples = 30,
  ) {}

  add(t: number): void {
    this.times.push(t);
    if (this.times.length > this.maxSamples) this.times.shift();
  }

  reset(): void {
    this.times = [];
  }

  /** Frames per second at wall time `now`; a stall (no frame for longer than the window) reads as its own rate. */
  rate(now: number): number | null {
    const recent = this.times.filter((t) => now - t <= this.windowMs);
    const last = this.times.at(-1);
    if (last !== undefined && now - last > this.windowMs) return 1000 / (now - last);
    if (recent.length < 2) return null;
    return ((recent.length - 1) * 1000) / (recent.at(-1)! - recent[0]!);
  }
}

/** "30 fps", or "4.2 of 30 fps · dropping frames" when the screen gets fewer frames than the motion has. */
export function playbackRateText(effective: number | null, fps: number): string {
  const nominal = `${Number.isInteger(fps) ? fps : fps.toFixed(2)} fps`;
  if (effective === null) return `${nominal}`;
  const shown = effective >= 10 ? effective.toFixed(0) : effective.toFixed(1);
  return effective < fps * 0.9 ? `${shown} of ${nominal} · dropping frames to keep time` : `${shown} fps`;
}
