/**
 * Re-sampling a baked avatar after a texture edit (issue 7 deliverable 3): no optimisation, only look-ups.
 *
 * An edit arrives as the texture document's composite (`compositeTexture` in src/shared/texture/): an M×M RGBA8
 * image and a per-texel coverage (max layer alpha · opacity, 0–255). Texels with coverage 0 keep the exact float base
 * colour, so every Gaussian's new colour is, with bilinear weights w_k over its 4 texels and a_k = coverage_k / 255,
 *
 *   rgb' = rgb · (1 − Σ w_k a_k) + Σ w_k a_k · composite_k          (rgb = its own SH DC · C0 + ½, unclamped)
 *
 * i.e. per texel the edited colour blended over the exact base by coverage; a Gaussian none of whose texels is
 * covered keeps its SH coefficients bit for bit.
 *
 * Where an edit lands on texels with too few Gaussians (a sticker on a region of few, large Gaussians would be
 * blurred by them), `resampleAvatar` adds Gaussians: the Gaussians per texel are counted over each edited texel's
 * 3×3 neighbourhood, and every edited texel of a sparse neighbourhood that holds no Gaussian centre gets one, placed
 * at the texel centre on its UV triangle (triangle + barycentrics from rasterising the UV layout at M, as
 * `initFromUvLayout` does), its opacity, rotation and normal offset sampled from the maps, isotropic world σ = the
 * texel's footprint on the mesh (`scaleFactor` ×), lifted outward by one footprint, colour = the edited texel's
 * colour; and the large existing Gaussians over the edit take its colour averaged over their footprint
 * (`averageOverFootprints`) instead of the point sample, so they stop bleeding it past the edit's edge.
 */
import type { UvLayout } from '../head-model';
import type { BoundGaussianData } from '../binding/bound-gaussians';
import { initFromUvLayout } from '../binding/init';
import { SH_C0 } from '../../reference/sh';
import { attributesFromBound } from './attributes';
import { bilinearFootprint, CH_OFFSET, CH_OPACITY, CH_ROTATION, CHANNELS, gaussianUvs, pushPull, splatAttributes } from './uv-maps';

/** An edited colour map: M² × 4 bytes (RGBA8, rows = v from 0 to 1) and M² coverage bytes (0 = untouched). */
export interface ColourEdit {
  size: number;
  rgba: ArrayLike<number>;
  coverage: ArrayLike<number>;
}

function checkEdit(edit: ColourEdit): void {
  const M = edit.size;
  if (!(Number.isInteger(M) && M >= 1)) throw new RangeError(`edit: map size must be a positive integer, got ${M}`);
  if (edit.rgba.length !== M * M * 4) throw new RangeError(`edit: the colour image has ${edit.rgba.length} bytes, expected ${M * M * 4} (${M}² RGBA)`);
  if (edit.coverage.length !== M * M) throw new RangeError(`edit: the coverage has ${edit.coverage.length} texels, expected ${M * M}`);
}

/**
 * Per-Gaussian colour re-sampling for one avatar and map size: the bilinear footprints are computed once, so the
 * editor can re-sample on every stroke (a few ms for 50k Gaussians).
 */
export class ColourResampler {
  readonly count: number;
  readonly size: number;
  private readonly K: number;
  private readonly index: Int32Array;
  private readonly weight: Float32Array;
  private readonly baseSh: Float32Array;
  /** Gaussians bucketed by the first texel of their footprint (CSR over the M² texels), built on first use. */
  private buckets: { start: Int32Array; ids: Int32Array } | null = null;

