/**
 * Rolling figures for the Live page's overlay: frames per second over the last `windowMs`, and the latest and
 * median of each timing. Pure, no DOM; times in ms on one clock (performance.now()).
 */
export class RollingRate {
  private readonly times: number[] = [];
  constructor(private readonly windowMs = 2000) {}

  tick(now: number): void {
    this.times.push(now);
    while (this.times.length && now - this.times[0] > this.windowMs) this.times.shift();
  }

  /** Events per second in the window (null until two events). */
  rate(now: number): number | null {
    while (this.times.length && now - this.times[0] > this.windowMs) this.times.shift();
    if (this.times.length < 2) return null;
    const span = Math.max(now - this.times[0], this.times[this.times.length - 1] - this.times[0]);
    return span > 0 ? ((this.times.length - 1) * 1000) / span : null;
  }
}

export class RollingStat {
  private readonly values: number[] = [];
  constructor(private readonly size = 30) {}

  add(v: number): void {
    if (!Number.isFinite(v)) return;
    this.values.push(v);
    if (this.values.length > this.size) this.values.shift();
  }

  get last(): number | null {
    return this.values.length ? this.values[this.values.length - 1] : null;
  }

  get median(): number | null {
    if (!this.values.length) return null;
    const s = [...this.values].sort((a, b) => a - b);
    return s[s.length >> 1];
  }

  /** The p-th percentile (0–100) of the window, nearest rank. */
  percentile(p: number): number | null {
    if (!this.values.length) return null;
    const s = [...this.values].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  }
}

export interface LiveMetrics {
  /** Avatar frames presented per second. */
  fps: number | null;
  /** Camera frames tracked per second. */
  trackFps: number | null;
  /** Page round trip of one frame on the active tracking path: grab → landmarks back in the page (ms, median). */
  trackMs: number | null;
  /** The tracker's own share of it (ms): the host's call (raw frame + tracker), or the page worker's pixels + tracker. */
  workMs: number | null;
  /** The engine's render of one frame (ms). */
  renderMs: number | null;
  /** Capture timestamp of the driving frame → its avatar frame on screen (ms). */
  latencyMs: number | null;
}
