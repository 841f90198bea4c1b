import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '@shared/api/errors';
import { ExportFormat, type ExportRecord, type ExportSettings, type VideoExportSettings } from '@shared/model/export';
import { exportFormatInfo, exportFormatsOfKind } from '@shared/model/export-formats';
import type { JobDefinition } from '../../jobs/job-definition';
import { newId } from '../library/ids';
import type { StudioServices } from '../studio-services';
import { avatarWithFiles } from '../training/avatar-files';
import { EXPORTS_DIR, type ExportOutput, type ExportParams, type JobExportFormat } from './export-types';
import type { VideoFormat } from './video-types';
import { resolveVideoSettings, VideoParams, videoTargetName, videoTitle } from './video-request';
import { DataParams, isDataFormat, prepareDataExport } from './data-export-request';
import { requireContainedPath } from '../fs/contained-path';
import { preparePlayerExport } from './player-request';

const Output = z.object({ target: z.string(), size: z.number().int(), sha256: z.string(), gaussians: z.number().int(), dropped: z.number().int(), seconds: z.number(), frames: z.number().int().optional() });

/** `avatar.export`: the worker poses the avatar and writes the file; the commit records it in `exports`. */
export const exportAvatarJob: JobDefinition<ExportParams, ExportOutput> = {
  kind: 'avatar.export',
  params: z.object({
    exportId: z.string(),
    projectId: z.string(),
    avatarId: z.string(),
    format: ExportFormat,
    frame: z.number().int().nullable(),
    expression: z.array(z.number()).nullable(),
    files: z.object({ avatar: z.string(), expressionSpace: z.string(), fit: z.string().nullable(), headTuning: z.string().nullable().optional() }),
    video: VideoParams.nullable().optional(),
    data: DataParams.nullable().optional(),
    target: z.string(),
  }),
  title: (p) => {
    const f = exportFormatInfo(p.format);
    if (f.kind === 'video' && p.video) return videoTitle(p.format as VideoFormat, p.video);
    return f.kind === 'static' ? `${f.title} (${p.frame !== null ? `frame ${p.frame}` : p.expression ? 'expression' : 'neutral'})` : f.title;
  },
  projectDir: (p, s) => s.projects.folderOf(p.projectId),
  commit(s: StudioServices, job, raw) {
    const out = Output.parse(raw);
    const p = job.params as ExportParams;
    const settings = { frame: p.frame, expression: p.expression, gaussians: out.gaussians, ...(p.video ? { video: p.video, frames: out.frames } : {}), ...(p.data && out.frames !== undefined ? { frames: out.frames } : {}), ...(p.data && p.data.frameStep !== 1 ? { frameStep: p.data.frameStep } : {}) };
    const stored = recordExport(s, { id: p.exportId, projectId: p.projectId, avatarId: p.avatarId, format: p.format, settings, target: out.target, size: out.size });
    return { exportId: p.exportId, path: stored, size: out.size, gaussians: out.gaussians, dropped: out.dropped, seconds: out.seconds, ...(out.frames !== undefined ? { frames: out.frames } : {}) };
  },
};

export interface ExportRequest {
  avatarId: string;
  format: ExportFormat;
  frame?: number;
  expression?: number[];
  /** Absolute target file; default `<project>/exports/<avatar>-<pose>.<ext>`. */
  path?: string;
  /** `mp4` / `png-sequence` settings (defaults in video-types.ts). */
  video?: VideoExportSettings;
  /** `mesh-obj` / `mesh-gltf`: every n-th tracked frame (default 1: all). */
  frameStep?: number;
}

