import { createRaster } from './raster';
import type { RasterImage, Rect, StickerTransform } from './types';

/** A sticker that covers a third of the map's width, centred, upright. */
export function defaultStickerTransform(): StickerTransform {
  return { u: 0.5, v: 0.5, size: 1 / 3, rotation: 0, flipX: false, flipY: false };
}

/**
 * The affine map from sticker source pixel space (pixel i covers [i, i+1)) to map texel space:
 * p_texel = centre + R(θ) · (s · flip · (p_src − c_src)), s = texels per source pixel.
 */
export interface StickerFrame {
  cx: number;
  cy: number;
  /** Texels per source pixel. */
  scale: number;
  cos: number;
  sin: number;
  fx: number;
  fy: number;
  halfW: number;
  halfH: number;
}

export function stickerFrame(t: StickerTransform, sourceWidth: number, sourceHeight: number, mapSize: number): StickerFrame {
  return {
    cx: t.u * mapSize,
    cy: t.v * mapSize,
    scale: (t.size * mapSize) / Math.max(1, sourceWidth),
    cos: Math.cos(t.rotation),
    sin: Math.sin(t.rotation),
    fx: t.flipX ? -1 : 1,
    fy: t.flipY ? -1 : 1,
    halfW: sourceWidth / 2,
    halfH: sourceHeight / 2,
  };
}

/** Source pixel space → texel space. */
export function stickerToTexel(f: StickerFrame, sx: number, sy: number): { x: number; y: number } {
  const lx = (sx - f.halfW) * f.fx * f.scale;
  const ly = (sy - f.halfH) * f.fy * f.scale;
  return { x: f.cx + f.cos * lx - f.sin * ly, y: f.cy + f.sin * lx + f.cos * ly };
}

/** Texel space → source pixel space. */
export function texelToSticker(f: StickerFrame, x: number, y: number): { x: number; y: number } {
  const dx = x - f.cx;
  const dy = y - f.cy;
  const lx = (f.cos * dx + f.sin * dy) / f.scale;
  const ly = (-f.sin * dx + f.cos * dy) / f.scale;
  return { x: lx * f.fx + f.halfW, y: ly * f.fy + f.halfH };
}

/** The sticker's corners in UV (top-left, top-right, bottom-right, bottom-left of the source image). */
export function stickerCornersUv(t: StickerTransform, sourceWidth: number, sourceHeight: number, mapSize: number): { u: number; v: number }[] {
  const f = stickerFrame(t, sourceWidth, sourceHeight, mapSize);
  return [
    [0, 0],
    [sourceWidth, 0],
    [sourceWidth, sourceHeight],
    [0, sourceHeight],
  ].map(([sx, sy]) => {
    const p = stickerToTexel(f, sx, sy);
    return { u: p.x / mapSize, v: p.y / mapSize };
  });
}

/** Whether a UV point lies on the sticker's rectangle. */
export function stickerContains(t: StickerTransform, sourceWidth: number, sourceHeight: number, mapSize: number, uv: { u: number; v: number }): boolean {
  const f = stickerFrame(t, sourceWidth, sourceHeight, mapSize);
  const p = texelToSticker(f, uv.u * mapSize, uv.v * mapSize);
  return p.x >= 0 && p.y >= 0 && p.x <= sourceWidth && p.y <= sourceHeight;
}

/** The texels the sticker can touch (its bounding box, clipped to the map), or null. */
export function stickerBounds(f: StickerFrame, sourceWidth: number, sourceHeight: number, mapSize: number): Rect | null {
  const pts = [stickerToTexel(f, 0, 0), stickerToTexel(f, sourceWidth, 0), stickerToTexel(f, sourceWidth, sourceHeight), stickerToTexel(f, 0, sourceHeight)];
  const x0 = Math.max(0, Math.floor(Math.min(...pts.map((p) => p.x))) - 1);
  const y0 = Math.max(0, Math.floor(Math.min(...pts.map((p) => p.y))) - 1);
  const x1 = Math.min(mapSize, Math.ceil(Math.max(...pts.map((p) => p.x))) + 1);
  const y1 = Math.min(mapSize, Math.ceil(Math.max(...pts.map((p) => p.y))) + 1);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
}

/**
 * Draws a sticker into an M×M raster (straight alpha): every texel centre is mapped back into the source and sampled
 * bilinearly with premultiplied alpha (pixels outside the source count as transparent, so edges are anti-aliased).
 * Minification below ½ averages a box of source pixels first, so a big sticker drawn small does not alias.
 */
