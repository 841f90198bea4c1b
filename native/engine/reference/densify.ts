/**
 * CPU reference of densify/prune (3DGS-style adaptive density control), matching train/densify.ts:
 * per Gaussian, in index order, an action from the accumulated screen-space gradient and opacity —
 * prune (opacity < minOpacity or non-finite), clone (avg ‖dL/d(u,v)‖ ≥ threshold and max scale ≤ cloneMaxScale:
 * parent kept + a copy right after it), split (same gradient test, larger: two children replace the parent),
 * keep. Outputs are compacted in source order. Children are placed by the default 3DGS rule below.
 */
import { quatToMat, normalizeQuat, type Quat } from './quat';
import { shCoeffCount, type RefScene } from './types';

export interface DensifyConfig {
  /** Threshold on the mean screen-space gradient norm (pixels⁻¹ units of dL/d(u, v)). */
  gradThreshold: number;
  /** Max scale (world units) up to which a selected Gaussian is cloned; above it, split. */
  cloneMaxScale: number;
  /** Gaussians with sigmoid(opacity) below this are pruned. */
  minOpacity: number;
  /** Children of a split get scale / splitFactor (3DGS 1.6). */
  splitFactor?: number;
  /** Seed for the split sampling hash. */
  seed: number;
}

export const KIND_KEPT = 0;
export const KIND_CLONE = 1;
export const KIND_SPLIT0 = 2;
export const KIND_SPLIT1 = 3;

export const ACTION_PRUNE = 0;
export const ACTION_KEEP = 1;
export const ACTION_CLONE = 2;
export const ACTION_SPLIT = 3;

/** PCG-style integer hash (same as the WGSL `hash_u32`). */
export function hashU32(x: number): number {
  let s = (Math.imul(x >>> 0, 747796405) + 2891336453) >>> 0;
  const w = Math.imul(((s >>> ((s >>> 28) + 4)) ^ s) >>> 0, 277803737) >>> 0;
  s = ((w >>> 22) ^ w) >>> 0;
  return s;
}

/** Uniform in (0, 1) from (seed, index, k), as the WGSL `rand01`. */
export function rand01(seed: number, index: number, k: number): number {
  const h = hashU32((hashU32((seed ^ Math.imul(index, 0x9e3779b9)) >>> 0) + k) >>> 0);
  return ((h >>> 8) + 0.5) / 16777216;
}

/** Standard normal via Box–Muller from two hashed uniforms, as the WGSL `rand_normal`. */
export function randNormal(seed: number, index: number, k: number): number {
  const u1 = rand01(seed, index, 2 * k);
  const u2 = rand01(seed, index, 2 * k + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function sigmoid(x: number) {
  return 1 / (1 + Math.exp(-x));
}

export function densifyActions(scene: RefScene, gradAccum: ArrayLike<number>, gradCount: ArrayLike<number>, cfg: DensifyConfig): number[] {
  const actions: number[] = [];
  const K3 = shCoeffCount(scene.shDegree) * 3;
  for (let i = 0; i < scene.count; i++) {
    let finite = true;
    const arrays: Array<[ArrayLike<number>, number]> = [[scene.means, 3], [scene.logScales, 3], [scene.rotations, 4], [scene.opacities, 1], [scene.sh, K3]];
    for (const [a, n] of arrays) for (let k = 0; k < n; k++) if (!Number.isFinite(a[i * n + k])) finite = false;
    const o = sigmoid(scene.opacities[i]);
    if (!finite || !(o >= cfg.minOpacity)) {
      actions.push(ACTION_PRUNE);
      continue;
    }
    const c = gradCount[i];
    const avg = c > 0 ? gradAccum[i] / c : 0;
    if (!(avg >= cfg.gradThreshold)) {
      actions.push(ACTION_KEEP);
      continue;
    }
    const maxScale = Math.exp(Math.max(scene.logScales[i * 3], scene.logScales[i * 3 + 1], scene.logScales[i * 3 + 2]));
    actions.push(maxScale <= cfg.cloneMaxScale ? ACTION_CLONE : ACTION_SPLIT);
  }
  return actions;
}

export interface DensifyResult {
  scene: RefScene;
  /** For each output Gaussian: its source index and kind (KIND_*). */
  source: number[];
  kind: number[];
}

/** Default child placement (3DGS): split children sampled from N(mean, Σ), scale / splitFactor; clones copy. */
export function placeChildDefault(
  p: { mean: number[]; logScale: number[]; rot: number[]; opacity: number },
  kind: number,
  dst: number,
  cfg: DensifyConfig,
): void {
  if (kind !== KIND_SPLIT0 && kind !== KIND_SPLIT1) return;
  const R = quatToMat(normalizeQuat(p.rot as Quat).q);
  const s = p.logScale.map(Math.exp);
  const n = [0, 1, 2].map((k) => randNormal(cfg.seed, dst, k));
  for (let r = 0; r < 3; r++) p.mean[r] += R[r * 3] * s[0] * n[0] + R[r * 3 + 1] * s[1] * n[1] + R[r * 3 + 2] * s[2] * n[2];
  const f = Math.log(cfg.splitFactor ?? 1.6);
  for (let k = 0; k < 3; k++) p.logScale[k] -= f;
}

export function densifyReference(scene: RefScene, gradAccum: ArrayLike<number>, gradCount: ArrayLike<number>, cfg: DensifyConfig): DensifyResult {
  const actions = densifyActions(scene, gradAccum, gradCount, cfg);
  const source: number[] = [];
  const kind: number[] = [];
  actions.forEach((a, i) => {
    if (a === ACTION_KEEP) { source.push(i); kind.push(KIND_KEPT); }
    if (a === ACTION_CLONE) { source.push(i, i); kind.push(KIND_KEPT, KIND_CLONE); }
    if (a === ACTION_SPLIT) { source.push(i, i); kind.push(KIND_SPLIT0, KIND_SPLIT1); }
  });
  const N = source.length;
  const K3 = shCoeffCount(scene.shDegree) * 3;
  const F = scene.featureDim ?? 0;
  const out: RefScene = {
    count: N, shDegree: scene.shDegree, featureDim: F,
    means: new Float64Array(N * 3), logScales: new Float64Array(N * 3), rotations: new Float64Array(N * 4),
    opacities: new Float64Array(N), sh: new Float64Array(N * K3), features: new Float64Array(N * F),
  };
  const copy = (src: ArrayLike<number>, dst: Float64Array, n: number, from: number, to: number) => {
    for (let k = 0; k < n; k++) dst[to * n + k] = src[from * n + k];
  };
  for (let d = 0; d < N; d++) {
    const i = source[d];
    const p = {
      mean: [0, 1, 2].map((k) => scene.means[i * 3 + k]),
      logScale: [0, 1, 2].map((k) => scene.logScales[i * 3 + k]),
      rot: [0, 1, 2, 3].map((k) => scene.rotations[i * 4 + k]),
      opacity: scene.opacities[i],
    };
    placeChildDefault(p, kind[d], d, cfg);
    (out.means as Float64Array).set(p.mean, d * 3);
    (out.logScales as Float64Array).set(p.logScale, d * 3);
    (out.rotations as Float64Array).set(p.rot, d * 4);
    (out.opacities as Float64Array)[d] = p.opacity;
    copy(scene.sh, out.sh as Float64Array, K3, i, d);
    if (F > 0 && scene.features) copy(scene.features, out.features as Float64Array, F, i, d);
  }
  return { scene: out, source, kind };
}
