import { StudioError } from '@shared/api/errors';
import type { Avatar, AvatarOrigin, ReportFrame, TrainingConfig, TrainingPreset, TrainingReport } from '@shared/model/avatar';
import type { Library } from '../library/library';

interface AvatarRow {
  id: string;
  project_id: string;
  name: string;
  version: number;
  head_model: string;
  meta: string;
  created_at: number;
  parent_id: string | null;
  /** The parent's version when its row still exists. */
  parent_version: number | null;
}

interface AvatarMeta {
  metrics?: { psnr: number; ssim: number } | null;
  trackedMetrics?: { psnr: number; ssim: number } | null;
  metricsOver?: 'head crop' | 'full frame';
  fullFrame?: { psnr: number; ssim: number } | null;
  headMattePsnr?: number | null;
  captureId?: string | null;
  preset?: TrainingPreset;
  steps?: number;
  gaussians?: number;
  trainFrames?: number;
  skippedFrames?: number;
  seconds?: number;
  /** A texture edit (Apply): the edited version's id and number (`fromVersion` since versions stopped inheriting figures). */
  textureApplied?: { from?: string; fromVersion?: number };
  imported?: object;
}

const SELECT_AVATAR = `SELECT a.id, a.project_id, a.name, a.version, a.head_model, a.meta, a.created_at, a.parent_id, p.version AS parent_version
  FROM avatars a LEFT JOIN avatars p ON p.id = a.parent_id`;

const originOf = (meta: AvatarMeta): AvatarOrigin => (meta.textureApplied ? 'texture' : meta.imported ? 'import' : 'training');

/**
 * The held-out figures the avatar itself was measured with. A texture edit is never evaluated: versions applied before
 * `textureApplied.fromVersion` was recorded copied their parent's figures into their meta, which are ignored here.
 */
function measured(meta: AvatarMeta): Pick<AvatarMeta, 'metrics' | 'trackedMetrics' | 'fullFrame' | 'headMattePsnr' | 'seconds'> {
  if (meta.textureApplied && meta.textureApplied.fromVersion === undefined) return {};
  return meta;
}

const avatarFolder = (id: string) => `avatars/${id}`;

/** Trained avatars and their training runs' metrics. */
export class AvatarsRepo {
  constructor(private readonly lib: Library) {}

  list(projectId: string): Avatar[] {
    const rows = this.lib.db.prepare(`${SELECT_AVATAR} WHERE a.project_id = ? ORDER BY a.created_at, a.id`).all(projectId) as AvatarRow[];
    return rows.map((r) => this.toAvatar(r));
  }

  get(id: string): Avatar {
    const r = this.row(id);
    return this.toAvatar(r);
  }

  /** “Name vN” for job titles and messages, or “the avatar” once it is gone. */
  label(id: string): string {
    const r = this.lib.db.prepare('SELECT name, version FROM avatars WHERE id = ?').get(id) as { name: string; version: number } | undefined;
    return r ? `${r.name} v${r.version}` : 'the avatar';
  }

  /**
   * Records a new avatar (inside the caller's commit transaction) with the project's next version number — one more
   * than its highest, so a deleted avatar's number is never given again — and returns that number.
   */
  insert(a: { id: string; projectId: string; name: string; headModel: string; meta: object; parentId?: string | null; checkpointBlobId?: number | null; createdAt?: number }): number {
    const db = this.lib.db;
    const version = ((db.prepare('SELECT MAX(version) FROM avatars WHERE project_id = ?').pluck().get(a.projectId) as number | null) ?? 0) + 1;
    db.prepare('INSERT INTO avatars (id, project_id, name, version, parent_id, head_model, checkpoint_blob_id, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      a.id, a.projectId, a.name, version, a.parentId ?? null, a.headModel, a.checkpointBlobId ?? null, JSON.stringify(a.meta), a.createdAt ?? Date.now(),
    );
    return version;
  }

