import { TextureLayerMetaSchema, type TextureLayerMeta } from '@shared/texture';
import type { Library } from '../library/library';
import { COLOUR_MAP } from './texture-paths';

interface LayerRow {
  id: string;
  name: string;
  order_index: number;
  visible: number;
  opacity: number;
  blend_mode: string;
  kind: string;
  params: string;
  blob_id: number | null;
}

/** `texture_layers` rows of an avatar's colour map: common fields in columns, kind-specific ones in `params`. */
export class TextureLayersRepo {
  constructor(private readonly lib: Library) {}

  list(avatarId: string): TextureLayerMeta[] {
    const rows = this.lib.db
      .prepare('SELECT id, name, order_index, visible, opacity, blend_mode, kind, params, blob_id FROM texture_layers WHERE avatar_id = ? AND map = ? ORDER BY order_index')
      .all(avatarId, COLOUR_MAP) as LayerRow[];
    return rows.map((r) => TextureLayerMetaSchema.parse({ id: r.id, name: r.name, visible: r.visible === 1, opacity: r.opacity, blend: r.blend_mode, kind: r.kind, ...JSON.parse(r.params) }));
  }

  /** Replaces the avatar's layer rows with `layers` (bottom first), in the caller's transaction. */
  replace(avatarId: string, layers: readonly TextureLayerMeta[], blobIds: ReadonlyMap<string, number>): void {
    const now = Date.now();
    const db = this.lib.db;
    const created = new Map((db.prepare('SELECT id, created_at FROM texture_layers WHERE avatar_id = ? AND map = ?').all(avatarId, COLOUR_MAP) as { id: string; created_at: number }[]).map((r) => [r.id, r.created_at]));
    db.prepare('DELETE FROM texture_layers WHERE avatar_id = ? AND map = ?').run(avatarId, COLOUR_MAP);
    const insert = db.prepare(
      `INSERT INTO texture_layers (id, avatar_id, map, name, order_index, visible, opacity, blend_mode, blob_id, kind, params, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    layers.forEach((l, i) => {
      const { id, name, visible, opacity, blend, kind, ...params } = l;
      insert.run(id, avatarId, COLOUR_MAP, name, i, visible ? 1 : 0, opacity, blend, blobIds.get(id) ?? null, kind, JSON.stringify(params), created.get(id) ?? now, now);
    });
  }

  /** Layer ids of any avatar (ids are global primary keys: a save must not take another avatar's id). */
  ownerOf(layerId: string): string | null {
    const row = this.lib.db.prepare('SELECT avatar_id FROM texture_layers WHERE id = ?').get(layerId) as { avatar_id: string } | undefined;
    return row?.avatar_id ?? null;
  }
}
