/**
 * The texture editor's document store (zustand). The 2D editor and the 3D view (H3, `view3d/`) both paint through
 * it, with UV coordinates (u, v in 0..1, v = image row direction, see src/shared/texture/README.md).
 *
 * State
 * - `status`: 'idle' | 'loading' | 'ready' | 'no-bake' | 'error' (`error` holds the message).
 * - `projectId`, `avatarId`, `mapSize`, `doc` (the TextureDocument; its rasters are mutated in place while painting),
 *   `layers` (a fresh copy of `doc.layers` after every layer change, for React), `activeLayerId`.
 * - `base` (bake/colour.png as RGBA), `visibility` (M² grey bytes or null).
 * - `composite: { rgba, coverage, width, height } | null` and `compositeVersion` (+1 on every change).
 *   `compositeDirty` is the texel rectangle that changed in the latest version (null = everything); a consumer that
 *   sees the version jump by more than one should re-read the whole composite.
 * - `tool`: 'brush' | 'eraser' | 'fill' | 'picker' | 'sticker'; `colour` (Rgb 0..255); `brush` (BrushSettings);
 *   `fillTolerance` (0..255).
 * - `canUndo`, `canRedo`; `save`: { state: 'saved' | 'dirty' | 'saving' | 'error', message, savedAt }; `locked`
 *   (why edits are refused, e.g. the avatar is training) — edits are ignored while it is set.
 *
 * Actions
 * - `load(avatarId, persistence?)`, `reset()`.
 * - `beginStroke(uv, pressure)`, `strokeTo(uv, pressure, {lift?})` (lift: jump without a line, same stroke), `endStroke()`: what they do depends on `tool`: brush and
 *   eraser paint on the active paint layer (a paint layer is added first when the active layer is not one); fill
 *   flood-fills at `uv` on begin (the region from the composite, within `fillTolerance`); picker sets `colour` from
 *   the composite. Each stroke is one undo step. `pressure` is 0..1 (use 1 for a mouse).
 * - `pickColourAt(uv)` → Rgb (also sets `colour`).
 * - `undo()`, `redo()`.
 * - Layers: `selectLayer`, `addPaintLayer`, `addFillLayer`, `addImportedLayer`, `deleteLayer`, `moveLayer(from, to)`,
 *   `updateLayer(id, props)` (one undo step), `previewLayer(id, props)` + `commitPreview()` (a drag: live updates, one
 *   undo step at the end).
 * - Settings: `setTool`, `setColour`, `setBrush(partial)`, `setFillTolerance`.
 * - `flushSave()`: saves now (autosave runs 800 ms after the last change, never mid-stroke).
 */
import { create } from 'zustand';
import {
  BrushStroke,
  DEFAULT_BRUSH,
  StickerRasterCache,
  TextureHistory,
  addLayer,
  applyOp,
  cloneRaster,
  compositeRegion,
  compositeTexture,
  createDocument,
  fillLayer,
  floodFill,
  moveLayer as moveLayerOp,
  opLayerIds,
  paintLayer,
  pickColour,
  rectUnion,
  removeLayer,
  stickerBounds,
  stickerFrame,
  updateLayer as updateLayerOp,
  uvToTexel,
  type BrushSettings,
  type Composite,
  type LayerProps,
  type RasterImage,
  type Rect,
  type Rgb,
  type StickerTransform,
  type TextureDocument,
  type TextureLayer,
  type TextureLayerMeta,
  type TextureOp,
} from '@shared/texture';
import type { TexturePersistence } from './persistence';

export type TextureTool = 'brush' | 'eraser' | 'fill' | 'picker' | 'sticker';
export type SaveState = 'saved' | 'dirty' | 'saving' | 'error';
export interface Uv {
  u: number;
  v: number;
}

export interface TextureDocumentState {
  status: 'idle' | 'loading' | 'ready' | 'no-bake' | 'error';
  error: string | null;
  projectId: string | null;
  avatarId: string | null;
  mapSize: number;
  doc: TextureDocument | null;
  layers: TextureLayer[];
  activeLayerId: string | null;
  base: RasterImage | null;
  visibility: Uint8Array | null;
  composite: Composite | null;
  compositeVersion: number;
  compositeDirty: Rect | null;
  tool: TextureTool;
  colour: Rgb;
  brush: BrushSettings;
  fillTolerance: number;
  canUndo: boolean;
  canRedo: boolean;
  save: { state: SaveState; message: string | null; savedAt: number | null };
  locked: string | null;

