import type { BakeSummary } from '@shared/model/bake';

export const MAP_SIZES = [256, 512, 1024] as const;
export type MapSize = (typeof MAP_SIZES)[number];
export const DEFAULT_BAKE_FORM = { mapSize: 512 as MapSize, steps: 300 };
export const MAX_STEPS = 20_000;

/** Why the form cannot start a bake, or null. */
export function bakeFormError(form: { mapSize: number; steps: number }): string | null {
  if (!MAP_SIZES.includes(form.mapSize as MapSize)) return `Map size must be one of ${MAP_SIZES.join(', ')}.`;
  if (!Number.isInteger(form.steps) || form.steps < 0 || form.steps > MAX_STEPS) return `Steps must be a whole number from 0 to ${MAX_STEPS.toLocaleString('en')}.`;
  return null;
}

/** "−0.12 dB" (a drop is shown as a negative change), "+0.03 dB". */
export function formatChangeDb(dropDb: number): string {
  const change = -dropDb;
  if (!Number.isFinite(change)) return '—';
  const s = Math.abs(change).toFixed(2);
  return `${change < 0 ? '−' : '+'}${s} dB`;
}

/** Whether the held-out drop meets the target (within 0.3 dB of the unbaked avatar). */
export const withinTarget = (r: BakeSummary): boolean | null => (r.heldOut ? r.heldOut.dropDb <= 0.3 : null);

/** Cache-busting URL for a bake file (a re-bake writes the same names). */
export function versioned(url: string, r: Pick<BakeSummary, 'bakedAt'>): string {
  return `${url}${url.includes('?') ? '&' : '?'}v=${r.bakedAt}`;
}
