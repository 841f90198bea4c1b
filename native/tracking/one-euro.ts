/**
 * One Euro filter (Casiez, Roussel, Vogel, CHI 2012): a low-pass filter whose cutoff rises with speed, so still
 * landmarks stop jittering while fast motion keeps little lag. Vectorised over many channels (478 × 3).
 */
export interface OneEuroParams {
  /** Hz: cutoff at rest (lower = smoother) */
  minCutoff: number;
  /** speed coefficient (higher = less lag on fast motion) */
  beta: number;
  /** Hz: cutoff for the derivative */
  dCutoff: number;
}

const alpha = (cutoff: number, dt: number) => {
  const tau = 1 / (2 * Math.PI * cutoff);
  return 1 / (1 + tau / dt);
};

export class OneEuroFilter {
  private x: Float32Array | undefined;
  private dx: Float32Array | undefined;
  private t = 0;

  constructor(private readonly params: OneEuroParams) {}

  reset() {
    this.x = undefined;
    this.dx = undefined;
  }

  /**
   * Filters one sample taken at time `t` (seconds). `scale` divides the speed before `beta` applies, so the same
   * parameters work for faces of any size (pass the face size in pixels / 100, say).
   */
  filter(value: Float32Array, t: number, scale = 1): Float32Array {
    if (!this.x || !this.dx || this.x.length !== value.length || t <= this.t) {
      this.x = Float32Array.from(value);
      this.dx = new Float32Array(value.length);
      this.t = t;
      return Float32Array.from(value);
    }
    const dt = t - this.t;
    this.t = t;
    const { minCutoff, beta, dCutoff } = this.params;
    const ad = alpha(dCutoff, dt);
    const out = new Float32Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const d = (value[i]! - this.x[i]!) / dt;
      const dh = this.dx[i]! + ad * (d - this.dx[i]!);
      this.dx[i] = dh;
      const cutoff = minCutoff + (beta * Math.abs(dh)) / scale;
      const a = alpha(cutoff, dt);
      const v = this.x[i]! + a * (value[i]! - this.x[i]!);
      this.x[i] = v;
      out[i] = v;
    }
    return out;
  }
}