  /**
   * The avatar's latest training run: configuration, per evaluated frame PSNR / SSIM with its ground truth / render /
   * error images (project-relative, when they were recorded), and the means.
   */
  report(avatarId: string): TrainingReport {
    const r = this.row(avatarId);
    const meta = JSON.parse(r.meta) as AvatarMeta;
    const own = measured(meta);
    const run = this.lib.db.prepare('SELECT id, config, preset FROM training_runs WHERE avatar_id = ? ORDER BY finished_at DESC LIMIT 1').get(avatarId) as { id: string; config: string; preset: string } | undefined;
    const config = run ? (JSON.parse(run.config) as Partial<TrainingConfig> & { holdOutCamera?: string | null; evaluation?: 'split' | 'camera' }) : null;
    const base: Omit<TrainingReport, 'perFrame'> = {
      avatarId,
      origin: originOf(meta),
      parentVersion: parentVersionOf(r, meta),
      metrics: own.metrics ?? null,
      evaluation: config?.evaluation ?? 'split',
      holdOutCamera: config?.holdOutCamera ?? null,
      config: config ? stripExtras(config) : null,
      preset: meta.preset ?? null,
      trainFrames: meta.trainFrames ?? null,
      skippedFrames: meta.skippedFrames ?? null,
      steps: meta.steps ?? null,
      gaussians: meta.gaussians ?? null,
      seconds: own.seconds ?? null,
      metricsOver: meta.metricsOver ?? 'full frame',
      trackedMetrics: own.trackedMetrics ?? null,
      fullFrame: own.fullFrame ?? null,
      headMattePsnr: own.headMattePsnr ?? null,
    };
    if (!run) return { ...base, perFrame: [] };
    const rows = this.lib.db
      .prepare(
        `SELECT f.idx AS idx, f.camera_id AS cameraId, m.name AS name, m.value AS value FROM training_metrics m JOIN frames f ON f.id = m.frame_id
         WHERE m.run_id = ? AND m.split = 'test' AND m.frame_id IS NOT NULL ORDER BY f.idx, f.camera_id`,
      )
      .all(run.id) as { idx: number; cameraId: string; name: string; value: number }[];
    const recorded = new Set(
      this.lib.db.prepare('SELECT path FROM blobs WHERE project_id = ? AND path LIKE ?').pluck().all(r.project_id, `${avatarFolder(avatarId)}/eval/%`) as string[],
    );
    const byFrame = new Map<string, ReportFrame>();
    for (const m of rows) {
      const key = `${m.cameraId}\u0000${m.idx}`;
      let e = byFrame.get(key);
      if (!e) {
        const base = `${avatarFolder(avatarId)}/eval/${m.cameraId.split(':').at(-1)}-${String(m.idx).padStart(6, '0')}`;
        const images = { groundTruth: `${base}-gt.png`, render: `${base}-render.png`, error: `${base}-error.png` };
        e = { idx: m.idx, cameraId: m.cameraId, psnr: Number.NaN, ssim: Number.NaN, maskedPsnr: null, cropPsnr: null, cropSsim: null, images: Object.values(images).every((p) => recorded.has(p)) ? images : null };
        byFrame.set(key, e);
      }
      if (m.name === 'psnr') e.psnr = m.value;
      else if (m.name === 'ssim') e.ssim = m.value;
      else if (m.name === 'maskedPsnr') e.maskedPsnr = m.value;
      else if (m.name === 'cropPsnr') e.cropPsnr = m.value;
      else if (m.name === 'cropSsim') e.cropSsim = m.value;
    }
    return { ...base, perFrame: [...byFrame.values()] };
  }

  private row(id: string): AvatarRow {
    const r = this.lib.db.prepare(`${SELECT_AVATAR} WHERE a.id = ?`).get(id) as AvatarRow | undefined;
    if (!r) throw new StudioError('NOT_FOUND', 'That avatar no longer exists.');
    return r;
  }

  private toAvatar(r: AvatarRow): Avatar {
    const meta = JSON.parse(r.meta) as AvatarMeta;
    return {
      id: r.id,
      projectId: r.project_id,
      name: r.name,
      version: r.version,
      headModel: r.head_model,
      createdAt: r.created_at,
      metrics: measured(meta).metrics ?? null,
      origin: originOf(meta),
      parentId: r.parent_id,
      parentVersion: parentVersionOf(r, meta),
      captureId: meta.captureId ?? null,
      preset: meta.preset ?? null,
      steps: meta.steps ?? null,
      gaussians: meta.gaussians ?? null,
    };
  }
}

/** The recorded parent version, else (rows applied before it was recorded) the parent row's, while it exists. */
function parentVersionOf(r: AvatarRow, meta: AvatarMeta): number | null {
  return meta.textureApplied?.fromVersion ?? r.parent_version ?? null;
}

function stripExtras(c: Partial<TrainingConfig> & { holdOutCamera?: unknown; evaluation?: unknown }): Partial<TrainingConfig> {
  const { holdOutCamera: _h, evaluation: _e, ...rest } = c;
  return rest;
}
