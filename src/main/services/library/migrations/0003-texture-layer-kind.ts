import type { Migration } from './types';

/**
 * Texture layers (issue 7) come in kinds with their own parameters — a sticker's transform, a fill layer's colour —
 * which 0002's `texture_layers` had no columns for. `params` is the layer's kind-specific JSON
 * (`src/shared/texture/schema.ts`).
 */
export const migration0003TextureLayerKind: Migration = {
  version: 3,
  name: 'texture-layer-kind',
  up(db) {
    db.exec(`
      ALTER TABLE texture_layers ADD COLUMN kind TEXT NOT NULL DEFAULT 'paint' CHECK (kind IN ('paint', 'sticker', 'fill', 'image'));
      ALTER TABLE texture_layers ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
      CREATE INDEX texture_layers_avatar ON texture_layers(avatar_id, map, order_index);
    `);
  },
};