  load(avatarId: string, persistence?: TexturePersistence): Promise<void>;
  reset(): void;
  beginStroke(uv: Uv, pressure: number): void;
  /** `lift`: the pen jumps to `uv` (a new dab, no line from the last point) — a 3D stroke crossing a UV seam. */
  strokeTo(uv: Uv, pressure: number, options?: { lift?: boolean }): void;
  endStroke(): void;
  pickColourAt(uv: Uv): Rgb | null;
  undo(): void;
  redo(): void;
  selectLayer(id: string | null): void;
  addPaintLayer(): void;
  addFillLayer(colour?: Rgb): void;
  /** Adds a layer whose raster came from an import (sticker or image); one undo step. */
  addImportedLayer(layer: TextureLayerMeta, image: RasterImage): void;
  deleteLayer(id: string): void;
  moveLayer(from: number, to: number): void;
  updateLayer(id: string, props: LayerProps): void;
  previewLayer(id: string, props: LayerProps): void;
  commitPreview(): void;
  setTool(tool: TextureTool): void;
  setColour(colour: Rgb): void;
  setBrush(patch: Partial<BrushSettings>): void;
  setFillTolerance(t: number): void;
  flushSave(): Promise<void>;
}

/** Non-reactive editing state: the history, the stroke in progress, the pending save. */
interface Session {
  persistence: TexturePersistence | null;
  history: TextureHistory;
  stickers: StickerRasterCache;
  stroke: { layerId: string; stroke: BrushStroke } | null;
  preview: { layerId: string; before: LayerProps } | null;
  /** Layers whose rasters changed since the last save. */
  dirtyImages: Set<string>;
  metaDirty: boolean;
  revision: number;
  saveTimer: ReturnType<typeof setTimeout> | null;
  saving: Promise<void> | null;
  /** Bumped on load/reset so a late answer for a previous avatar is ignored. */
  generation: number;
}

const AUTOSAVE_MS = 800;

const session: Session = {
  persistence: null,
  history: new TextureHistory(),
  stickers: new StickerRasterCache(),
  stroke: null,
  preview: null,
  dirtyImages: new Set(),
  metaDirty: false,
  revision: 0,
  saveTimer: null,
  saving: null,
  generation: 0,
};

let defaultPersistence: (() => TexturePersistence) | null = null;
/** Set once by the editor page (keeps this module free of the studio connection, so tests can use a double). */
export function setDefaultTexturePersistence(factory: () => TexturePersistence): void {
  defaultPersistence = factory;
}

const initial = {
  status: 'idle' as const,
  error: null,
  projectId: null,
  avatarId: null,
  mapSize: 0,
  doc: null,
  layers: [],
  activeLayerId: null,
  base: null,
  visibility: null,
  composite: null,
  compositeVersion: 0,
  compositeDirty: null,
  canUndo: false,
  canRedo: false,
  save: { state: 'saved' as SaveState, message: null, savedAt: null },
  locked: null,
};

/** The texels a sticker covers with a transform (for recompositing only what a move/scale/rotate changed). */
function stickerRect(doc: TextureDocument, layerId: string, transform: StickerTransform | undefined): Rect | null {
  const image = doc.images[layerId];
  if (!image || !transform) return null;
  return stickerBounds(stickerFrame(transform, image.width, image.height, doc.mapSize), image.width, image.height, doc.mapSize);
}

/**
 * The rectangle a property change of a layer can affect: a sticker's old ∪ new bounds; null (everything) for other
 * layers, which cover the whole map.
 */
function changeRect(doc: TextureDocument, layerId: string, before: LayerProps, after: LayerProps): Rect | null | 'none' {
  const layer = doc.layers.find((l) => l.id === layerId);
  if (layer?.kind !== 'sticker') return null;
  const a = stickerRect(doc, layerId, before.transform ?? layer.transform);
  const b = stickerRect(doc, layerId, after.transform ?? layer.transform);
  const r = rectUnion(a, b);
  return r ?? 'none';
}

