import fs from 'node:fs';
import path from 'node:path';
import type { Capture } from '@shared/model/capture';
import type { TrackedFrame, TrackingOverlay, TrackingSummary } from '@shared/model/tracking';
import { rodrigues } from '@engine/avatar/math';
import type { OpenHead } from '@engine/avatar/open-head/build';
import { openHeadFor, type StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';
import type { Library } from '../library/library';
import type { CapturesRepo } from '../capture/captures-repo';
import type { ProjectsRepo } from '../projects/projects-repo';
import { ALL_POINTS } from './tracker';
import { noFittedHeadMessage, readNoFitState } from './no-fit-message';
import { trackingDir } from './tracking-paths';

interface FitFile {
  headModel: string;
  shape: number[];
  intrinsics: { fx: number; fy: number; cx: number; cy: number };
  frames: { idx: number; rotation: number[]; translation: number[]; expression: number[]; jaw: number[]; eyes: number[]; errorPx: number }[];
}

/** Tracking results: rows in `tracks` (one per frame and camera) and files under `captures/<id>/tracking/`. */
export class TrackingRepo {
  private openHead: { file: string; model: OpenHead } | null = null;

  constructor(
    private readonly lib: Library,
    private readonly projects: ProjectsRepo,
    private readonly captures: CapturesRepo,
  ) {}

  summary(captureId: string): TrackingSummary | null {
    const meta = JSON.parse((this.lib.db.prepare('SELECT meta FROM captures WHERE id = ?').pluck().get(captureId) as string | undefined) ?? '{}') as { tracking?: TrackingSummary };
    this.captures.get(captureId);
    if (!meta.tracking) return null;
    const t = meta.tracking;
    return {
      frames: t.frames,
      tracked: t.tracked,
      headModel: t.headModel,
      meanFitErrorPx: t.meanFitErrorPx,
      untracked: t.untracked,
      warnings: t.warnings,
      trackedAt: t.trackedAt,
      pick: t.pick ?? null,
      messages: t.messages ?? [],
    };
  }

  /** Why the capture has no open-head fit to train on (never tracked, no face found, too few faces, no fit…). */
  whyNoFittedHead(captureId: string): string {
    return noFittedHeadMessage(readNoFitState(this.lib.db, captureId));
  }

  frames(captureId: string, opts: { cameraId?: string; offset: number; limit: number }): { total: number; frames: TrackedFrame[] } {
    this.captures.get(captureId);
    const camWhere = opts.cameraId ? 'AND f.camera_id = ?' : '';
    const args: unknown[] = opts.cameraId ? [captureId, opts.cameraId] : [captureId];
    const total = (this.lib.db.prepare(`SELECT COUNT(*) FROM tracks t JOIN frames f ON f.id = t.frame_id WHERE f.capture_id = ? ${camWhere}`).pluck().get(...args) as number) ?? 0;
    const rows = this.lib.db
      .prepare(`SELECT t.data FROM tracks t JOIN frames f ON f.id = t.frame_id JOIN cameras c ON c.id = f.camera_id WHERE f.capture_id = ? ${camWhere} ORDER BY f.idx, c.idx LIMIT ? OFFSET ?`)
      .pluck()
      .all(...args, opts.limit, opts.offset) as string[];
    return { total, frames: rows.map((r) => JSON.parse(r) as TrackedFrame) };
  }

  /** Landmarks (from the binary file, random access) and the fitted open head projected into the frame. */
  overlay(captureId: string, cameraId: string, idx: number, withTriangles = true): TrackingOverlay {
    const capture = this.captures.get(captureId);
    const camKey = cameraId.split(':').at(-1)!;
    const dir = path.join(this.projects.folderOf(capture.projectId), trackingDir(captureId), camKey);
    const row = this.lib.db
      .prepare('SELECT t.data FROM tracks t JOIN frames f ON f.id = t.frame_id WHERE f.capture_id = ? AND f.camera_id = ? AND f.idx = ?')
      .pluck()
      .get(captureId, cameraId, idx) as string | undefined;
    const frame = row ? (JSON.parse(row) as TrackedFrame) : null;
    if (!frame?.tracked) return { idx, cameraId, tracked: false, landmarks: null, mesh: null };
    const order = this.frameOrder(captureId, cameraId, idx);
    const bytes = ALL_POINTS * 3 * 4;
    const buf = Buffer.alloc(bytes);
    const fd = fs.openSync(path.join(dir, 'landmarks.f32'), 'r');
    try {
      fs.readSync(fd, buf, 0, bytes, order * bytes);
    } finally {
      fs.closeSync(fd);
    }
    const lm = new Float32Array(buf.buffer, buf.byteOffset, ALL_POINTS * 3);
    const landmarks: number[] = [];
    for (let i = 0; i < ALL_POINTS; i++) landmarks.push(+lm[i * 3]!.toFixed(2), +lm[i * 3 + 1]!.toFixed(2));
    return { idx, cameraId, tracked: true, landmarks, mesh: this.projectedMesh(path.join(dir, 'fit.json'), path.join(dir, '..', 'expression-space.json'), idx, withTriangles) };
  }

  private frameOrder(captureId: string, cameraId: string, idx: number): number {
    return this.lib.db.prepare('SELECT COUNT(*) FROM frames WHERE capture_id = ? AND camera_id = ? AND idx < ?').pluck().get(captureId, cameraId, idx) as number;
  }

  private projectedMesh(fitFile: string, spaceFile: string, idx: number, withTriangles: boolean): TrackingOverlay['mesh'] {
    if (!fs.existsSync(fitFile) || !fs.existsSync(spaceFile)) return null;
    const fit = JSON.parse(fs.readFileSync(fitFile, 'utf8')) as FitFile;
    const f = fit.frames.find((x) => x.idx === idx);
    if (!f || fit.headModel !== 'open-head') return null;
    // The subject's open head is rebuilt from its stored expression space, and kept for the next frames.
    const stamp = `${spaceFile}:${fs.statSync(spaceFile).mtimeMs}`;
    if (this.openHead?.file !== stamp) this.openHead = { file: stamp, model: openHeadFor(JSON.parse(fs.readFileSync(spaceFile, 'utf8')) as StoredExpressionSpace) };
    const model = this.openHead.model;
    const joints = new Float64Array(15);
    joints.set(f.jaw, 6);
    joints.set(f.eyes, 9);
    const v = model.evaluate({ shape: fit.shape, expression: f.expression, jointRotations: joints });
    const R = rodrigues(f.rotation[0]!, f.rotation[1]!, f.rotation[2]!);
    const K = fit.intrinsics;
    const vertices: number[] = [];
    for (let i = 0; i < model.vertexCount; i++) {
      const x = v[i * 3]!, y = v[i * 3 + 1]!, z = v[i * 3 + 2]!;
      const X = R[0]! * x + R[1]! * y + R[2]! * z + f.translation[0]!;
      const Y = R[3]! * x + R[4]! * y + R[5]! * z + f.translation[1]!;
      const Z = R[6]! * x + R[7]! * y + R[8]! * z + f.translation[2]!;
      vertices.push(+((K.fx * X) / Z + K.cx).toFixed(2), +((K.fy * Y) / Z + K.cy).toFixed(2));
    }
    return { vertices, triangles: withTriangles ? [...model.triangles] : null };
  }

  /** Excludes frames (all views) that have no track or a fit error above the limit. */
  excludeBadlyTracked(captureId: string, maxFitErrorPx: number): { capture: Capture; excluded: number[] } {
    this.lib.assertWritable();
    this.captures.get(captureId);
    const rows = this.lib.db
      .prepare(`SELECT f.idx, t.data, t.fit_error FROM frames f LEFT JOIN tracks t ON t.frame_id = f.id WHERE f.capture_id = ? AND f.split != 'excluded'`)
      .all(captureId) as { idx: number; data: string | null; fit_error: number | null }[];
    if (!rows.some((r) => r.data !== null)) return { capture: this.captures.get(captureId), excluded: [] };
    const bad = new Set<number>();
    for (const r of rows) {
      const tracked = r.data ? (JSON.parse(r.data) as TrackedFrame).tracked : false;
      if (!tracked || (r.fit_error !== null && r.fit_error > maxFitErrorPx)) bad.add(r.idx);
    }
    const excluded = [...bad].sort((a, b) => a - b);
    const stmt = this.lib.db.prepare(`UPDATE frames SET split = 'excluded' WHERE capture_id = ? AND idx = ?`);
    this.lib.db.transaction(() => excluded.forEach((i) => stmt.run(captureId, i)))();
    return { capture: this.captures.get(captureId), excluded };
  }
}
