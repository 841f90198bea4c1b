/**
 * Tile-sorted rasteriser (CONVENTIONS.md "Rasterisation") and its backward, per pixel,
 * front to back by depth within each 16×16 tile.
 */
import type { Vec3 } from './camera';
import type { Projected, Projected2DGrad } from './project';
import { ALPHA_MAX, ALPHA_MIN, TILE_SIZE, T_MIN, type Num } from './types';

export interface RasterImages<A extends Float32Array | Float64Array = Float64Array> {
  rgb: A; // H·W·3
  alpha: A; // H·W
  depth: A; // H·W
  features: A | null; // H·W·F
  /** Number of Gaussians blended per pixel (for diagnostics). */
  nContrib: Int32Array;
  /** Per pixel, 1 + position in its tile's sorted list of the last blended Gaussian (0 if none). */
  lastContrib: Int32Array;
}

export interface RasterInputs {
  projected: Projected[];
  width: number;
  height: number;
  /** Per-pixel background H·W·3. */
  background: Float64Array;
  featureDim: number;
  features: Num | null; // N×F
}

/** Per tile, the visible Gaussians touching it, sorted by depth (ties by index). */
export function buildTileLists(projected: Projected[], width: number, height: number): number[][] {
  const tilesX = Math.ceil(width / TILE_SIZE);
  const tilesY = Math.ceil(height / TILE_SIZE);
  const lists: number[][] = Array.from({ length: tilesX * tilesY }, () => []);
  projected.forEach((p, i) => {
    if (!p.visible) return;
    for (let ty = p.tileMin[1]; ty < p.tileMax[1]; ty++)
      for (let tx = p.tileMin[0]; tx < p.tileMax[0]; tx++) lists[ty * tilesX + tx].push(i);
  });
  for (const l of lists) l.sort((a, b) => projected[a].depth - projected[b].depth || a - b);
  return lists;
}

interface Contribution {
  g: number;
  /** Position in the tile list. */
  pos: number;
  alpha: number;
  T: number;
  dx: number;
  dy: number;
  clamped: boolean;
}

/** Walk one pixel's list with the exact blending rules; returns contributions and final T. */
function blendPixel(list: number[], projected: Projected[], px: number, py: number): { contrib: Contribution[]; T: number } {
  let T = 1;
  const contrib: Contribution[] = [];
  for (let pos = 0; pos < list.length; pos++) {
    const g = list[pos];
    const p = projected[g];
    const dx = px - p.u;
    const dy = py - p.v;
    const [a, b, c] = p.conic;
    const power = -0.5 * (a * dx * dx + c * dy * dy) - b * dx * dy;
    if (power > 0) continue;
    const raw = p.opacity * Math.exp(power);
    const alpha = Math.min(ALPHA_MAX, raw);
    if (alpha < ALPHA_MIN) continue;
    const Tn = T * (1 - alpha);
    if (Tn < T_MIN) break;
    contrib.push({ g, pos, alpha, T, dx, dy, clamped: raw > ALPHA_MAX });
    T = Tn;
  }
  return { contrib, T };
}

export function rasterizeForward(inp: RasterInputs): RasterImages {
  const { projected, width: Wd, height: H, background, featureDim: F, features } = inp;
  const lists = buildTileLists(projected, Wd, H);
  const tilesX = Math.ceil(Wd / TILE_SIZE);
  const rgb = new Float64Array(H * Wd * 3);
  const alpha = new Float64Array(H * Wd);
  const depth = new Float64Array(H * Wd);
  const feat = F > 0 && features ? new Float64Array(H * Wd * F) : null;
  const nContrib = new Int32Array(H * Wd);
  const lastContrib = new Int32Array(H * Wd);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < Wd; x++) {
      const pix = y * Wd + x;
      const list = lists[Math.floor(y / TILE_SIZE) * tilesX + Math.floor(x / TILE_SIZE)];
      const { contrib, T } = blendPixel(list, projected, x + 0.5, y + 0.5);
      const C = [0, 0, 0];
      let D = 0;
      const Fa = new Array(F).fill(0);
      for (const k of contrib) {
        const p = projected[k.g];
        const w = k.alpha * k.T;
        C[0] += p.color[0] * w;
        C[1] += p.color[1] * w;
        C[2] += p.color[2] * w;
        D += p.depth * w;
        if (feat && features) for (let f = 0; f < F; f++) Fa[f] += features[k.g * F + f] * w;
      }
      for (let ch = 0; ch < 3; ch++) rgb[pix * 3 + ch] = C[ch] + T * background[pix * 3 + ch];
      alpha[pix] = 1 - T;
      depth[pix] = D;
      if (feat) for (let f = 0; f < F; f++) feat[pix * F + f] = Fa[f];
      nContrib[pix] = contrib.length;
      lastContrib[pix] = contrib.length ? contrib[contrib.length - 1].pos + 1 : 0;
    }
  }
  return { rgb, alpha, depth, features: feat, nContrib, lastContrib };
}

