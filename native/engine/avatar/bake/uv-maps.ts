/**
 * Continuous UV attribute maps of a bound-Gaussian avatar (FATE stage II "baking", fate.md §3), on the CPU.
 *
 * A map is a pyramid of `levels` square textures (size M, M/2, …, M/2^(L−1)), each with `CHANNELS` channels; the value
 * at a UV point is the **sum** over levels of the level's bilinear sample (texel centres at (i + ½)/S, clamp to edge).
 * The coarse levels carry the low frequencies, so a per-level smoothness prior weighted towards the fine levels (see
 * `smoothnessPrior`) gives the smoothness a single-level map lacks.
 *
 * Channels per texel (`CHANNELS` = 12), all in the bound-parameter spaces of `binding/bound-gaussians.ts`:
 * SH DC (3) · opacity logit (1) · local log-scale (3) · local rotation quaternion w,x,y,z (4, unnormalised) · normal
 * offset (1, metres).
 *
 * `sample` (forward) and `scatter` (backward: dL/dattr → dL/dtexel with the same bilinear weights) run through a
 * precomputed `UvSampler` (4 texels + 4 weights per Gaussian per level).
 */
import type { UvLayout } from '../head-model';

export const CH_SH = 0;
export const CH_OPACITY = 3;
export const CH_LOGSCALE = 4;
export const CH_ROTATION = 7;
export const CH_OFFSET = 11;
export const CHANNELS = 12;
export const CHANNEL_NAMES = ['shR', 'shG', 'shB', 'opacity', 'logScaleX', 'logScaleY', 'logScaleZ', 'rotW', 'rotX', 'rotY', 'rotZ', 'offset'] as const;

export interface UvAttributeMaps {
  /** Finest level size M (M×M texels). */
  size: number;
  /** Per level l (size M >> l): (M>>l)² × CHANNELS floats, row-major, rows = v from 0 to 1. */
  levels: Float32Array[];
}

export function createMaps(size: number, levels = 4): UvAttributeMaps {
  if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`map size must be a positive integer, got ${size}`);
  if (!(Number.isInteger(levels) && levels >= 1 && size >> (levels - 1) >= 1)) throw new RangeError(`cannot build ${levels} levels from a ${size}² map`);
  return { size, levels: Array.from({ length: levels }, (_, l) => new Float32Array((size >> l) ** 2 * CHANNELS)) };
}

export function levelSize(maps: UvAttributeMaps, l: number): number {
  return maps.size >> l;
}

/** UV coordinate of each Gaussian: Σ b_k · uv(corner k) of its UV triangle (b2 = 1 − b0 − b1). N×2. */
export function gaussianUvs(uv: UvLayout, triangle: ArrayLike<number>, barycentric: ArrayLike<number>, count: number): Float32Array {
  const out = new Float32Array(count * 2);
  const T = uv.triangles.length / 3;
  for (let g = 0; g < count; g++) {
    const t = triangle[g];
    if (!(t >= 0 && t < T)) throw new RangeError(`Gaussian ${g}: triangle id ${t} outside the UV layout's ${T} triangles`);
    const b0 = barycentric[g * 2], b1 = barycentric[g * 2 + 1], b2 = 1 - b0 - b1;
    const i0 = uv.triangles[t * 3], i1 = uv.triangles[t * 3 + 1], i2 = uv.triangles[t * 3 + 2];
    out[g * 2] = b0 * uv.coords[i0 * 2] + b1 * uv.coords[i1 * 2] + b2 * uv.coords[i2 * 2];
    out[g * 2 + 1] = b0 * uv.coords[i0 * 2 + 1] + b1 * uv.coords[i1 * 2 + 1] + b2 * uv.coords[i2 * 2 + 1];
  }
  return out;
}

/** Bilinear footprint of N UV points on every level: 4 texel indices and 4 weights per point per level. */
export interface UvSampler {
  count: number;
  levels: number;
  /** [level][g·4 + k] texel index within the level. */
  index: Int32Array[];
  weight: Float32Array[];
}

