/**
 * Learning-rate and SH-degree schedules of the avatar trainer (CPU, per step; they only change Adam's uniforms and
 * the active SH degree of the render).
 * - Offset (the bound `means` group: [b0, b1, d], the normal offset) rate decays exponentially, log-linearly from
 *   1× to `offsetFinalFactor`× over `offsetDecaySteps` steps, then stays (3DGS's position schedule: 1.6e-4 → 1.6e-6
 *   over 30k steps, i.e. 0.01×). FATE itself keeps constant rates; the decay only settles the offsets late in a run.
 * - SH degree: the active degree rises by one every `shDegreeInterval` steps (3DGS: 1000) up to the maximum, so the
 *   DC colour is learnt first. No effect at SH degree 0 (FATE's default).
 */
export interface TrainingSchedule {
  offsetFinalFactor: number;
  offsetDecaySteps: number;
  shDegreeInterval: number;
}

export const DEFAULT_SCHEDULE: TrainingSchedule = { offsetFinalFactor: 0.01, offsetDecaySteps: 30_000, shDegreeInterval: 1000 };

/** Multiplier of the offset rate at step t (1-based). */
export function offsetRateFactor(t: number, s: TrainingSchedule): number {
  if (!(s.offsetDecaySteps > 0) || !(s.offsetFinalFactor > 0)) return 1;
  const r = Math.min(1, Math.max(0, (t - 1) / s.offsetDecaySteps));
  return Math.exp(r * Math.log(s.offsetFinalFactor));
}

/** Active SH degree at step t (1-based): floor((t − 1) / interval), capped at `maxDegree`. */
export function activeShDegree(t: number, maxDegree: number, s: TrainingSchedule): number {
  if (!(s.shDegreeInterval > 0)) return maxDegree;
  return Math.min(maxDegree, Math.floor(Math.max(0, t - 1) / s.shDegreeInterval));
}
