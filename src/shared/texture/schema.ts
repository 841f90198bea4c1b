import { z } from 'zod';
import { BLEND_MODES } from './types';

/** Zod schemas for layer metadata as it travels over the API and is stored in `texture_layers` (kind + params). */
export const BlendModeSchema = z.enum(BLEND_MODES);
export const RgbSchema = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]);
export const StickerTransformSchema = z.object({
  u: z.number().finite(),
  v: z.number().finite(),
  size: z.number().positive().max(16),
  rotation: z.number().finite(),
  flipX: z.boolean(),
  flipY: z.boolean(),
});
const common = {
  id: z.string().regex(/^[0-9a-f]{32}$/),
  name: z.string().min(1).max(200),
  visible: z.boolean(),
  opacity: z.number().min(0).max(1),
  blend: BlendModeSchema,
};
/** A layer without its raster (the same shape as `TextureLayer`). */
export const TextureLayerMetaSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('paint') }),
  z.object({ ...common, kind: z.literal('image') }),
  z.object({ ...common, kind: z.literal('sticker'), transform: StickerTransformSchema }),
  z.object({ ...common, kind: z.literal('fill'), colour: RgbSchema }),
]);
export type TextureLayerMeta = z.infer<typeof TextureLayerMetaSchema>;
