import { StudioError } from '@shared/api/errors';
import type { Avatar, TrainingReport } from '@shared/model/avatar';
import type { Library } from '../library/library';

interface AvatarRow {
  id: string;
  project_id: string;
  name: string;
  version: number;
  head_model: string;
  meta: string;
  created_at: number;
}

/** Trained avatars and their training runs' metrics. */
export class AvatarsRepo {
  constructor(private readonly lib: Library) {}

  list(projectId: string): Avatar[] {
    const rows = this.lib.db.prepare('SELECT id, project_id, name, version, head_model, meta, created_at FROM avatars WHERE project_id = ? ORDER BY created_at, id').all(projectId) as AvatarRow[];
    return rows.map((r) => this.toAvatar(r));
  }

  get(id: string): Avatar {
    const r = this.lib.db.prepare('SELECT id, project_id, name, version, head_model, meta, created_at FROM avatars WHERE id = ?').get(id) as AvatarRow | undefined;
    if (!r) throw new StudioError('NOT_FOUND', 'That avatar no longer exists.');
    return this.toAvatar(r);
  }

  /** Per test frame PSNR / SSIM of the avatar's latest training run, and the means. */
  report(avatarId: string): TrainingReport {
    const avatar = this.get(avatarId);
    const run = this.lib.db.prepare('SELECT id FROM training_runs WHERE avatar_id = ? ORDER BY finished_at DESC LIMIT 1').pluck().get(avatarId) as string | undefined;
    if (!run) return { metrics: avatar.metrics, perFrame: [] };
    const rows = this.lib.db
      .prepare(
        `SELECT f.idx AS idx, m.name AS name, m.value AS value FROM training_metrics m JOIN frames f ON f.id = m.frame_id
         WHERE m.run_id = ? AND m.split = 'test' AND m.frame_id IS NOT NULL ORDER BY f.idx, f.camera_id`,
      )
      .all(run) as { idx: number; name: string; value: number }[];
    const byIdx = new Map<number, { idx: number; psnr: number; ssim: number }>();
    for (const r of rows) {
      const e = byIdx.get(r.idx) ?? { idx: r.idx, psnr: Number.NaN, ssim: Number.NaN };
      if (r.name === 'psnr') e.psnr = r.value;
      else if (r.name === 'ssim') e.ssim = r.value;
      byIdx.set(r.idx, e);
    }
    return { metrics: avatar.metrics, perFrame: [...byIdx.values()] };
  }

  private toAvatar(r: AvatarRow): Avatar {
    const meta = JSON.parse(r.meta) as { metrics?: { psnr: number; ssim: number } | null; captureId?: string | null };
    return { id: r.id, projectId: r.project_id, name: r.name, version: r.version, headModel: r.head_model, createdAt: r.created_at, metrics: meta.metrics ?? null, captureId: meta.captureId ?? null };
  }
}