const metaOf = (layer: TextureLayer): TextureLayerMeta => JSON.parse(JSON.stringify(layer)) as TextureLayerMeta;

export const useTextureDocument = create<TextureDocumentState>((set, get) => {
  /** Recomposites (a rectangle, or everything) and publishes the new composite version. */
  const recomposite = (rect: Rect | null) => {
    const { doc, base, composite } = get();
    if (!doc || !base) return;
    if (!composite || !rect) {
      session.stickers.retain(doc.layers.map((l) => l.id));
      const next = compositeTexture(base, doc.layers, doc.images, session.stickers);
      set((s) => ({ composite: next, compositeVersion: s.compositeVersion + 1, compositeDirty: null }));
      return;
    }
    compositeRegion(composite, base, doc.layers, doc.images, rect, session.stickers);
    set((s) => ({ compositeVersion: s.compositeVersion + 1, compositeDirty: rect }));
  };

  const publishHistory = () => set({ canUndo: session.history.canUndo, canRedo: session.history.canRedo });

  const scheduleSave = () => {
    set({ save: { ...get().save, state: 'dirty', message: null } });
    if (session.saveTimer) clearTimeout(session.saveTimer);
    session.saveTimer = setTimeout(() => {
      session.saveTimer = null;
      if (session.stroke || session.preview) return scheduleSave();
      void get().flushSave();
    }, AUTOSAVE_MS);
  };

  /** Marks what an op touched for the next save and refreshes the view. */
  const afterOp = (op: TextureOp, direction: 'do' | 'undo' | 'redo') => {
    const doc = get().doc!;
    if (op.kind === 'raster') session.dirtyImages.add(op.layerId);
    else session.metaDirty = true;
    if (op.kind === 'addLayer' && op.image && direction !== 'undo') session.dirtyImages.add(op.layer.id);
    const activeGone = !doc.layers.some((l) => l.id === get().activeLayerId);
    const touched = opLayerIds(op, doc);
    set({
      layers: [...doc.layers],
      activeLayerId: op.kind === 'addLayer' && direction !== 'undo' ? op.layer.id : activeGone ? (doc.layers.at(-1)?.id ?? null) : get().activeLayerId,
    });
    if (op.kind === 'raster') recomposite(op.patch.rect);
    else if (op.kind === 'updateLayer') {
      const r = changeRect(doc, op.layerId, op.before, op.after);
      if (r !== 'none') recomposite(r);
    } else recomposite(null);
    publishHistory();
    if (touched.length) scheduleSave();
  };

  const record = (op: TextureOp | null) => {
    if (!op) return;
    session.history.record(op);
    afterOp(op, 'do');
  };

  const editable = () => {
    const s = get();
    return s.status === 'ready' && s.doc && !s.locked;
  };

  /** The active layer when it is a paint layer; otherwise a new paint layer above it (its own undo step). */
  const paintTarget = (): string => {
    const { doc, activeLayerId } = get();
    const active = doc!.layers.find((l) => l.id === activeLayerId);
    if (active?.kind === 'paint') return active.id;
    const index = active ? doc!.layers.indexOf(active) + 1 : doc!.layers.length;
    const layer = paintLayer(`Paint ${doc!.layers.filter((l) => l.kind === 'paint').length + 1}`);
    record(addLayer(doc!, layer, null, index));
    return layer.id;
  };

  return {
    ...initial,
    tool: 'brush',
    colour: [200, 40, 60],
    brush: { ...DEFAULT_BRUSH },
    fillTolerance: 24,

    async load(avatarId, persistence) {
      const p = persistence ?? defaultPersistence?.();
      if (!p) throw new Error('No texture persistence configured.');
      const generation = ++session.generation;
      if (session.saveTimer) clearTimeout(session.saveTimer);
      Object.assign(session, { persistence: p, history: new TextureHistory(), stickers: new StickerRasterCache(), stroke: null, preview: null, dirtyImages: new Set(), metaDirty: false, saveTimer: null });
      set({ ...initial, status: 'loading', avatarId });
      try {
        const loaded = await p.load(avatarId);
        if (generation !== session.generation) return;
        session.revision = loaded.revision;
        if (!loaded.base) {
          set({ status: 'no-bake', projectId: loaded.projectId, mapSize: 0, locked: loaded.locked });
          return;
        }
        const doc = createDocument(loaded.mapSize);
        for (const { layer, image } of loaded.layers) {
          doc.layers.push(layer as TextureLayer);
          if (image) doc.images[layer.id] = image;
        }
        set({
          status: 'ready',
          projectId: loaded.projectId,
          mapSize: loaded.mapSize,
          doc,
          layers: [...doc.layers],
          activeLayerId: doc.layers.at(-1)?.id ?? null,
          base: loaded.base,
          visibility: loaded.visibility,
          locked: loaded.locked,
          save: { state: 'saved', message: null, savedAt: null },
        });
        recomposite(null);
      } catch (err) {
        if (generation !== session.generation) return;
        set({ status: 'error', error: (err as Error).message });
      }
    },

    reset() {
      session.generation++;
      if (session.saveTimer) clearTimeout(session.saveTimer);
      session.stroke = null;
      session.preview = null;
      set({ ...initial });
    },

    beginStroke(uv, pressure) {
      if (!editable()) return;
      const { tool, doc, colour, brush } = get();
      if (tool === 'picker') {
        get().pickColourAt(uv);
        return;
      }
      if (tool === 'fill') {
        const target = paintTarget();
        const { composite } = get();
        const reference = { width: composite!.width, height: composite!.height, data: composite!.rgba };
        const t = uvToTexel(uv, doc!.mapSize);
        const patch = floodFill(doc!.images[target], cloneRaster(reference), Math.floor(t.x), Math.floor(t.y), colour, brush.opacity, get().fillTolerance);
        if (patch) record({ kind: 'raster', layerId: target, patch });
        return;
      }
      if (tool !== 'brush' && tool !== 'eraser') return;
      if (tool === 'eraser') {
        const active = doc!.layers.find((l) => l.id === get().activeLayerId);
        if (active?.kind !== 'paint') return;
      }
      const layerId = paintTarget();
      const stroke = new BrushStroke(doc!.images[layerId], { mode: tool === 'eraser' ? 'erase' : 'paint', colour, brush });
      session.stroke = { layerId, stroke };
      const t = uvToTexel(uv, doc!.mapSize);
      const rect = stroke.begin(t.x, t.y, pressure);
      if (rect) recomposite(rect);
    },

    strokeTo(uv, pressure, options) {
      const s = session.stroke;
      if (!s) return;
      const t = uvToTexel(uv, get().mapSize);
      const rect = options?.lift ? s.stroke.begin(t.x, t.y, pressure) : s.stroke.lineTo(t.x, t.y, pressure);
      if (rect) recomposite(rect);
    },

    endStroke() {
      const s = session.stroke;
      if (!s) return;
      session.stroke = null;
      const patch = s.stroke.finish();
      if (patch) record({ kind: 'raster', layerId: s.layerId, patch });
    },

    pickColourAt(uv) {
      const { composite } = get();
      if (!composite) return null;
      const colour = pickColour(composite, uv);
      set({ colour });
      return colour;
    },

    undo() {
      if (!editable() || session.stroke) return;
      get().commitPreview();
      const op = session.history.undo(get().doc!);
      if (op) afterOp(op, 'undo');
    },

    redo() {
      if (!editable() || session.stroke) return;
      const op = session.history.redo(get().doc!);
      if (op) afterOp(op, 'redo');
    },

    selectLayer(id) {
      set({ activeLayerId: id });
    },

    addPaintLayer() {
      if (!editable()) return;
      const { doc, activeLayerId } = get();
      const at = doc!.layers.findIndex((l) => l.id === activeLayerId);
      record(addLayer(doc!, paintLayer(`Paint ${doc!.layers.filter((l) => l.kind === 'paint').length + 1}`), null, at < 0 ? doc!.layers.length : at + 1));
    },

    addFillLayer(colour) {
      if (!editable()) return;
      const { doc } = get();
      // A tint by default: multiply keeps the shading of the map underneath.
      record(addLayer(doc!, { ...fillLayer(colour ?? get().colour, `Fill ${doc!.layers.filter((l) => l.kind === 'fill').length + 1}`), blend: 'multiply' }));
    },

    addImportedLayer(layer, image) {
      if (!editable()) return;
      const { doc } = get();
      record(addLayer(doc!, layer as TextureLayer, image));
    },

    deleteLayer(id) {
      if (!editable()) return;
      record(removeLayer(get().doc!, id));
    },

    moveLayer(from, to) {
      if (!editable()) return;
      record(moveLayerOp(get().doc!, from, to));
    },

    updateLayer(id, props) {
      if (!editable()) return;
      get().commitPreview();
      record(updateLayerOp(get().doc!, id, props));
    },

    previewLayer(id, props) {
      if (!editable()) return;
      const doc = get().doc!;
      const layer = doc.layers.find((l) => l.id === id);
      if (!layer) return;
      if (session.preview && session.preview.layerId !== id) get().commitPreview();
      if (!session.preview) {
        const before: LayerProps = {};
        for (const k of Object.keys(props) as (keyof LayerProps)[]) (before as Record<string, unknown>)[k] = JSON.parse(JSON.stringify((layer as unknown as Record<string, unknown>)[k] ?? null));
        session.preview = { layerId: id, before };
      }
      const previous: LayerProps = { transform: layer.kind === 'sticker' ? layer.transform : undefined };
      applyOp(doc, { kind: 'updateLayer', layerId: id, before: {}, after: props }, 'redo');
      set({ layers: [...doc.layers] });
      const r = changeRect(doc, id, previous, props);
      if (r !== 'none') recomposite(r);
    },

    commitPreview() {
      const p = session.preview;
      if (!p) return;
      session.preview = null;
      const doc = get().doc!;
      const layer = doc.layers.find((l) => l.id === p.layerId);
      if (!layer) return;
      const after: LayerProps = {};
      for (const k of Object.keys(p.before) as (keyof LayerProps)[]) (after as Record<string, unknown>)[k] = JSON.parse(JSON.stringify((layer as unknown as Record<string, unknown>)[k]));
      if (JSON.stringify(after) === JSON.stringify(p.before)) return;
      record({ kind: 'updateLayer', layerId: p.layerId, before: p.before, after });
    },

    setTool(tool) {
      set({ tool });
    },
    setColour(colour) {
      set({ colour });
    },
    setBrush(patch) {
      set((s) => ({ brush: { ...s.brush, ...patch } }));
    },
    setFillTolerance(fillTolerance) {
      set({ fillTolerance });
    },

    async flushSave() {
      if (session.saveTimer) {
        clearTimeout(session.saveTimer);
        session.saveTimer = null;
      }
      while (session.saving) await session.saving;
      const { doc, avatarId, locked } = get();
      const p = session.persistence;
      if (!doc || !avatarId || !p || locked) return;
      if (!session.metaDirty && session.dirtyImages.size === 0) return;
      const generation = session.generation;
      const changed: Record<string, RasterImage> = {};
      for (const id of session.dirtyImages) if (doc.images[id]) changed[id] = cloneRaster(doc.images[id]);
      const layers = doc.layers.map(metaOf);
      session.dirtyImages = new Set();
      session.metaDirty = false;
      set({ save: { ...get().save, state: 'saving', message: null } });
      session.saving = (async () => {
        try {
          const revision = await p.save(avatarId, layers, changed, session.revision);
          if (generation !== session.generation) return;
          session.revision = revision;
          const pending = session.metaDirty || session.dirtyImages.size > 0;
          set({ save: { state: pending ? 'dirty' : 'saved', message: null, savedAt: Date.now() } });
        } catch (err) {
          if (generation !== session.generation) return;
          for (const id of Object.keys(changed)) session.dirtyImages.add(id);
          session.metaDirty = true;
          set({ save: { state: 'error', message: (err as Error).message, savedAt: get().save.savedAt } });
        } finally {
          session.saving = null;
        }
      })();
      await session.saving;
      if (get().save.state === 'dirty' && generation === session.generation) scheduleSave();
    },
  };
});