export function bilinearFootprint(u: number, v: number, S: number, idx: Int32Array, w: Float32Array, at: number): void {
  const x = u * S - 0.5, y = v * S - 0.5;
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const fx = x - x0, fy = y - y0;
  const cx = (i: number) => Math.min(S - 1, Math.max(0, i));
  const xa = cx(x0), xb = cx(x0 + 1), ya = cx(y0), yb = cx(y0 + 1);
  idx[at] = ya * S + xa;
  idx[at + 1] = ya * S + xb;
  idx[at + 2] = yb * S + xa;
  idx[at + 3] = yb * S + xb;
  w[at] = (1 - fx) * (1 - fy);
  w[at + 1] = fx * (1 - fy);
  w[at + 2] = (1 - fx) * fy;
  w[at + 3] = fx * fy;
}

export function createSampler(maps: UvAttributeMaps, uvs: Float32Array): UvSampler {
  const n = uvs.length / 2;
  const L = maps.levels.length;
  const index: Int32Array[] = [], weight: Float32Array[] = [];
  for (let l = 0; l < L; l++) {
    const S = levelSize(maps, l);
    const idx = new Int32Array(n * 4), w = new Float32Array(n * 4);
    for (let g = 0; g < n; g++) {
      const u = uvs[g * 2], v = uvs[g * 2 + 1];
      if (!(Number.isFinite(u) && Number.isFinite(v))) throw new RangeError(`Gaussian ${g}: non-finite UV (${u}, ${v})`);
      bilinearFootprint(u, v, S, idx, w, g * 4);
    }
    index.push(idx);
    weight.push(w);
  }
  return { count: n, levels: L, index, weight };
}

/** Forward: per-Gaussian attributes (N × CHANNELS) = Σ_levels bilinear sample. */
export function sampleMaps(maps: UvAttributeMaps, s: UvSampler, out: Float32Array = new Float32Array(s.count * CHANNELS)): Float32Array {
  out.fill(0);
  for (let l = 0; l < s.levels; l++) {
    const lv = maps.levels[l], idx = s.index[l], w = s.weight[l];
    for (let g = 0; g < s.count; g++) {
      const o = g * CHANNELS;
      for (let k = 0; k < 4; k++) {
        const wk = w[g * 4 + k];
        if (wk === 0) continue;
        const t = idx[g * 4 + k] * CHANNELS;
        for (let c = 0; c < CHANNELS; c++) out[o + c] += wk * lv[t + c];
      }
    }
  }
  return out;
}

/** Backward: adds dL/dtexel (same shapes as `maps.levels`) for dL/dattr (N × CHANNELS) into `grads`. */
export function scatterGradients(s: UvSampler, dAttr: ArrayLike<number>, grads: Float32Array[]): void {
  for (let l = 0; l < s.levels; l++) {
    const gl = grads[l], idx = s.index[l], w = s.weight[l];
    for (let g = 0; g < s.count; g++) {
      const o = g * CHANNELS;
      for (let k = 0; k < 4; k++) {
        const wk = w[g * 4 + k];
        if (wk === 0) continue;
        const t = idx[g * 4 + k] * CHANNELS;
        for (let c = 0; c < CHANNELS; c++) gl[t + c] += wk * dAttr[o + c];
      }
    }
  }
}

/**
 * Smoothness prior: Σ_l w_l · Σ_(adjacent texel pairs, per channel) cw_c · (a − b)² / (pairs at level l), with
 * w_l = weight · 2^(−l) (fine levels pay most, so detail goes to the coarse levels unless the data needs it).
 * Adds its gradient into `grads`; returns the value. `channelWeights` scales each channel (default 1).
 */
export function smoothnessPrior(maps: UvAttributeMaps, weight: number, grads: Float32Array[] | null, channelWeights?: ArrayLike<number>): number {
  let total = 0;
  for (let l = 0; l < maps.levels.length; l++) {
    const S = levelSize(maps, l);
    if (S < 2) continue;
    const lv = maps.levels[l], gl = grads?.[l];
    const wl = (weight * 2 ** -l) / (2 * S * (S - 1));
    for (let j = 0; j < S; j++)
      for (let i = 0; i < S; i++) {
        const a = (j * S + i) * CHANNELS;
        for (const b of [i + 1 < S ? a + CHANNELS : -1, j + 1 < S ? a + S * CHANNELS : -1]) {
          if (b < 0) continue;
          for (let c = 0; c < CHANNELS; c++) {
            const cw = wl * (channelWeights ? channelWeights[c] : 1);
            if (cw === 0) continue;
            const d = lv[a + c] - lv[b + c];
            total += cw * d * d;
            if (gl) {
              gl[a + c] += 2 * cw * d;
              gl[b + c] -= 2 * cw * d;
            }
          }
        }
      }
  }
  return total;
}

