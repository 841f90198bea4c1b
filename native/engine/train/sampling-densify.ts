/**
 * FATE's sampling-based densification (shared/research/fate.md §2.2): a fixed budget of new Gaussians per densify step,
 * parents drawn multinomially (with replacement) with probability ∝ their accumulated view-space gradient norm
 * (`SceneGradients.stats[i·4 + 2]`, the raw sum, as FATE's code). The draw is on the CPU from a seeded hash (the same
 * `rand01` as the WGSL), so it is deterministic for a seed; the result — extra copies per Gaussian — goes to
 * `Densifier.run({ copies })`, which compacts on the GPU (parent kept, its copies right after it as kind-1 children).
 *
 * The CPU side needs the N gradient sums and N opacities once per densify step (two readbacks of N floats, every few
 * thousand steps in a real run).
 */
import { rand01 } from '../reference/densify';

/** Sampling weights: Σ‖dL/d(u,v)‖ for Gaussians that survive pruning (finite, sigmoid(opacity) ≥ minOpacity), else 0. */
export function samplingWeights(stats: ArrayLike<number>, opacities: ArrayLike<number>, count: number, minOpacity: number): Float64Array {
  const w = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const o = 1 / (1 + Math.exp(-opacities[i]));
    const g = stats[i * 4 + 2];
    w[i] = o >= minOpacity && Number.isFinite(g) && g > 0 ? g : 0;
  }
  return w;
}

/**
 * `budget` draws with replacement from the multinomial p_i = w_i / Σw (inverse CDF over the f64 prefix sums, draw k
 * uses `rand01(seed, k, 0)`). Returns the number of times each index was drawn (Σ = budget, or 0 if Σw = 0).
 */
export function sampleParents(weights: ArrayLike<number>, budget: number, seed: number): Uint32Array {
  const n = weights.length;
  const copies = new Uint32Array(n);
  const cdf = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    total += w > 0 && Number.isFinite(w) ? w : 0;
    cdf[i] = total;
  }
  if (!(total > 0) || budget <= 0) return copies;
  for (let k = 0; k < budget; k++) {
    const x = rand01(seed >>> 0, k, 0) * total;
    // First i with cdf[i] > x (zero-weight entries have cdf equal to their predecessor, so they are never chosen).
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    copies[lo]++;
  }
  return copies;
}

/** How many Gaussians a densify step may add: min(budget, maxGaussians − survivors), ≥ 0. */
export function densifyBudget(budget: number, survivors: number, maxGaussians: number): number {
  return Math.max(0, Math.min(Math.floor(budget), Math.floor(maxGaussians) - survivors));
}

/**
 * CPU twin of the compaction with copies: output rows in source order, each survivor followed by its copies.
 * Returns per output row its source index and kind (0 kept, 1 copy).
 */
export function copiesCompactionReference(copies: ArrayLike<number>, survives: (i: number) => boolean, count: number): { source: number[]; kind: number[] } {
  const source: number[] = [];
  const kind: number[] = [];
  for (let i = 0; i < count; i++) {
    if (!survives(i)) continue;
    source.push(i);
    kind.push(0);
    for (let c = 0; c < copies[i]; c++) {
      source.push(i);
      kind.push(1);
    }
  }
  return { source, kind };
}