  /** `uvs`: each Gaussian's UV (N×2, `gaussianUvs`). */
  constructor(avatar: BoundGaussianData, uvs: Float32Array, size: number) {
    if (uvs.length !== avatar.count * 2) throw new RangeError(`resample: ${uvs.length / 2} UVs for ${avatar.count} Gaussians`);
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`resample: map size must be a positive integer, got ${size}`);
    this.count = avatar.count;
    this.size = size;
    this.K = (avatar.shDegree + 1) ** 2;
    this.baseSh = avatar.sh.slice();
    this.index = new Int32Array(this.count * 4);
    this.weight = new Float32Array(this.count * 4);
    for (let g = 0; g < this.count; g++) bilinearFootprint(uvs[g * 2], uvs[g * 2 + 1], size, this.index, this.weight, g * 4);
  }

  /**
   * The avatar's SH coefficients (N×K×3) with the DC term re-sampled under `edit`; `out` may be reused between calls.
   * Returns the coefficients and how many Gaussians changed.
   */
  resample(edit: ColourEdit, out: Float32Array = new Float32Array(this.baseSh.length)): { sh: Float32Array; touched: number } {
    checkEdit(edit);
    if (edit.size !== this.size) throw new RangeError(`resample: the edit is ${edit.size}² but the resampler was built for ${this.size}²`);
    out.set(this.baseSh);
    let touched = 0;
    for (let g = 0; g < this.count; g++) touched += this.resampleOne(edit, g, out);
    return { sh: out, touched };
  }

  /**
   * Re-samples only the Gaussians whose footprint meets the texel rectangle `rect` (e.g. a brush segment's dirty
   * rectangle) in `out`, which must hold the result of an earlier `resample` of the same avatar: the same values as a
   * full `resample` when the edit changed nothing outside `rect`. Returns how many Gaussians were re-sampled.
   */
  resampleRegion(edit: ColourEdit, rect: { x: number; y: number; w: number; h: number }, out: Float32Array): number {
    checkEdit(edit);
    if (edit.size !== this.size) throw new RangeError(`resample: the edit is ${edit.size}² but the resampler was built for ${this.size}²`);
    if (out.length !== this.baseSh.length) throw new RangeError(`resample: out has ${out.length} values, expected ${this.baseSh.length}`);
    const M = this.size;
    const { start, ids } = (this.buckets ??= this.bucket());
    const stride = this.K * 3;
    let n = 0;
    // A footprint starting at texel (i, j) covers (i..i+1, j..j+1).
    for (let j = Math.max(0, rect.y - 1); j < Math.min(M, rect.y + rect.h); j++)
      for (let i = Math.max(0, rect.x - 1); i < Math.min(M, rect.x + rect.w); i++)
        for (let k = start[j * M + i]; k < start[j * M + i + 1]; k++) {
          const g = ids[k];
          for (let c = 0; c < 3; c++) out[g * stride + c] = this.baseSh[g * stride + c];
          this.resampleOne(edit, g, out);
          n++;
        }
    return n;
  }

  private bucket(): { start: Int32Array; ids: Int32Array } {
    const M = this.size, first = new Int32Array(this.count);
    const start = new Int32Array(M * M + 1);
    for (let g = 0; g < this.count; g++) {
      let t = M * M;
      for (let k = 0; k < 4; k++) t = Math.min(t, this.index[g * 4 + k]);
      first[g] = t;
      start[t + 1]++;
    }
    for (let t = 0; t < M * M; t++) start[t + 1] += start[t];
    const fill = start.slice(0, M * M), ids = new Int32Array(this.count);
    for (let g = 0; g < this.count; g++) ids[fill[first[g]]++] = g;
    return { start, ids };
  }

  /** Writes Gaussian g's re-sampled DC into `out` (which holds its base DC); 1 if any of its texels is covered. */
  private resampleOne(edit: ColourEdit, g: number, out: Float32Array): number {
    const { rgba, coverage } = edit;
    const stride = this.K * 3;
    let a = 0, er = 0, eg = 0, eb = 0;
    for (let k = 0; k < 4; k++) {
      const w = this.weight[g * 4 + k];
      if (w === 0) continue;
      const t = this.index[g * 4 + k];
      const c = coverage[t];
      if (c === 0) continue;
      const wa = (w * c) / 255;
      a += wa;
      er += (wa * rgba[t * 4]) / 255;
      eg += (wa * rgba[t * 4 + 1]) / 255;
      eb += (wa * rgba[t * 4 + 2]) / 255;
    }
    if (a === 0) return 0;
    const o = g * stride;
    const keep = 1 - a;
    out[o] = ((this.baseSh[o] * SH_C0 + 0.5) * keep + er - 0.5) / SH_C0;
    out[o + 1] = ((this.baseSh[o + 1] * SH_C0 + 0.5) * keep + eg - 0.5) / SH_C0;
    out[o + 2] = ((this.baseSh[o + 2] * SH_C0 + 0.5) * keep + eb - 0.5) / SH_C0;
    return 1;
  }
}

