/**
 * One Euro filter (Casiez, Roussel, Vogel, CHI 2012) over a vector of channels, each with its own unit (`scales`: the
 * speed that counts as "1" for `beta`), so expression coefficients, angles and metres share one smoothing control.
 */
export interface OneEuroSettings {
  /** Hz: cutoff at rest (lower = smoother). */
  minCutoff: number;
  /** Cutoff increase per unit of normalised speed (higher = less lag on fast motion). */
  beta: number;
  /** Hz: cutoff of the speed estimate. Default 1. */
  dCutoff?: number;
}

const alpha = (cutoff: number, dt: number): number => 1 / (1 + 1 / (2 * Math.PI * cutoff * dt));

export class VectorOneEuro {
  private x: Float64Array | null = null;
  private dx: Float64Array | null = null;
  private t = 0;

  constructor(public settings: OneEuroSettings, private readonly scales: ArrayLike<number>) {}

  reset(): void {
    this.x = this.dx = null;
  }

  /** Filters the sample taken at time `t` (seconds) in place and returns it. A time that does not advance restarts. */
  filter(value: Float64Array, t: number): Float64Array {
    if (!this.x || !this.dx || this.x.length !== value.length || !(t > this.t)) {
      this.x = Float64Array.from(value);
      this.dx = new Float64Array(value.length);
      this.t = t;
      return value;
    }
    const dt = t - this.t;
    this.t = t;
    const { minCutoff, beta } = this.settings;
    const ad = alpha(this.settings.dCutoff ?? 1, dt);
    for (let i = 0; i < value.length; i++) {
      const dh = this.dx[i]! + ad * ((value[i]! - this.x[i]!) / dt - this.dx[i]!);
      this.dx[i] = dh;
      const a = alpha(minCutoff + (beta * Math.abs(dh)) / (this.scales[i] ?? 1), dt);
      value[i] = this.x[i] = this.x[i]! + a * (value[i]! - this.x[i]!);
    }
    return value;
  }
}

/**
 * The studio's smoothing control (0 = off, 1 = heaviest) as One Euro settings: the rest cutoff falls log-linearly
 * from 8 Hz to 0.25 Hz; beta stays 1 (a coefficient moving one unit per second adds 1 Hz).
 */
export function smoothingSettings(smoothing: number): OneEuroSettings | null {
  const s = Math.max(0, Math.min(1, smoothing));
  if (s === 0) return null;
  return { minCutoff: 8 * Math.pow(0.25 / 8, s), beta: 1, dCutoff: 1 };
}
