/**
 * The texture document: ordered layers over a baked base colour map. Platform-neutral (no DOM, no Node).
 *
 * Coordinates: a map is M×M texels; texel (x, y) ↔ UV ((x+½)/M, (y+½)/M), row 0 = v≈0 (same as
 * native/engine/avatar/bake/uv-maps.ts). "Texel space" is the continuous plane where texel x covers [x, x+1), so
 * texel space = UV · M.
 */

export const BLEND_MODES = ['normal', 'multiply', 'screen', 'overlay', 'add'] as const;
export type BlendMode = (typeof BLEND_MODES)[number];

export const LAYER_KINDS = ['paint', 'sticker', 'fill', 'image'] as const;
export type LayerKind = (typeof LAYER_KINDS)[number];

/** RGBA8, straight (non-premultiplied) alpha, row-major, `data.length === width · height · 4`. */
export interface RasterImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** An RGB colour, 0..255 per channel. */
export type Rgb = [number, number, number];

/**
 * Where a sticker sits: its centre in UV, its width in UV units (height follows the source's aspect ratio), a
 * rotation in radians (clockwise on a display whose rows go down, i.e. from +u towards +v) and mirror flags
 * (applied in the sticker's own frame, before rotation).
 */
export interface StickerTransform {
  u: number;
  v: number;
  size: number;
  rotation: number;
  flipX: boolean;
  flipY: boolean;
}

interface LayerCommon {
  id: string;
  name: string;
  visible: boolean;
  /** 0..1, multiplies the layer's alpha. */
  opacity: number;
  blend: BlendMode;
}

/** A raster (M×M, `images[id]`) painted with the brush, eraser and fill. */
export interface PaintLayer extends LayerCommon {
  kind: 'paint';
}
/** A raster (M×M, `images[id]`) imported from a file (a map edited in an external painter). */
export interface ImageLayer extends LayerCommon {
  kind: 'image';
}
/** A source image (`images[id]`, any size) drawn with a transform; never baked into pixels, so it stays editable. */
export interface StickerLayer extends LayerCommon {
  kind: 'sticker';
  transform: StickerTransform;
}
/** A constant colour over the whole map (tints with multiply/overlay, or a flat repaint at low opacity). */
export interface FillLayer extends LayerCommon {
  kind: 'fill';
  colour: Rgb;
}

export type TextureLayer = PaintLayer | ImageLayer | StickerLayer | FillLayer;

/** The editable properties of a layer (what `updateLayer` changes); kind and id never change. */
export interface LayerProps {
  name?: string;
  visible?: boolean;
  opacity?: number;
  blend?: BlendMode;
  transform?: StickerTransform;
  colour?: Rgb;
}

/**
 * The document. `layers[0]` is the bottom layer (drawn first, right above the base map). `images` holds one raster
 * per paint/image/sticker layer, keyed by layer id; rasters are mutated in place by painting (bump a version to
 * notice).
 */
export interface TextureDocument {
  mapSize: number;
  layers: TextureLayer[];
  images: Record<string, RasterImage>;
}

/** An axis-aligned rectangle of texels: [x, x+w) × [y, y+h). */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The result of compositing: RGBA8 (alpha 255) and the per-texel max of layer alpha·opacity (0..255). */
export interface Composite {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
  coverage: Uint8Array;
}