export interface ResampleOptions {
  /** Mean Gaussian centres per texel (3×3 neighbourhood) below which an edited texel gets a Gaussian. Default 0.5. */
  minGaussiansPerTexel?: number;
  /** World σ of an added Gaussian as a multiple of its texel's footprint on the mesh. Default 1. */
  scaleFactor?: number;
  /**
   * Lowest opacity (probability) of an added Gaussian. Default 0.9: the maps' opacity in a region of few large
   * Gaussians is that of splats that overlap a lot, too faint for a single texel-sized Gaussian to show its colour.
   */
  minOpacity?: number;
  /**
   * Outward normal offset of an added Gaussian, in texel footprints (default 1). The renderer sorts by centre depth,
   * so texel-sized Gaussians exactly on the surface would sit behind the region's large Gaussians (whose centres are
   * as close to the camera) and be hidden by them; lifted by a footprint they composite in front, like a sticker.
   */
  lift?: number;
  /**
   * Where Gaussians were added, large existing Gaussians (σ > 1.5 texels) over the edit take its colour averaged
   * over their footprint instead of the point sample at their centre (less bleed past the edit's edge). Default true.
   */
  footprintColours?: boolean;
  /** false: colour re-sampling only (no Gaussians added). Default true. */
  densify?: boolean;
}

export interface ResampleInput {
  /** The baked avatar (its Gaussians were sampled from the maps at their placements). */
  avatar: BoundGaussianData;
  uv: UvLayout;
  /** The neutral head mesh (the footprint of a texel and the triangle frames' scale k are measured on it). */
  mesh: { vertices: ArrayLike<number>; triangles: Uint32Array };
  edit: ColourEdit;
  /**
   * The composed baked maps (M² × CHANNELS, `composeMaps`, M = edit.size) that added Gaussians sample; without them
   * the avatar's own attributes are splatted into M² and push-pull filled (as the bake initialises).
   */
  composed?: Float32Array;
}

export interface ResampleReport {
  gaussians: number;
  /** Existing Gaussians whose colour changed. */
  touched: number;
  added: number;
  /** Edited texels (coverage > 0) inside the UV layout. */
  editedTexels: number;
  /** Mean Gaussian centres per edited texel before and after adding. */
  densityBefore: number;
  densityAfter: number;
}

export interface ResampleResult {
  /** The re-sampled avatar: the input's Gaussians first (in order, only SH DC changed), then the added ones. */
  avatar: BoundGaussianData;
  report: ResampleReport;
}

const logit = (p: number) => Math.log(p / (1 - p));