export function rasteriseSticker(source: RasterImage, t: StickerTransform, mapSize: number, out?: RasterImage, drawn?: Rect | null): RasterImage {
  const target = out ?? createRaster(mapSize, mapSize);
  // Reusing a raster: clear only what the previous draw covered (`drawn`), else everything.
  if (out && drawn !== undefined) {
    if (drawn) for (let y = drawn.y; y < drawn.y + drawn.h; y++) target.data.fill(0, (y * mapSize + drawn.x) * 4, (y * mapSize + drawn.x + drawn.w) * 4);
  } else if (out) target.data.fill(0);
  const f = stickerFrame(t, source.width, source.height, mapSize);
  if (!(f.scale > 0) || !Number.isFinite(f.scale)) return target;
  const bounds = stickerBounds(f, source.width, source.height, mapSize);
  if (!bounds) return target;
  const src = f.scale < 0.5 ? downsampled(source, Math.floor(1 / f.scale)) : source;
  const ratio = src.width / source.width;
  const sd = src.data;
  const sw = src.width;
  const sh = src.height;
  const d = target.data;
  const acc = [0, 0, 0, 0];
  const tap = (ix: number, iy: number, w: number) => {
    if (w === 0 || ix < 0 || iy < 0 || ix >= sw || iy >= sh) return;
    const o = (iy * sw + ix) * 4;
    const a = sd[o + 3] * w;
    acc[0] += sd[o] * a;
    acc[1] += sd[o + 1] * a;
    acc[2] += sd[o + 2] * a;
    acc[3] += a;
  };
  for (let y = bounds.y; y < bounds.y + bounds.h; y++) {
    for (let x = bounds.x; x < bounds.x + bounds.w; x++) {
      const p = texelToSticker(f, x + 0.5, y + 0.5);
      const px = p.x * ratio - 0.5;
      const py = p.y * ratio - 0.5;
      if (px < -1 || py < -1 || px > sw || py > sh) continue;
      const x0 = Math.floor(px);
      const y0 = Math.floor(py);
      const tx = px - x0;
      const ty = py - y0;
      acc[0] = acc[1] = acc[2] = acc[3] = 0;
      tap(x0, y0, (1 - tx) * (1 - ty));
      tap(x0 + 1, y0, tx * (1 - ty));
      tap(x0, y0 + 1, (1 - tx) * ty);
      tap(x0 + 1, y0 + 1, tx * ty);
      if (acc[3] <= 0) continue;
      const o = (y * mapSize + x) * 4;
      d[o] = acc[0] / acc[3];
      d[o + 1] = acc[1] / acc[3];
      d[o + 2] = acc[2] / acc[3];
      d[o + 3] = acc[3];
    }
  }
  return target;
}

/** The last box-downsampled copy of each source (a drag re-rasterises at the same scale many times). */
const downsampledCache = new WeakMap<RasterImage, { k: number; image: RasterImage }>();
function downsampled(source: RasterImage, k: number): RasterImage {
  const hit = downsampledCache.get(source);
  if (hit && hit.k === k) return hit.image;
  const image = boxDownsample(source, k);
  downsampledCache.set(source, { k, image });
  return image;
}

/** Averages k×k blocks (premultiplied), for minified stickers. */
function boxDownsample(image: RasterImage, k: number): RasterImage {
  const w = Math.max(1, Math.floor(image.width / k));
  const h = Math.max(1, Math.floor(image.height / k));
  const out = createRaster(w, h);
  const kx = image.width / w;
  const ky = image.height / h;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0, g = 0, b = 0, a = 0, n = 0;
      for (let sy = Math.floor(y * ky); sy < Math.floor((y + 1) * ky); sy++) {
        for (let sx = Math.floor(x * kx); sx < Math.floor((x + 1) * kx); sx++) {
          const o = (sy * image.width + sx) * 4;
          const al = image.data[o + 3];
          r += image.data[o] * al;
          g += image.data[o + 1] * al;
          b += image.data[o + 2] * al;
          a += al;
          n++;
        }
      }
      const o = (y * w + x) * 4;
      if (a > 0) {
        out.data[o] = r / a;
        out.data[o + 1] = g / a;
        out.data[o + 2] = b / a;
      }
      out.data[o + 3] = a / Math.max(1, n);
    }
  }
  return out;
}
