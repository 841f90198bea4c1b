import { blendChannel } from './blend';
import { createRaster } from './raster';
import { rasteriseSticker, stickerBounds, stickerFrame } from './sticker';
import type { Composite, RasterImage, Rect, StickerLayer, TextureLayer } from './types';

/**
 * Rasterised stickers, keyed by layer id and redrawn only when the transform, the source image or the map size
 * changes (a sticker is stored as source + transform; this is its M×M view).
 */
export class StickerRasterCache {
  private entries = new Map<string, { key: string; source: RasterImage; raster: RasterImage; drawn: Rect | null }>();

  get(layer: StickerLayer, source: RasterImage, mapSize: number): RasterImage {
    const key = `${mapSize}|${JSON.stringify(layer.transform)}`;
    const hit = this.entries.get(layer.id);
    if (hit && hit.key === key && hit.source === source) return hit.raster;
    const reuse = hit?.raster.width === mapSize;
    const raster = rasteriseSticker(source, layer.transform, mapSize, reuse ? hit.raster : undefined, reuse ? hit.drawn : undefined);
    const drawn = stickerBounds(stickerFrame(layer.transform, source.width, source.height, mapSize), source.width, source.height, mapSize);
    this.entries.set(layer.id, { key, source, raster, drawn });
    return raster;
  }

  /** Forgets layers that are no longer in the document. */
  retain(ids: Iterable<string>): void {
    const keep = new Set(ids);
    for (const id of [...this.entries.keys()]) if (!keep.has(id)) this.entries.delete(id);
  }
}

/** The M×M raster a layer contributes (straight alpha), or a constant colour for fill layers. */
type LayerSource = { kind: 'raster'; data: Uint8ClampedArray } | { kind: 'constant'; r: number; g: number; b: number };

function layerSource(layer: TextureLayer, images: Readonly<Record<string, RasterImage>>, mapSize: number, cache: StickerRasterCache): LayerSource | null {
  if (layer.kind === 'fill') return { kind: 'constant', r: layer.colour[0], g: layer.colour[1], b: layer.colour[2] };
  const image = images[layer.id];
  if (!image) return null;
  if (layer.kind === 'sticker') return { kind: 'raster', data: cache.get(layer, image, mapSize).data };
  if (image.width !== mapSize || image.height !== mapSize) return null;
  return { kind: 'raster', data: image.data };
}

/** An empty composite of the base map (coverage 0). */
export function createComposite(base: RasterImage): Composite {
  const rgba = new Uint8ClampedArray(base.data);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  return { width: base.width, height: base.height, rgba, coverage: new Uint8Array(base.width * base.height) };
}

/**
 * Composites the visible layers (bottom first) over the base colour map:
 * C = C_b·(1−α) + B(C_b, C_s)·α with α = layer alpha · opacity, per channel in 0..1, rounded once at the end.
 * Coverage = max over visible layers of α (0..255). Texels no layer touches keep the base bytes exactly.
 */
export function compositeTexture(base: RasterImage, layers: readonly TextureLayer[], images: Readonly<Record<string, RasterImage>>, cache = new StickerRasterCache()): Composite {
  const out = createComposite(base);
  compositeRegion(out, base, layers, images, { x: 0, y: 0, w: base.width, h: base.height }, cache);
  return out;
}

/** Recomposites one rectangle of `out` in place (used while painting: only the dirty rectangle changes). */
export function compositeRegion(out: Composite, base: RasterImage, layers: readonly TextureLayer[], images: Readonly<Record<string, RasterImage>>, rect: Rect, cache = new StickerRasterCache()): void {
  const mapSize = base.width;
  const n = rect.w * rect.h;
  const acc = new Float32Array(n * 3);
  const cov = new Float32Array(n);
  const bd = base.data;
  for (let j = 0; j < rect.h; j++) {
    for (let i = 0; i < rect.w; i++) {
      const o = ((rect.y + j) * mapSize + rect.x + i) * 4;
      const k = (j * rect.w + i) * 3;
      acc[k] = bd[o] / 255;
      acc[k + 1] = bd[o + 1] / 255;
      acc[k + 2] = bd[o + 2] / 255;
    }
  }
  for (const layer of layers) {
    if (!layer.visible || layer.opacity <= 0) continue;
    const src = layerSource(layer, images, mapSize, cache);
    if (!src) continue;
    const mode = layer.blend;
    const opacity = Math.min(1, layer.opacity);
    for (let j = 0; j < rect.h; j++) {
      for (let i = 0; i < rect.w; i++) {
        const p = j * rect.w + i;
        let sr: number, sg: number, sb: number, alpha: number;
        if (src.kind === 'constant') {
          sr = src.r / 255;
          sg = src.g / 255;
          sb = src.b / 255;
          alpha = opacity;
        } else {
          const o = ((rect.y + j) * mapSize + rect.x + i) * 4;
          alpha = (src.data[o + 3] / 255) * opacity;
          if (alpha <= 0) continue;
          sr = src.data[o] / 255;
          sg = src.data[o + 1] / 255;
          sb = src.data[o + 2] / 255;
        }
        const k = p * 3;
        const cr = acc[k], cg = acc[k + 1], cbl = acc[k + 2];
        acc[k] = cr * (1 - alpha) + blendChannel(mode, cr, sr) * alpha;
        acc[k + 1] = cg * (1 - alpha) + blendChannel(mode, cg, sg) * alpha;
        acc[k + 2] = cbl * (1 - alpha) + blendChannel(mode, cbl, sb) * alpha;
        if (alpha > cov[p]) cov[p] = alpha;
      }
    }
  }
  for (let j = 0; j < rect.h; j++) {
    for (let i = 0; i < rect.w; i++) {
      const p = j * rect.w + i;
      const t = (rect.y + j) * mapSize + rect.x + i;
      const o = t * 4;
      const c = Math.round(cov[p] * 255);
      out.coverage[t] = c;
      if (cov[p] === 0) {
        out.rgba[o] = bd[o];
        out.rgba[o + 1] = bd[o + 1];
        out.rgba[o + 2] = bd[o + 2];
      } else {
        out.rgba[o] = Math.round(acc[p * 3] * 255);
        out.rgba[o + 1] = Math.round(acc[p * 3 + 1] * 255);
        out.rgba[o + 2] = Math.round(acc[p * 3 + 2] * 255);
      }
      out.rgba[o + 3] = 255;
    }
  }
}

/** A single-channel map as an RGBA grey image (for export/preview of coverage, opacity, visibility). */
export function greyToRgba(values: Uint8Array | Uint8ClampedArray, width: number, height: number): RasterImage {
  const out = createRaster(width, height);
  for (let i = 0; i < width * height; i++) {
    out.data[i * 4] = out.data[i * 4 + 1] = out.data[i * 4 + 2] = values[i];
    out.data[i * 4 + 3] = 255;
  }
  return out;
}