export function resampleAvatar(input: ResampleInput, options: ResampleOptions = {}): ResampleResult {
  const { avatar, uv, mesh, edit } = input;
  checkEdit(edit);
  const M = edit.size;
  const minDensity = options.minGaussiansPerTexel ?? 0.5;
  const minOpacity = options.minOpacity ?? 0.9;
  if (!(minOpacity > 0 && minOpacity < 1)) throw new RangeError(`resample: minOpacity must be in (0, 1), got ${minOpacity}`);
  if (input.composed && input.composed.length !== M * M * CHANNELS) throw new RangeError(`resample: the composed maps have ${input.composed.length} values, expected ${M}² × ${CHANNELS}`);
  const uvs = gaussianUvs(uv, avatar.triangle, avatar.barycentric, avatar.count);
  const { sh, touched } = new ColourResampler(avatar, uvs, M).resample(edit);

  // Gaussian centres per texel.
  const perTexel = new Uint16Array(M * M);
  for (let g = 0; g < avatar.count; g++) {
    const i = Math.min(M - 1, Math.max(0, Math.floor(uvs[g * 2] * M))), j = Math.min(M - 1, Math.max(0, Math.floor(uvs[g * 2 + 1] * M)));
    if (perTexel[j * M + i] < 65535) perTexel[j * M + i]++;
  }
  const neighbourhoodDensity = (i: number, j: number) => {
    let sum = 0, cells = 0;
    for (let y = Math.max(0, j - 1); y <= Math.min(M - 1, j + 1); y++)
      for (let x = Math.max(0, i - 1); x <= Math.min(M - 1, i + 1); x++, cells++) sum += perTexel[y * M + x];
    return sum / cells;
  };

  // Every UV-covered texel's placement (triangle + barycentrics at its centre) and footprint σ.
  const raster = initFromUvLayout(mesh, uv, { resolution: M, scaleFactor: options.scaleFactor ?? 1 });
  const rowOf = new Int32Array(M * M).fill(-1);
  for (let r = 0; r < raster.data.count; r++) rowOf[raster.texel[r * 2 + 1] * M + raster.texel[r * 2]] = r;

  let editedTexels = 0, before = 0;
  const addRows: number[] = [];
  for (let j = 0; j < M; j++)
    for (let i = 0; i < M; i++) {
      const p = j * M + i;
      if (edit.coverage[p] === 0 || rowOf[p] < 0) continue;
      editedTexels++;
      before += perTexel[p];
      if (options.densify === false) continue;
      if (perTexel[p] === 0 && neighbourhoodDensity(i, j) < minDensity) addRows.push(p);
    }

  const K = (avatar.shDegree + 1) ** 2;
  const n = avatar.count, total = n + addRows.length;
  const out: BoundGaussianData = {
    count: total,
    shDegree: avatar.shDegree,
    triangle: new Uint32Array(total),
    barycentric: new Float32Array(total * 2),
    offset: new Float32Array(total),
    rotations: new Float32Array(total * 4),
    logScales: new Float32Array(total * 3),
    opacities: new Float32Array(total),
    sh: new Float32Array(total * K * 3),
  };
  out.triangle.set(avatar.triangle.subarray(0, n));
  out.barycentric.set(avatar.barycentric.subarray(0, n * 2));
  out.offset.set(avatar.offset.subarray(0, n));
  out.rotations.set(avatar.rotations.subarray(0, n * 4));
  out.logScales.set(avatar.logScales.subarray(0, n * 3));
  out.opacities.set(avatar.opacities.subarray(0, n));
  out.sh.set(sh);
  if (addRows.length && options.footprintColours !== false) {
    const scale = options.scaleFactor ?? 1;
    averageOverFootprints(out, avatar, uvs, edit, M, (p) => (rowOf[p] >= 0 ? raster.data.logScales[rowOf[p] * 3] - Math.log(scale) : null));
  }

  if (addRows.length) {
    const composed = input.composed ?? splatComposed(avatar, uvs, M);
    const floor = logit(minOpacity);
    const lift = options.lift ?? 1;
    addRows.forEach((p, a) => {
      const r = rowOf[p], g = n + a, m = p * CHANNELS;
      out.triangle[g] = raster.data.triangle[r];
      out.barycentric[g * 2] = raster.data.barycentric[r * 2];
      out.barycentric[g * 2 + 1] = raster.data.barycentric[r * 2 + 1];
      out.offset[g] = composed[m + CH_OFFSET] + lift * raster.footprint[r];
      const q = [0, 1, 2, 3].map((c) => composed[m + CH_ROTATION + c]);
      const len = Math.hypot(...q);
      out.rotations.set(len > 0 ? q.map((x) => x / len) : [1, 0, 0, 0], g * 4);
      out.logScales.set(raster.data.logScales.subarray(r * 3, r * 3 + 3), g * 3);
      out.opacities[g] = Math.max(floor, composed[m + CH_OPACITY]);
      const cov = edit.coverage[p] / 255;
      for (let c = 0; c < 3; c++) {
        const base = composed[m + c] * SH_C0 + 0.5;
        const rgb = base * (1 - cov) + (cov * edit.rgba[p * 4 + c]) / 255;
        out.sh[g * K * 3 + c] = (rgb - 0.5) / SH_C0;
      }
    });
  }
  return {
    avatar: out,
    report: {
      gaussians: total,
      touched,
      added: addRows.length,
      editedTexels,
      densityBefore: editedTexels ? before / editedTexels : 0,
      densityAfter: editedTexels ? (before + addRows.length) / editedTexels : 0,
    },
  };
}