/**
 * Push-pull fill of one S×S multi-channel image: texels with weight > 0 keep value/weight; the others get the
 * (recursively filled) half-resolution image's bilinear value. Returns the filled image (S² × channels).
 */
export function pushPull(sum: Float32Array, weight: Float32Array, S: number, channels: number): Float32Array {
  const out = new Float32Array(S * S * channels);
  let empty = 0;
  for (let p = 0; p < S * S; p++) {
    if (weight[p] > 0) for (let c = 0; c < channels; c++) out[p * channels + c] = sum[p * channels + c] / weight[p];
    else empty++;
  }
  if (empty === 0 || empty === S * S || S === 1) return out;
  const H = Math.max(1, S >> 1);
  const hs = new Float32Array(H * H * channels), hw = new Float32Array(H * H);
  for (let j = 0; j < S; j++)
    for (let i = 0; i < S; i++) {
      const p = j * S + i;
      if (!(weight[p] > 0)) continue;
      const q = Math.min(H - 1, j >> 1) * H + Math.min(H - 1, i >> 1);
      hw[q] += weight[p];
      for (let c = 0; c < channels; c++) hs[q * channels + c] += sum[p * channels + c];
    }
  const coarse = pushPull(hs, hw, H, channels);
  const idx = new Int32Array(4), w = new Float32Array(4);
  for (let j = 0; j < S; j++)
    for (let i = 0; i < S; i++) {
      const p = j * S + i;
      if (weight[p] > 0) continue;
      bilinearFootprint((i + 0.5) / S, (j + 0.5) / S, H, idx, w, 0);
      for (let c = 0; c < channels; c++) {
        let v = 0;
        for (let k = 0; k < 4; k++) v += w[k] * coarse[idx[k] * channels + c];
        out[p * channels + c] = v;
      }
    }
  return out;
}

/**
 * Splat per-Gaussian attributes (N × CHANNELS) into an S×S image with bilinear weights: returns the weighted sum
 * and the weight per texel (unnormalised).
 */
export function splatAttributes(attrs: ArrayLike<number>, uvs: Float32Array, S: number, perGaussianWeight?: ArrayLike<number>): { sum: Float32Array; weight: Float32Array } {
  const n = uvs.length / 2;
  const sum = new Float32Array(S * S * CHANNELS), weight = new Float32Array(S * S);
  const idx = new Int32Array(4), w = new Float32Array(4);
  for (let g = 0; g < n; g++) {
    const gw = perGaussianWeight ? perGaussianWeight[g] : 1;
    if (!(gw > 0)) continue;
    bilinearFootprint(uvs[g * 2], uvs[g * 2 + 1], S, idx, w, 0);
    for (let k = 0; k < 4; k++) {
      const wk = w[k] * gw;
      if (wk === 0) continue;
      weight[idx[k]] += wk;
      for (let c = 0; c < CHANNELS; c++) sum[idx[k] * CHANNELS + c] += wk * attrs[g * CHANNELS + c];
    }
  }
  return { sum, weight };
}

/** The composed (summed over levels) finest-resolution map, M² × CHANNELS, sampled at texel centres. */
export function composeMaps(maps: UvAttributeMaps): Float32Array {
  const M = maps.size;
  const uvs = new Float32Array(M * M * 2);
  for (let j = 0; j < M; j++)
    for (let i = 0; i < M; i++) uvs.set([(i + 0.5) / M, (j + 0.5) / M], (j * M + i) * 2);
  return sampleMaps(maps, createSampler(maps, uvs));
}

/** One channel range of the composed map as an M² × k image (e.g. colour = SH DC → RGB with `shDcToRgb`). */
export function channelImage(composed: Float32Array, first: number, count: number): Float32Array {
  const n = composed.length / CHANNELS;
  const out = new Float32Array(n * count);
  for (let p = 0; p < n; p++) for (let c = 0; c < count; c++) out[p * count + c] = composed[p * CHANNELS + first + c];
  return out;
}
