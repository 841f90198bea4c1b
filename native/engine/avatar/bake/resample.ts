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
 * Where an edit has edges that the avatar's Gaussians are too large to draw (a sticker or a thin stroke on a
 * region of few, large Gaussians), `EditResampler` adds texel-sized Gaussians along them and keeps the large ones'
 * colour (its comment says how).
 */
import type { UvLayout } from '../head-model';
import type { BoundGaussianData } from '../binding/bound-gaussians';
import { initFromUvLayout } from '../binding/init';
import { SH_C0 } from '../../reference/sh';
import { bilinearFootprint, gaussianUvs, pushPull } from './uv-maps';

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
  /** Centres of small Gaussians per texel (3×3 neighbourhood) below which an edge texel gets a Gaussian. Default 0.5. */
  minGaussiansPerTexel?: number;
  /** World σ of an added Gaussian as a multiple of its texel's footprint on the mesh. Default 1. */
  scaleFactor?: number;
  /** Opacity of an added Gaussian under full coverage; it scales with the texel's coverage. Default 0.95. */
  opacity?: number;
  /**
   * Outward normal offset of an added Gaussian, in texel footprints (default 1). The renderer sorts by centre depth,
   * so texel-sized Gaussians exactly on the surface would sit behind the region's large Gaussians (whose centres are
   * as close to the camera) and be hidden by them; lifted by a footprint they composite in front, like a sticker.
   */
  lift?: number;
  /** A Gaussian wider than this many texels (its largest σ) is "large": it cannot draw an edge of the edit. Default 1.5. */
  largeTexels?: number;
  /** Change of the premultiplied edit (coverage, coverage × layer colour, 0–1) between neighbouring texels that makes an edge. Default 0.1. */
  edgeThreshold?: number;
  /** false: colour re-sampling only (no Gaussians added). Default true. */
  densify?: boolean;
}

export interface ResampleInput {
  /** The baked avatar. */
  avatar: BoundGaussianData;
  uv: UvLayout;
  /** The neutral head mesh (the footprint of a texel and the triangle frames' scale k are measured on it). */
  mesh: { vertices: ArrayLike<number>; triangles: Uint32Array };
  edit: ColourEdit;
}

export interface ResampleReport {
  gaussians: number;
  /** Existing Gaussians whose colour changed. */
  touched: number;
  added: number;
  /** Large existing Gaussians under the added ones that keep their colour (the added ones draw the edit there). */
  kept: number;
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

/**
 * A texture edit → the edited avatar, for one baked avatar and map size. What does not depend on the edit (the UV
 * layout rasterised at M, each texel's footprint and surface offset, which Gaussians are large) is computed once, so
 * the texture editor's 3D view can show the very avatar that *Apply to avatar* will write after every stroke (both
 * call `apply` with the same inputs; `resampleAvatar` is the one-shot form the `texture.apply` job uses).
 *
 * 1. Every Gaussian's SH DC is re-sampled at its UV (`ColourResampler`: blended by coverage, bit-exact where the
 *    edit has no coverage).
 * 2. Edges of the edit — texels where the premultiplied edit (coverage, coverage × layer colour, the layer colour
 *    recovered from the composite and the base map: a·L = composite − base·(1 − a)) changes by more than
 *    `edgeThreshold` to a neighbour — are widened by the typical large Gaussian's σ (in texels). Inside that band,
 *    where no small Gaussian can draw the edge, each edited texel gets a texel-sized Gaussian: on its UV triangle,
 *    isotropic σ = the texel's footprint, lifted one footprint off the avatar's surface (the splatted normal offset
 *    of its Gaussians), the layer colour L, opacity `opacity` × coverage — so a soft brush edge stays soft and the
 *    base under it is the trained avatar, not the map's flat colour.
 * 3. Large Gaussians under those added ones keep their own colour: a single colour cannot draw an edge across a
 *    large Gaussian, and re-coloured it would bleed the edit past its edge (a sticker growing over the mouth, a
 *    stroke around an eye painting the iris Gaussians bound to the eyelid).
 * Uniform edits (a tint, a fill, the inside of a big soft stroke) have no edges: they re-colour the trained
 * Gaussians and keep their detail.
 */
export class EditResampler {
  readonly size: number;
  private readonly colour: ColourResampler;
  private readonly uvs: Float32Array;
  private readonly raster: ReturnType<typeof initFromUvLayout>;
  private readonly rowOf: Int32Array;
  private readonly large: Uint8Array;
  private readonly smallPerTexel: Uint16Array;
  private readonly surfaceOffset: Float32Array;
  /** The band's half-width in texels: the median σ of the large Gaussians (1–12). */
  readonly band: number;
  private readonly o: Required<Omit<ResampleOptions, 'densify'>> & { densify: boolean };

