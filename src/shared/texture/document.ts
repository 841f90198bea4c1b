import { writeRect } from './raster';
import type { RasterPatch } from './brush';
import type { BlendMode, LayerProps, RasterImage, Rgb, StickerTransform, TextureDocument, TextureLayer } from './types';
import { createRaster } from './raster';

/** A 32-hex id like the library's (globalThis.crypto exists in Node ≥ 19 and every browser). */
export function newLayerId(): string {
  const c = (globalThis as { crypto?: { randomUUID(): string } }).crypto;
  if (c?.randomUUID) return c.randomUUID().replace(/-/g, '');
  let s = '';
  for (let i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

export function createDocument(mapSize: number): TextureDocument {
  return { mapSize, layers: [], images: {} };
}

const common = (name: string) => ({ id: newLayerId(), name, visible: true, opacity: 1, blend: 'normal' as BlendMode });

export function paintLayer(name = 'Paint'): TextureLayer {
  return { ...common(name), kind: 'paint' };
}
export function imageLayer(name = 'Image'): TextureLayer {
  return { ...common(name), kind: 'image' };
}
export function fillLayer(colour: Rgb, name = 'Fill'): TextureLayer {
  return { ...common(name), kind: 'fill', colour: [...colour] as Rgb };
}
export function stickerLayer(transform: StickerTransform, name = 'Sticker'): TextureLayer {
  return { ...common(name), kind: 'sticker', transform: { ...transform } };
}

/** Every change to a document, reversible: the history stores these. */
export type TextureOp =
  | { kind: 'raster'; layerId: string; patch: RasterPatch }
  | { kind: 'addLayer'; layer: TextureLayer; index: number; image: RasterImage | null }
  | { kind: 'removeLayer'; layer: TextureLayer; index: number; image: RasterImage | null }
  | { kind: 'moveLayer'; from: number; to: number }
  | { kind: 'updateLayer'; layerId: string; before: LayerProps; after: LayerProps };

/** Which layers an op touched (the store recomposites and autosaves these). */
export function opLayerIds(op: TextureOp, doc: TextureDocument): string[] {
  switch (op.kind) {
    case 'raster':
    case 'updateLayer':
      return [op.layerId];
    case 'addLayer':
    case 'removeLayer':
      return [op.layer.id];
    case 'moveLayer':
      return doc.layers.map((l) => l.id);
  }
}

/** Adds a layer at `index` (default: top). Paint layers get an empty M×M raster unless one is given. */
export function addLayer(doc: TextureDocument, layer: TextureLayer, image: RasterImage | null = null, index = doc.layers.length): TextureOp {
  const img = image ?? (layer.kind === 'paint' ? createRaster(doc.mapSize, doc.mapSize) : null);
  if ((layer.kind === 'paint' || layer.kind === 'image') && img && (img.width !== doc.mapSize || img.height !== doc.mapSize)) {
    throw new Error(`A ${layer.kind} layer must be ${doc.mapSize}×${doc.mapSize}, got ${img.width}×${img.height}`);
  }
  if (layer.kind !== 'fill' && !img) throw new Error(`A ${layer.kind} layer needs an image`);
  const op: TextureOp = { kind: 'addLayer', layer, index: Math.max(0, Math.min(index, doc.layers.length)), image: img };
  applyOp(doc, op, 'redo');
  return op;
}

export function removeLayer(doc: TextureDocument, layerId: string): TextureOp | null {
  const index = doc.layers.findIndex((l) => l.id === layerId);
  if (index < 0) return null;
  const op: TextureOp = { kind: 'removeLayer', layer: doc.layers[index], index, image: doc.images[layerId] ?? null };
  applyOp(doc, op, 'redo');
  return op;
}

export function moveLayer(doc: TextureDocument, from: number, to: number): TextureOp | null {
  const n = doc.layers.length;
  if (from < 0 || from >= n || to < 0 || to >= n || from === to) return null;
  const op: TextureOp = { kind: 'moveLayer', from, to };
  applyOp(doc, op, 'redo');
  return op;
}

/** Changes a layer's properties; null when nothing differs. */
export function updateLayer(doc: TextureDocument, layerId: string, props: LayerProps): TextureOp | null {
  const layer = doc.layers.find((l) => l.id === layerId);
  if (!layer) return null;
  const before: LayerProps = {};
  const after: LayerProps = {};
  for (const [k, v] of Object.entries(props) as [keyof LayerProps, unknown][]) {
    if (v === undefined || !(k in layer)) continue;
    const current = (layer as unknown as Record<string, unknown>)[k];
    if (JSON.stringify(current) === JSON.stringify(v)) continue;
    (before as Record<string, unknown>)[k] = structuredCopy(current);
    (after as Record<string, unknown>)[k] = structuredCopy(v);
  }
  if (Object.keys(after).length === 0) return null;
  const op: TextureOp = { kind: 'updateLayer', layerId, before, after };
  applyOp(doc, op, 'redo');
  return op;
}

/** Applies an op forwards ('redo') or backwards ('undo'), in place. */
export function applyOp(doc: TextureDocument, op: TextureOp, direction: 'undo' | 'redo'): void {
  const forward = direction === 'redo';
  switch (op.kind) {
    case 'raster': {
      const image = doc.images[op.layerId];
      if (image) writeRect(image, op.patch.rect, forward ? op.patch.after : op.patch.before);
      return;
    }
    case 'addLayer':
    case 'removeLayer': {
      const insert = (op.kind === 'addLayer') === forward;
      if (insert) {
        doc.layers.splice(op.index, 0, op.layer);
        if (op.image) doc.images[op.layer.id] = op.image;
      } else {
        doc.layers.splice(op.index, 1);
        delete doc.images[op.layer.id];
      }
      return;
    }
    case 'moveLayer': {
      const [from, to] = forward ? [op.from, op.to] : [op.to, op.from];
      const [layer] = doc.layers.splice(from, 1);
      doc.layers.splice(to, 0, layer);
      return;
    }
    case 'updateLayer': {
      const index = doc.layers.findIndex((l) => l.id === op.layerId);
      if (index < 0) return;
      // A new object, so React selectors see the change; the document array itself stays the same.
      doc.layers[index] = { ...doc.layers[index], ...structuredCopy(forward ? op.after : op.before) } as TextureLayer;
      return;
    }
  }
}

function structuredCopy<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