/**
 * Large Gaussians over an edit that got texel-sized Gaussians: a point sample at the centre paints the whole, large
 * Gaussian in the edit's colour, which bleeds past the edit's edge. These take the edited colour averaged over their
 * footprint instead (texels within 2σ, Gaussian-weighted; each texel's colour = the Gaussian's own blended with the
 * composite by coverage), so a Gaussian half over a sticker gets half its colour and the added ones draw the edge.
 * `texelLogScale(p)`: log of texel p's footprint in the Gaussian's local units (null outside the UV layout).
 */
function averageOverFootprints(out: BoundGaussianData, avatar: BoundGaussianData, uvs: Float32Array, edit: ColourEdit, M: number, texelLogScale: (p: number) => number | null): void {
  const K = (avatar.shDegree + 1) ** 2;
  for (let g = 0; g < avatar.count; g++) {
    const cx = uvs[g * 2] * M, cy = uvs[g * 2 + 1] * M;
    const p0 = Math.min(M - 1, Math.max(0, Math.floor(cy))) * M + Math.min(M - 1, Math.max(0, Math.floor(cx)));
    const h = texelLogScale(p0);
    if (h === null) continue;
    const r = Math.exp(Math.max(avatar.logScales[g * 3], avatar.logScales[g * 3 + 1], avatar.logScales[g * 3 + 2]) - h); // σ in texels
    if (!(r > 1.5)) continue;
    const R = Math.ceil(2 * r);
    let covered = false;
    for (let y = Math.max(0, Math.floor(cy) - R); y <= Math.min(M - 1, Math.floor(cy) + R) && !covered; y++)
      for (let x = Math.max(0, Math.floor(cx) - R); x <= Math.min(M - 1, Math.floor(cx) + R); x++) if (edit.coverage[y * M + x] > 0) (covered = true);
    if (!covered) continue;
    const base = [0, 1, 2].map((c) => avatar.sh[g * K * 3 + c] * SH_C0 + 0.5);
    const sum = [0, 0, 0];
    let wsum = 0;
    for (let y = Math.max(0, Math.floor(cy) - R); y <= Math.min(M - 1, Math.floor(cy) + R); y++)
      for (let x = Math.max(0, Math.floor(cx) - R); x <= Math.min(M - 1, Math.floor(cx) + R); x++) {
        const d2 = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2;
        if (d2 > 4 * r * r || texelLogScale(y * M + x) === null) continue;
        const w = Math.exp(-d2 / (2 * r * r)), t = y * M + x, a = edit.coverage[t] / 255;
        for (let c = 0; c < 3; c++) sum[c] += w * (base[c] * (1 - a) + (a * edit.rgba[t * 4 + c]) / 255);
        wsum += w;
      }
    if (wsum > 0) for (let c = 0; c < 3; c++) out.sh[g * K * 3 + c] = (sum[c] / wsum - 0.5) / SH_C0;
  }
}

/** M² composed attribute rows from the avatar's own Gaussians: bilinear splat, push-pull fill (the bake's init). */
function splatComposed(avatar: BoundGaussianData, uvs: Float32Array, M: number): Float32Array {
  const { sum, weight } = splatAttributes(attributesFromBound(avatar), uvs, M);
  return pushPull(sum, weight, M, CHANNELS);
}
