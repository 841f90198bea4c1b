import fs from 'node:fs';
import { StudioError } from '@shared/api/errors';
import type { Camera, Capture, Frame, FrameRange, FrameSplit } from '@shared/model/capture';
import type { Library } from '../library/library';
import { readLibrary } from '../library/read-only-view';
import { ProjectsRepo } from '../projects/projects-repo';
import { median } from './frame-quality';

interface CaptureRow {
  id: string;
  project_id: string;
  name: string;
  kind: Capture['kind'];
  fps: number | null;
  width: number;
  height: number;
  frame_count: number;
  duration_s: number;
  meta: string;
  created_at: number;
}

interface CameraRow {
  id: string;
  name: string;
  source_name: string;
  width: number;
  height: number;
  intrinsics: string | null;
  extrinsics: string | null;
}

interface FrameRow {
  idx: number;
  camera_id: string;
  time_s: number;
  split: FrameSplit;
  sharpness: number | null;
  exposure: number | null;
  clipped: number | null;
  file: string;
  thumb: string | null;
  width: number;
  height: number;
}

/** Captures, their cameras and frames. Frames of all cameras share indices; splits apply per index to all views. */
export class CapturesRepo {
  constructor(
    private readonly lib: Library,
    private readonly projects: ProjectsRepo,
  ) {}

  private toCapture(r: CaptureRow): Capture {
    const cameras = (this.lib.db.prepare('SELECT id, name, source_name, width, height, intrinsics, extrinsics FROM cameras WHERE capture_id = ? ORDER BY idx').all(r.id) as CameraRow[]).map(
      (c): Camera => ({
        id: c.id,
        name: c.name,
        sourceName: c.source_name,
        width: c.width,
        height: c.height,
        intrinsics: c.intrinsics ? JSON.parse(c.intrinsics) : null,
        extrinsics: c.extrinsics ? JSON.parse(c.extrinsics) : null,
      }),
    );
    const counts = { train: 0, test: 0, excluded: 0 };
    const firstCamera = cameras[0]?.id ?? null;
    for (const row of this.lib.db.prepare('SELECT split, COUNT(*) n FROM frames WHERE capture_id = ? AND camera_id IS ? GROUP BY split').all(r.id, firstCamera) as { split: FrameSplit; n: number }[])
      counts[row.split] = row.n;
    const meta = JSON.parse(r.meta) as { source: Capture['source'] };
    return {
      id: r.id,
      projectId: r.project_id,
      name: r.name,
      kind: r.kind,
      fps: r.fps,
      width: r.width,
      height: r.height,
      frameCount: r.frame_count,
      durationS: r.duration_s,
      cameras,
      createdAt: r.created_at,
      source: meta.source,
      splitCounts: counts,
    };
  }

  list(projectId: string): Capture[] {
    this.projects.get(projectId);
    return (this.lib.db.prepare('SELECT * FROM captures WHERE project_id = ? ORDER BY created_at').all(projectId) as CaptureRow[]).map((r) => this.toCapture(r));
  }

  /** The capture; NOT_FOUND with `missing` as the message when it is gone. */
  get(id: string, missing = 'That capture no longer exists.'): Capture {
    const row = this.lib.db.prepare('SELECT * FROM captures WHERE id = ?').get(id) as CaptureRow | undefined;
    if (!row) throw new StudioError('NOT_FOUND', missing, { id });
    return this.toCapture(row);
  }

  frames(captureId: string, opts: { cameraId?: string; offset: number; limit: number }): { total: number; frames: Frame[] } {
    this.get(captureId);
    const camWhere = opts.cameraId ? 'AND f.camera_id = ?' : '';
    const args: unknown[] = opts.cameraId ? [captureId, opts.cameraId] : [captureId];
    const total = (this.lib.db.prepare(`SELECT COUNT(*) n FROM frames f WHERE f.capture_id = ? ${camWhere}`).get(...args) as { n: number }).n;
    return { total, frames: this.frameRows(captureId, opts) };
  }

  /** Every frame of one camera in index order (the job workers' input); `excluded` false leaves excluded frames out. */
  cameraFrames(captureId: string, cameraId: string, o: { excluded: boolean }): Frame[] {
    return this.frameRows(captureId, { cameraId, offset: 0, limit: -1, excluded: o.excluded });
  }

  /** The capture with this footage (by the source's SHA-256) in a project, if any: re-import detection. */
  findBySource(projectId: string, sha256: string): { id: string; name: string } | null {
    return (this.lib.db.prepare('SELECT id, name FROM captures WHERE project_id = ? AND source_sha256 = ?').get(projectId, sha256) as { id: string; name: string } | undefined) ?? null;
  }

  private frameRows(captureId: string, opts: { cameraId?: string; offset: number; limit: number; excluded?: boolean }): Frame[] {
    const camWhere = opts.cameraId ? 'AND f.camera_id = ?' : '';
    const splitWhere = opts.excluded === false ? `AND f.split != 'excluded'` : '';
    const args: unknown[] = opts.cameraId ? [captureId, opts.cameraId] : [captureId];
    const rows = this.lib.db
      .prepare(
        `SELECT f.idx, f.camera_id, f.time_s, f.split, f.sharpness, f.exposure, f.clipped, b.path AS file, t.path AS thumb, f.width, f.height
         FROM frames f JOIN blobs b ON b.id = f.blob_id LEFT JOIN blobs t ON t.id = f.thumb_blob_id
         JOIN cameras c ON c.id = f.camera_id
         WHERE f.capture_id = ? ${camWhere} ${splitWhere} ORDER BY f.idx, c.idx LIMIT ? OFFSET ?`,
      )
      .all(...args, opts.limit, opts.offset) as FrameRow[];
    return rows.map((r) => ({
      idx: r.idx,
      cameraId: r.camera_id,
      timeS: r.time_s,
      split: r.split,
      sharpness: r.sharpness,
      exposure: r.exposure,
      clipped: r.clipped,
      file: r.file,
      thumb: r.thumb ?? r.file,
      width: r.width,
      height: r.height,
    }));
  }