  constructor(private readonly avatar: BoundGaussianData, uv: UvLayout, mesh: ResampleInput['mesh'], size: number, options: ResampleOptions = {}) {
    this.o = {
      minGaussiansPerTexel: options.minGaussiansPerTexel ?? 0.5,
      scaleFactor: options.scaleFactor ?? 1,
      opacity: options.opacity ?? 0.95,
      lift: options.lift ?? 1,
      largeTexels: options.largeTexels ?? 1.5,
      edgeThreshold: options.edgeThreshold ?? 0.1,
      densify: options.densify ?? true,
    };
    if (!(this.o.opacity > 0 && this.o.opacity < 1)) throw new RangeError(`resample: opacity must be in (0, 1), got ${this.o.opacity}`);
    const M = (this.size = size);
    this.uvs = gaussianUvs(uv, avatar.triangle, avatar.barycentric, avatar.count);
    this.colour = new ColourResampler(avatar, this.uvs, M);
    this.raster = initFromUvLayout(mesh, uv, { resolution: M, scaleFactor: this.o.scaleFactor });
    this.rowOf = new Int32Array(M * M).fill(-1);
    for (let r = 0; r < this.raster.data.count; r++) this.rowOf[this.raster.texel[r * 2 + 1] * M + this.raster.texel[r * 2]] = r;

    // Each Gaussian's largest σ in texels of the texel under its centre; small ones are counted per texel.
    const logScale = Math.log(this.o.scaleFactor);
    this.large = new Uint8Array(avatar.count);
    this.smallPerTexel = new Uint16Array(M * M);
    const widths: number[] = [];
    for (let g = 0; g < avatar.count; g++) {
      const p = this.texelOf(g);
      const r = this.rowOf[p];
      const texels = r < 0 ? 0 : Math.exp(Math.max(avatar.logScales[g * 3], avatar.logScales[g * 3 + 1], avatar.logScales[g * 3 + 2]) - (this.raster.data.logScales[r * 3] - logScale));
      if (texels > this.o.largeTexels) {
        this.large[g] = 1;
        widths.push(texels);
      } else if (this.smallPerTexel[p] < 65535) this.smallPerTexel[p]++;
    }
    widths.sort((a, b) => a - b);
    this.band = Math.min(12, Math.max(1, Math.round(widths.length ? widths[widths.length >> 1] : 1)));

    // The avatar's normal offset per texel (bilinear splat of its Gaussians, push-pull filled): where added Gaussians sit.
    const sum = new Float32Array(M * M), weight = new Float32Array(M * M);
    const idx = new Int32Array(4), w = new Float32Array(4);
    for (let g = 0; g < avatar.count; g++) {
      bilinearFootprint(this.uvs[g * 2], this.uvs[g * 2 + 1], M, idx, w, 0);
      for (let k = 0; k < 4; k++) {
        weight[idx[k]] += w[k];
        sum[idx[k]] += w[k] * avatar.offset[g];
      }
    }
    this.surfaceOffset = pushPull(sum, weight, M, 1);
  }

