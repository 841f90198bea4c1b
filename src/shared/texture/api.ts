import { z } from 'zod';
import { TextureLayerMetaSchema } from './schema';

/**
 * Schemas of the `textures.*` API (src/shared/api/contract.ts). Layer rasters travel as PNG files: the host writes
 * them into `avatars/<id>/texture/<layerId>.png` and answers project-relative paths, which the renderer reads from
 * the project's file route. Rasters sent to the host (`textures.save`) travel inline as base64 PNG when small (and
 * always through Electron's bridge, which has no size limit), or through the web upload endpoint (`PUT /upload`,
 * `{ uploadId }`) when a PNG would not fit in a 1 MiB WebSocket message.
 */

/** A layer as stored: its metadata plus the project-relative path of its PNG (null for fill layers). */
export const StoredTextureLayer = z.object({
  layer: TextureLayerMetaSchema,
  image: z.string().nullable(),
  /** Size of the PNG (M×M for paint/image layers, the source size for stickers); 0 for fill layers. */
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
});
export type StoredTextureLayer = z.infer<typeof StoredTextureLayer>;

/** The base maps of a bake (project-relative paths). */
export const TextureBase = z.object({
  colour: z.string(),
  opacity: z.string(),
  visibility: z.string(),
});

export const TextureDocumentInfo = z.object({
  avatarId: z.string(),
  projectId: z.string(),
  /** M (the bake's map size); 0 when there is no bake. */
  mapSize: z.number().int().nonnegative(),
  /** Null when the avatar has no bake yet: the editor offers to bake it. */
  base: TextureBase.nullable(),
  /** Bottom layer first. */
  layers: z.array(StoredTextureLayer),
  /** Increases with every save; `textures.save` with an older `baseRevision` is refused (another window saved). */
  revision: z.number().int().nonnegative(),
  /** Why edits are refused right now (a training or bake job of this avatar is active), or null. */
  locked: z.string().nullable(),
});
export type TextureDocumentInfo = z.infer<typeof TextureDocumentInfo>;

/** A raster sent to the host: base64 PNG inline, or a web upload's id. */
export const LayerImagePayload = z.union([z.strictObject({ png: z.string().min(1) }), z.strictObject({ uploadId: z.string().regex(/^[0-9a-f]{32}$/) })]);
export type LayerImagePayload = z.infer<typeof LayerImagePayload>;

export const TexturesSaveParams = z.strictObject({
  avatarId: z.string(),
  /** The full layer list, bottom first; layers missing from it are deleted with their PNGs. */
  layers: z.array(TextureLayerMetaSchema).max(256),
  /** New rasters for the layers whose pixels changed since the last save (keyed by layer id). */
  images: z.record(z.string(), LayerImagePayload).default({}),
  /** The revision the editor loaded or last saved; omitted = overwrite. */
  baseRevision: z.number().int().nonnegative().optional(),
});
export type TexturesSaveParams = z.input<typeof TexturesSaveParams>;

export const TexturesSaveResult = z.object({ revision: z.number().int(), layers: z.array(StoredTextureLayer) });

/** An image file given by a web upload id or (Electron, CLI) a path on the studio's machine. */
const FileSource = { uploadId: z.string().regex(/^[0-9a-f]{32}$/).optional(), path: z.string().min(1).optional() };

export const TexturesImportParams = z.strictObject({ avatarId: z.string(), ...FileSource, name: z.string().min(1).max(200).optional() });

/** A staged layer image written by an import; the editor adds the layer (undoable) and the next save stores its row. */
export const TexturesImportResult = z.object({
  layer: StoredTextureLayer,
  /** Set when the image was changed on the way in (e.g. a huge sticker downscaled). */
  note: z.string().nullable(),
});
export type TexturesImportResult = z.infer<typeof TexturesImportResult>;

export const TextureMapKind = z.enum(['colour', 'composite', 'opacity', 'visibility']);
export type TextureMapKind = z.infer<typeof TextureMapKind>;

export const TexturesExportParams = z.strictObject({
  avatarId: z.string(),
  map: TextureMapKind,
  /** Absolute output path (.png) on the studio's machine; omitted = `exports/textures/<avatarId>-<map>.png` in the project. */
  path: z.string().min(1).optional(),
});
export const TexturesExportResult = z.object({
  /** Absolute path written. */
  path: z.string(),
  /** Project-relative path when written inside the project folder (downloadable from the file route), else null. */
  projectPath: z.string().nullable(),
  bytes: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
});
