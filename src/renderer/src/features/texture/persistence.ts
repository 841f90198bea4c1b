import type { LayerImagePayload, StoredTextureLayer, TextureLayerMeta, TextureMapKind } from '@shared/texture';
import type { RasterImage } from '@shared/texture';

/** What the editor loaded: the base map (null without a bake), the visibility map and each layer's raster. */
export interface LoadedTexture {
  projectId: string;
  avatarId: string;
  mapSize: number;
  base: RasterImage | null;
  /** bake/visibility.png as M² grey bytes (255 observed, 128 filled, 0 outside). */
  visibility: Uint8Array | null;
  layers: { layer: TextureLayerMeta; image: RasterImage | null }[];
  revision: number;
  locked: string | null;
}

/** How the document store reaches the services host (persistence.ts's `studioTexturePersistence`, or a test double). */
export interface TexturePersistence {
  load(avatarId: string): Promise<LoadedTexture>;
  /** Saves the layer list and the rasters of `changed` layers; answers the new revision. */
  save(avatarId: string, layers: TextureLayerMeta[], changed: Record<string, RasterImage>, baseRevision: number): Promise<number>;
  /** Decodes an image file into a staged layer raster (`kind` sticker: any size; image: exactly M×M). */
  importFile(avatarId: string, file: File | { path: string }, kind: 'sticker' | 'image'): Promise<{ layer: StoredTextureLayer; image: RasterImage; note: string | null }>;
  exportMap(avatarId: string, map: TextureMapKind): Promise<{ path: string; url: string | null }>;
}

export type { LayerImagePayload };