  private texelOf(g: number): number {
    const M = this.size;
    const i = Math.min(M - 1, Math.max(0, Math.floor(this.uvs[g * 2] * M))), j = Math.min(M - 1, Math.max(0, Math.floor(this.uvs[g * 2 + 1] * M)));
    return j * M + i;
  }

  /** The edited avatar under `edit` (`base`: the base colour map the composite was made over, RGBA8 M²; without it the composite is taken as the layer colour). */
  apply(edit: ColourEdit, base?: ArrayLike<number>): ResampleResult {
    checkEdit(edit);
    const M = this.size, avatar = this.avatar;
    if (edit.size !== M) throw new RangeError(`resample: the edit is ${edit.size}² but the resampler was built for ${M}²`);
    if (base && base.length !== M * M * 4) throw new RangeError(`resample: the base map has ${base.length} bytes, expected ${M * M * 4}`);
    const { sh, touched: recoloured } = this.colour.resample(edit);
    const { coverage, rgba } = edit;
    // Premultiplied layer colour a·L per texel (0–1).
    const layerRgb = (p: number, c: number) => (base ? rgba[p * 4 + c] / 255 - (base[p * 4 + c] / 255) * (1 - coverage[p] / 255) : (rgba[p * 4 + c] / 255) * (coverage[p] / 255));

    // The edit's bounding box: every per-texel pass below runs inside it (widened by the band), not over M².
    let editedTexels = 0, before = 0;
    let x0 = M, y0 = M, x1 = -1, y1 = -1;
    for (let j = 0; j < M; j++)
      for (let i = 0; i < M; i++) {
        const p = j * M + i;
        if (coverage[p] === 0) continue;
        if (i < x0) x0 = i;
        if (i > x1) x1 = i;
        if (j < y0) y0 = j;
        if (j > y1) y1 = j;
        if (this.rowOf[p] < 0) continue;
        editedTexels++;
        before += this.smallPerTexel[p];
      }

    const addAt: number[] = [];
    const added = new Uint8Array(M * M);
    if (this.o.densify && editedTexels > 0) {
      // Edges (between the box's texels and their right/lower neighbours, one texel around the edit included), then
      // the band around them: a square dilation by `band` texels, separable, inside the box.
      const B = this.band;
      const bx0 = Math.max(0, x0 - 1), by0 = Math.max(0, y0 - 1), bx1 = Math.min(M - 1, x1 + 1), by1 = Math.min(M - 1, y1 + 1);
      const W = bx1 - bx0 + 1, H = by1 - by0 + 1;
      const at = (i: number, j: number) => (j - by0) * W + (i - bx0);
      const edge = new Uint8Array(W * H);
      const differs = (p: number, q: number) => {
        if (coverage[p] === 0 && coverage[q] === 0) return false;
        if (Math.abs(coverage[p] - coverage[q]) / 255 > this.o.edgeThreshold) return true;
        for (let c = 0; c < 3; c++) if (Math.abs(layerRgb(p, c) - layerRgb(q, c)) > this.o.edgeThreshold) return true;
        return false;
      };
      for (let j = by0; j <= by1; j++)
        for (let i = bx0; i <= bx1; i++) {
          const p = j * M + i;
          if (i < bx1 && differs(p, p + 1)) edge[at(i, j)] = edge[at(i + 1, j)] = 1;
          if (j < by1 && differs(p, p + M)) edge[at(i, j)] = edge[at(i, j + 1)] = 1;
        }
      const rows = new Uint8Array(W * H), zone = new Uint8Array(W * H);
      for (let y = 0; y < H; y++) dilateLine(edge, rows, y * W, 1, W, B);
      for (let x = 0; x < W; x++) dilateLine(rows, zone, x, W, H, B);
      const density = (i: number, j: number) => {
        let sum = 0, cells = 0;
        for (let y = Math.max(0, j - 1); y <= Math.min(M - 1, j + 1); y++)
          for (let x = Math.max(0, i - 1); x <= Math.min(M - 1, i + 1); x++, cells++) sum += this.smallPerTexel[y * M + x];
        return sum / cells;
      };
      for (let j = y0; j <= y1; j++)
        for (let i = x0; i <= x1; i++) {
          const p = j * M + i;
          if (!zone[at(i, j)] || coverage[p] < 4 || this.rowOf[p] < 0 || this.smallPerTexel[p] > 0) continue;
          if (density(i, j) >= this.o.minGaussiansPerTexel) continue;
          addAt.push(p);
          added[p] = 1;
        }
    }

    // Large Gaussians over added ones keep their colour.
    const K = (avatar.shDegree + 1) ** 2;
    let kept = 0, touched = recoloured;
    if (addAt.length) {
      const idx = new Int32Array(4), w = new Float32Array(4);
      for (let g = 0; g < avatar.count; g++) {
        if (!this.large[g]) continue;
        bilinearFootprint(this.uvs[g * 2], this.uvs[g * 2 + 1], M, idx, w, 0);
        let over = false;
        for (let k = 0; k < 4; k++) if (w[k] > 0 && added[idx[k]]) over = true;
        if (!over) continue;
        let changed = false;
        for (let c = 0; c < 3; c++) {
          if (sh[g * K * 3 + c] !== avatar.sh[g * K * 3 + c]) changed = true;
          sh[g * K * 3 + c] = avatar.sh[g * K * 3 + c];
        }
        if (changed) touched--;
        kept++;
      }
    }

    const n = avatar.count, total = n + addAt.length;
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
    const d = this.raster.data;
    addAt.forEach((p, a) => {
      const r = this.rowOf[p], g = n + a, cov = coverage[p] / 255;
      out.triangle[g] = d.triangle[r];
      out.barycentric[g * 2] = d.barycentric[r * 2];
      out.barycentric[g * 2 + 1] = d.barycentric[r * 2 + 1];
      out.offset[g] = this.surfaceOffset[p] + this.o.lift * this.raster.footprint[r];
      out.rotations[g * 4] = 1;
      out.logScales.set(d.logScales.subarray(r * 3, r * 3 + 3), g * 3);
      out.opacities[g] = logit(Math.min(0.999, this.o.opacity * cov));
      for (let c = 0; c < 3; c++) out.sh[g * K * 3 + c] = (Math.min(1, Math.max(0, layerRgb(p, c) / cov)) - 0.5) / SH_C0;
    });
    return {
      avatar: out,
      report: {
        gaussians: total,
        touched,
        added: addAt.length,
        kept,
        editedTexels,
        densityBefore: editedTexels ? before / editedTexels : 0,
        densityAfter: editedTexels ? (before + addAt.length) / editedTexels : 0,
      },
    };
  }
}

/** `dst[k] = 1` where `src` has a set element within `B` along one line (`n` elements from `start`, `stride` apart). */
function dilateLine(src: Uint8Array, dst: Uint8Array, start: number, stride: number, n: number, B: number): void {
  let last = -Infinity, next = Infinity;
  for (let k = n - 1; k >= 0; k--) {
    if (src[start + k * stride]) next = k;
    if (next - k <= B) dst[start + k * stride] = 1;
  }
  for (let k = 0; k < n; k++) {
    if (src[start + k * stride]) last = k;
    if (k - last <= B) dst[start + k * stride] = 1;
  }
}

/** One edit, one shot: `new EditResampler(…).apply(edit, base)` (the `texture.apply` job). */
export function resampleAvatar(input: ResampleInput & { base?: ArrayLike<number> }, options: ResampleOptions = {}): ResampleResult {
  checkEdit(input.edit);
  return new EditResampler(input.avatar, input.uv, input.mesh, input.edit.size, options).apply(input.edit, input.base);
}