export interface PixelGrads {
  rgb?: Num | null; // H·W·3
  alpha?: Num | null; // H·W
  depth?: Num | null; // H·W
  features?: Num | null; // H·W·F
}

/**
 * Backward of `rasterizeForward`: per Gaussian gradients of its 2D quantities, and
 * dL/dfeatures (N×F) accumulated into `dFeatures`.
 */
export function rasterizeBackward(inp: RasterInputs, grads: PixelGrads, dFeatures: Float64Array): Projected2DGrad[] {
  const { projected, width: Wd, height: H, background, featureDim: F, features } = inp;
  const lists = buildTileLists(projected, Wd, H);
  const tilesX = Math.ceil(Wd / TILE_SIZE);
  const out: Projected2DGrad[] = projected.map(() => ({ u: 0, v: 0, conic: [0, 0, 0], opacity: 0, color: [0, 0, 0], depth: 0 }));
  const useF = F > 0 && !!features && !!grads.features;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < Wd; x++) {
      const pix = y * Wd + x;
      const list = lists[Math.floor(y / TILE_SIZE) * tilesX + Math.floor(x / TILE_SIZE)];
      const { contrib, T: Tf } = blendPixel(list, projected, x + 0.5, y + 0.5);
      const dC: Vec3 = grads.rgb ? [grads.rgb[pix * 3], grads.rgb[pix * 3 + 1], grads.rgb[pix * 3 + 2]] : [0, 0, 0];
      const dA = grads.alpha ? grads.alpha[pix] : 0;
      const dD = grads.depth ? grads.depth[pix] : 0;
      // Accumulated contributions of everything behind the current Gaussian (incl. background).
      const B: Vec3 = [Tf * background[pix * 3], Tf * background[pix * 3 + 1], Tf * background[pix * 3 + 2]];
      let Bd = 0;
      const Bf = new Array(F).fill(0);
      for (let k = contrib.length - 1; k >= 0; k--) {
        const { g, alpha, T, dx, dy, clamped } = contrib[k];
        const p = projected[g];
        const o = out[g];
        const w = alpha * T;
        const inv = 1 / (1 - alpha);
        let dAlpha = 0;
        for (let ch = 0; ch < 3; ch++) {
          o.color[ch] += dC[ch] * w;
          dAlpha += dC[ch] * (T * p.color[ch] - B[ch] * inv);
          B[ch] += p.color[ch] * w;
        }
        o.depth += dD * w;
        dAlpha += dD * (T * p.depth - Bd * inv);
        Bd += p.depth * w;
        if (useF && features && grads.features) {
          for (let f = 0; f < F; f++) {
            const gf = grads.features[pix * F + f];
            const fv = features[g * F + f];
            dFeatures[g * F + f] += gf * w;
            dAlpha += gf * (T * fv - Bf[f] * inv);
            Bf[f] += fv * w;
          }
        }
        dAlpha += dA * Tf * inv;
        if (clamped) continue;
        const G = alpha / p.opacity;
        o.opacity += dAlpha * G;
        const dPower = dAlpha * alpha;
        const [a, b, c] = p.conic;
        o.conic[0] += -0.5 * dx * dx * dPower;
        o.conic[1] += -dx * dy * dPower;
        o.conic[2] += -0.5 * dy * dy * dPower;
        // dx = px − u → d/du = −d/ddx; dpower/ddx = −(a dx + b dy)
        o.u += dPower * (a * dx + b * dy);
        o.v += dPower * (c * dy + b * dx);
      }
    }
  }
  return out;
}
