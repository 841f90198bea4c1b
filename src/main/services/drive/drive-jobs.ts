/**
 * Host half of `avatar.drive`: `prepareDrive` checks the request (the avatar, the driving video or library capture,
 * the settings, the target) and resolves the files; the job's commit records the MP4 as an `exports` row (format
 * `mp4`, settings `{ drive: {…} }`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '@shared/api/errors';
import type { JobDefinition } from '../../jobs/job-definition';
import { recordExport } from '../export/export-jobs';
import { EXPORTS_DIR } from '../export/export-types';
import { newId } from '../library/ids';
import type { StudioServices } from '../studio-services';
import { avatarWithFiles } from '../training/avatar-files';
import { DRIVE_DEFAULTS, type DriveOutput, type DriveParams, type DriveSettings, type DriveSource } from './drive-types';

export interface DriveRequest extends Partial<DriveSettings> {
  avatarId: string;
  /** Absolute path of a driving video… */
  video?: string;
  /** …or a capture of the library (any project): cross-reenactment. */
  captureId?: string;
  /** Absolute target .mp4 (default `<project>/exports/<avatar>-v<version>-drive-<source>.mp4`). */
  path?: string;
}

const Settings = z.object({
  size: z.number().int().min(16).max(2048),
  sideBySide: z.boolean(),
  intensity: z.number().min(0).max(3),
  smoothing: z.number().min(0).max(1),
  followPose: z.boolean(),
  mirror: z.boolean(),
  neutralFrame: z.number().int().min(0),
  calibrationFrames: z.number().int().min(1).max(300),
  crf: z.number().int().min(0).max(51),
  maxFrames: z.number().int().min(1).nullable(),
});

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'driver';

export function prepareDrive(s: Pick<StudioServices, 'avatars' | 'captures' | 'projects'>, r: DriveRequest): DriveParams {
  if ((r.video === undefined) === (r.captureId === undefined)) throw new StudioError('BAD_REQUEST', 'Give the driver as a video file or a capture of the library (one of them).');
  const settings = { ...DRIVE_DEFAULTS } as DriveSettings;
  for (const k of Object.keys(DRIVE_DEFAULTS) as (keyof DriveSettings)[]) if (r[k] !== undefined) (settings as unknown as Record<string, unknown>)[k] = r[k];
  if (settings.size % 2) throw new StudioError('BAD_REQUEST', `The size must be even (H.264 in yuv420p needs it), not ${settings.size}.`);
  const checked = Settings.safeParse(settings);
  if (!checked.success) throw new StudioError('BAD_REQUEST', `Drive settings: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const info = avatarWithFiles(s, r.avatarId);
  if (info.avatar.headModel !== 'open-head') throw new StudioError('BAD_REQUEST', `This avatar is bound to the ${info.avatar.headModel} head model; only open-head avatars can be driven.`);
  if (!info.files.expressionSpace) throw new StudioError('CONFLICT', "The capture's tracking (its expression space) is gone, so the avatar's head cannot be driven. Track the capture again.");
  let source: DriveSource;
  let sourceName: string;
  if (r.video !== undefined) {
    if (!path.isAbsolute(r.video)) throw new StudioError('BAD_REQUEST', `The driving video's path must be absolute: ${r.video}`);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(r.video);
    } catch {
      throw new StudioError('NOT_FOUND', `The driving video ${r.video} does not exist.`);
    }
    if (!stat.isFile()) throw new StudioError('BAD_REQUEST', `The driving video ${r.video} is not a file.`);
    source = { kind: 'video', file: r.video };
    sourceName = path.basename(r.video).replace(/\.[^.]+$/, '');
  } else {
    const capture = s.captures.get(r.captureId!);
    const cam = capture.cameras[0];
    const rows = s.captures.frames(capture.id, { cameraId: cam?.id, offset: 0, limit: 1_000_000 }).frames;
    if (!rows.length) throw new StudioError('CONFLICT', `The capture “${capture.name}” has no frames to drive with.`);
    const root = s.projects.folderOf(capture.projectId);
    const fps = capture.fps ?? 25;
    source = { kind: 'capture', captureId: capture.id, name: capture.name, fps, frames: rows.map((f, i) => ({ file: path.join(root, ...f.file.split('/')), time: f.timeS ?? i / fps })) };
    sourceName = capture.name;
  }
  let target: string;
  if (r.path) {
    if (!path.isAbsolute(r.path)) throw new StudioError('BAD_REQUEST', `The output path must be absolute: ${r.path}`);
    if (!r.path.toLowerCase().endsWith('.mp4')) throw new StudioError('BAD_REQUEST', `The output must be an .mp4 file: ${r.path}`);
    target = r.path;
  } else {
    const root = s.projects.folderOf(info.avatar.projectId);
    target = path.join(root, EXPORTS_DIR, `${slug(info.avatar.name)}-v${info.avatar.version}-drive-${slug(sourceName)}.mp4`);
  }
  return {
    driveId: newId(),
    projectId: info.avatar.projectId,
    avatarId: r.avatarId,
    files: { avatar: info.files.avatar, expressionSpace: info.files.expressionSpace, fit: info.files.fits[0]?.path ?? null, headTuning: info.files.headTuning },
    source,
    settings,
    target,
  };
}

const Output = z.object({
  target: z.string(), size: z.number().int(), sha256: z.string(), frames: z.number().int(), tracked: z.number().int(), width: z.number().int(), height: z.number().int(), fps: z.number(),
  calibration: z.object({ frames: z.number().int(), spreadMm: z.number() }), clampedFraction: z.number(),
  timings: z.object({ trackMs: z.number(), retargetMs: z.number(), renderMs: z.number(), totalMs: z.number() }), seconds: z.number(),
});

const FileSource = z.object({ file: z.string(), time: z.number() });

/** `avatar.drive`: the worker renders the MP4; the commit records it in `exports`. */
export const driveAvatarJob: JobDefinition<DriveParams, DriveOutput> = {
  kind: 'avatar.drive',
  params: z.object({
    driveId: z.string(),
    projectId: z.string(),
    avatarId: z.string(),
    files: z.object({ avatar: z.string(), expressionSpace: z.string(), fit: z.string().nullable(), headTuning: z.string().nullable().optional() }),
    source: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('video'), file: z.string() }),
      z.object({ kind: z.literal('capture'), captureId: z.string(), name: z.string(), fps: z.number(), frames: z.array(FileSource) }),
    ]),
    settings: Settings,
    target: z.string(),
  }),
  title: (p) => `Drive the avatar with ${p.source.kind === 'video' ? path.basename(p.source.file) : `the capture “${p.source.name}”`}${p.settings.sideBySide ? ' (side by side)' : ''}`,
  projectDir: (p, s) => s.projects.folderOf(p.projectId),
  commit(s: StudioServices, job, raw) {
    const out = Output.parse(raw);
    const p = job.params as DriveParams;
    const drive = { source: p.source.kind === 'video' ? { video: p.source.file } : { captureId: p.source.captureId, name: p.source.name }, ...p.settings, tracked: out.tracked, calibration: out.calibration };
    const settings = { frame: null, expression: null, frames: out.frames, drive };
    const stored = recordExport(s, { id: p.driveId, projectId: p.projectId, avatarId: p.avatarId, format: 'mp4', settings, target: out.target, size: out.size });
    return { exportId: p.driveId, path: stored, size: out.size, frames: out.frames, tracked: out.tracked, width: out.width, height: out.height, fps: out.fps, calibration: out.calibration, clampedFraction: out.clampedFraction, timings: out.timings, seconds: out.seconds };
  },
};