/** Checks an export request and turns it into the job's params (host side; the files are resolved here). */
export function prepareExport(s: Pick<StudioServices, 'avatars' | 'captures' | 'projects'>, r: ExportRequest): ExportParams {
  const fmt = exportFormatInfo(r.format);
  const rendered = fmt.kind === 'video';
  const noVideo = () => {
    if (r.video && !rendered) throw new StudioError('BAD_REQUEST', `Video settings apply to ${exportFormatsOfKind('video').join(' and ')} exports, not ${r.format}.`);
  };
  if (isDataFormat(r.format)) {
    noVideo();
    return prepareDataExport(s, { ...r, format: r.format });
  }
  if (r.frameStep !== undefined) throw new StudioError('BAD_REQUEST', `A frame step applies to the ${exportFormatsOfKind('mesh').join(' and ')} exports.`);
  noVideo();
  if (r.format === 'player') return preparePlayerExport(s, r);
  if (rendered && r.frame !== undefined) throw new StudioError('BAD_REQUEST', 'A video is a sequence: choose turntable (with an expression or neutral) or tracked, not a frame.');
  if (r.frame !== undefined && r.expression !== undefined) throw new StudioError('BAD_REQUEST', 'Give a frame or an expression, not both.');
  const info = avatarWithFiles(s, r.avatarId);
  if (info.avatar.headModel !== 'open-head') throw new StudioError('BAD_REQUEST', `This avatar is bound to the ${info.avatar.headModel} head model; only open-head avatars can be exported.`);
  if (!info.files.expressionSpace) throw new StudioError('CONFLICT', "The capture's tracking (its expression space) is gone, so the avatar's head cannot be built. Track the capture again.");
  const fit = info.files.fits[0]?.path ?? null;
  if (r.frame !== undefined && !fit) throw new StudioError('CONFLICT', 'The capture has no tracked frames any more: export the neutral head or an expression instead.');
  const format = r.format as JobExportFormat;
  const video = rendered ? resolveVideoSettings(r.video ?? {}, r.expression ?? null, info) : null;
  const root = s.projects.folderOf(info.avatar.projectId);
  if (r.frame !== undefined && fit) {
    let idxs: number[] = [];
    try {
      idxs = (JSON.parse(fs.readFileSync(path.join(root, ...fit.split('/')), 'utf8')) as { frames: { idx: number }[] }).frames.map((f) => f.idx);
    } catch {
      throw new StudioError('CONFLICT', `The capture's tracked motion (${fit}) cannot be read; track the capture again.`);
    }
    if (!idxs.includes(r.frame))
      throw new StudioError('BAD_REQUEST', `Frame ${r.frame} has no tracked fit${idxs.length ? ` (tracked frames: ${Math.min(...idxs)}–${Math.max(...idxs)})` : ''}.`);
  }
  const pose = r.frame !== undefined ? `frame${r.frame}` : r.expression ? 'expression' : 'neutral';
  let target: string;
  if (r.path) {
    if (!path.isAbsolute(r.path)) throw new StudioError('BAD_REQUEST', `The export path must be absolute: ${r.path}`);
    target = r.path;
  } else {
    const slug = info.avatar.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'avatar';
    const name = video ? videoTargetName(format as VideoFormat, video) : `${pose}${fmt.target}`;
    target = path.join(root, EXPORTS_DIR, `${slug}-v${info.avatar.version}-${name}`);
  }
  return {
    exportId: newId(),
    projectId: info.avatar.projectId,
    avatarId: r.avatarId,
    format,
    frame: r.frame ?? null,
    expression: r.expression ?? null,
    files: { avatar: info.files.avatar, expressionSpace: info.files.expressionSpace, fit, headTuning: info.files.headTuning },
    ...(video ? { video } : {}),
    target,
  };
}

/**
 * Records a written export in the library's `exports` table (inside a job's commit); returns the path as stored:
 * project-relative when the file is inside the project folder, else absolute.
 */
export function recordExport(s: Pick<StudioServices, 'library' | 'projects'>, e: { id: string; projectId: string; avatarId: string; format: ExportFormat; settings: object; target: string; size: number }): string {
  const rel = path.relative(s.projects.folderOf(e.projectId), e.target);
  const stored = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : e.target;
  s.library.db
    .prepare('INSERT INTO exports (id, project_id, avatar_id, format, settings, path, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(e.id, e.projectId, e.avatarId, e.format, JSON.stringify(e.settings), stored, e.size, Date.now());
  return stored;
}

/** `exports.list`: the project's exports, newest first. */
export function listExports(s: Pick<StudioServices, 'library' | 'projects'>, projectId: string): ExportRecord[] {
  s.projects.get(projectId);
  const rows = s.library.db.prepare('SELECT * FROM exports WHERE project_id = ? ORDER BY created_at DESC, id').all(projectId) as Record<string, unknown>[];
  return rows.map(toRecord);
}

export function getExport(s: Pick<StudioServices, 'library'>, id: string): ExportRecord {
  const row = s.library.db.prepare('SELECT * FROM exports WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  if (!row) throw new StudioError('NOT_FOUND', `No export with id ${id}.`);
  return toRecord(row);
}

/** The request that repeats an export with its recorded settings (same format, pose and place). */
export function repeatRequest(s: Pick<StudioServices, 'library' | 'projects'>, id: string): ExportRequest {
  const e = getExport(s, id);
  if (e.settings.drive) throw new StudioError('BAD_REQUEST', 'This video was driven by footage: drive the avatar again (drive.start; CLI `avatar-studio drive`).');
  if (!e.avatarId) throw new StudioError('CONFLICT', 'The avatar of this export was deleted; it cannot be exported again.');
  const settings: ExportSettings = e.settings;
  const target = e.path ? (path.isAbsolute(e.path) ? e.path : requireContainedPath(s.projects.folderOf(e.projectId), e.path, 'The recorded export path')) : undefined;
  return { avatarId: e.avatarId, format: e.format, ...(settings.frame !== null ? { frame: settings.frame } : {}), ...(settings.expression ? { expression: settings.expression } : {}), ...(target ? { path: target } : {}), ...(e.settings.video ? { video: e.settings.video } : {}), ...(e.settings.frameStep ? { frameStep: e.settings.frameStep } : {}) };
}

function toRecord(row: Record<string, unknown>): ExportRecord {
  return {
    id: row.id as string,
    projectId: row.project_id as string,
    avatarId: (row.avatar_id as string | null) ?? null,
    format: row.format as ExportFormat,
    settings: JSON.parse(row.settings as string),
    path: (row.path as string | null) ?? null,
    size: (row.size as number | null) ?? null,
    createdAt: row.created_at as number,
  };
}