  setSplit(captureId: string, ranges: FrameRange[], split: FrameSplit): Capture {
    this.lib.assertWritable();
    const capture = this.get(captureId);
    const stmt = this.lib.db.prepare('UPDATE frames SET split = ? WHERE capture_id = ? AND idx BETWEEN ? AND ?');
    this.lib.db.transaction(() => {
      for (const r of ranges) {
        if (r.from >= capture.frameCount) throw new StudioError('BAD_REQUEST', `Frame ${r.from} is past the end of the capture (${capture.frameCount} frames).`);
        stmt.run(split, captureId, r.from, Math.min(r.to, capture.frameCount - 1));
      }
    })();
    return this.get(captureId);
  }

  /** Last `testFraction` of the frames that are not excluded, in time, become test; the others train. */
  proposeSplit(captureId: string, testFraction: number): Capture {
    this.lib.assertWritable();
    const capture = this.get(captureId);
    const cam = capture.cameras[0]?.id ?? null;
    const kept = (this.lib.db.prepare(`SELECT idx FROM frames WHERE capture_id = ? AND camera_id IS ? AND split != 'excluded' ORDER BY idx`).all(captureId, cam) as { idx: number }[]).map((r) => r.idx);
    const nTest = kept.length >= 2 ? Math.max(1, Math.round(kept.length * testFraction)) : 0;
    const firstTest = nTest > 0 ? kept[kept.length - nTest]! : Number.POSITIVE_INFINITY;
    this.lib.db.transaction(() => {
      this.lib.db.prepare(`UPDATE frames SET split = 'train' WHERE capture_id = ? AND split != 'excluded' AND idx < ?`).run(captureId, firstTest === Number.POSITIVE_INFINITY ? 2 ** 31 : firstTest);
      if (nTest > 0) this.lib.db.prepare(`UPDATE frames SET split = 'test' WHERE capture_id = ? AND split != 'excluded' AND idx >= ?`).run(captureId, firstTest);
    })();
    return this.get(captureId);
  }

  /** Excludes frames (all views) whose sharpness in any view is below `relative` × that view's median. */
  excludeBlurry(captureId: string, relative: number): { capture: Capture; excluded: number[] } {
    this.lib.assertWritable();
    const capture = this.get(captureId);
    const blurry = new Set<number>();
    for (const cam of capture.cameras) {
      const rows = this.lib.db.prepare(`SELECT idx, sharpness FROM frames WHERE capture_id = ? AND camera_id = ? AND sharpness IS NOT NULL`).all(captureId, cam.id) as { idx: number; sharpness: number }[];
      const cut = relative * median(rows.map((r) => r.sharpness));
      for (const r of rows) if (r.sharpness < cut) blurry.add(r.idx);
    }
    const newly = (this.lib.db.prepare(`SELECT DISTINCT idx FROM frames WHERE capture_id = ? AND split != 'excluded'`).all(captureId) as { idx: number }[]).map((r) => r.idx).filter((i) => blurry.has(i));
    const stmt = this.lib.db.prepare(`UPDATE frames SET split = 'excluded' WHERE capture_id = ? AND idx = ?`);
    this.lib.db.transaction(() => {
      for (const i of newly) stmt.run(captureId, i);
    })();
    return { capture: this.get(captureId), excluded: newly.sort((a, b) => a - b) };
  }

  rename(id: string, name: string): Capture {
    this.lib.assertWritable();
    this.get(id);
    this.lib.db.prepare('UPDATE captures SET name = ? WHERE id = ?').run(name, id);
    return this.get(id);
  }

  /** Removes the rows (frames cascade), their blob records, then the folder. */
  delete(id: string): void {
    this.lib.assertWritable();
    const capture = this.get(id);
    const folder = `captures/${id}`;
    this.lib.db.transaction(() => {
      this.lib.db.prepare('DELETE FROM captures WHERE id = ?').run(id);
      this.lib.db.prepare(`DELETE FROM blobs WHERE project_id = ? AND (path = ? OR path LIKE ? ESCAPE '\\')`).run(capture.projectId, folder, `${folder}/%`);
      this.lib.db.prepare(`UPDATE projects SET thumbnail = NULL, updated_at = ? WHERE id = ? AND thumbnail LIKE ? ESCAPE '\\'`).run(Date.now(), capture.projectId, `${folder}/%`);
    })();
    fs.rmSync(`${this.projects.folderOf(capture.projectId)}/${folder}`, { recursive: true, force: true });
  }
}

/**
 * The captures repository on a read-only view of the library, for job workers (they read their capture's cameras and
 * frames here rather than with SQL of their own).
 */
export function readCaptures<T>(libraryDir: string, read: (captures: CapturesRepo) => T): T {
  return readLibrary(libraryDir, (lib) => read(new CapturesRepo(lib, new ProjectsRepo(lib))));
}
