import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '@shared/api/errors';
import { BakeSummary } from '@shared/model/bake';
import type { JobDefinition } from '../../jobs/job-definition';
import { commitFolder } from '../fs/folder-commit';
import type { StudioServices } from '../studio-services';
import { avatarWithFiles } from '../training/avatar-files';
import { bakeDir, bakeFilePaths, bakePartialDir, BAKE_FILES } from './bake-paths';
import { DEFAULT_BAKE, MAX_BAKE_STEPS, type BakeOutput, type BakeParams } from './bake-types';

const Output = z.object({ files: z.array(z.string()), summary: BakeSummary });

/**
 * `avatar.bake`: the worker bakes into `avatars/<id>/bake.partial/`; the commit swaps it in for `bake/` (the previous
 * bake is replaced only now, on success). Cancel and failure remove the partial folder.
 */
export const bakeAvatarJob: JobDefinition<BakeParams, BakeOutput> = {
  kind: 'avatar.bake',
  params: z.object({
    projectId: z.string(),
    avatarId: z.string(),
    captureId: z.string(),
    mapSize: z.union([z.literal(256), z.literal(512), z.literal(1024)]),
    steps: z.number().int().min(0),
    levels: z.number().int().min(1),
    maxViews: z.number().int().min(1),
    maxHeldOut: z.number().int().min(0),
    imageLongSide: z.number().int().min(8),
    frameSubject: z.boolean().default(false),
    holdOutCamera: z.string().nullable(),
    files: z.object({ avatar: z.string(), expressionSpace: z.string() }),
  }),
  title: (p, s) => `Bake ${s.avatars.label(p.avatarId)} into ${p.mapSize}² texture maps`,
  projectDir: (p, s) => s.projects.folderOf(p.projectId),
  commit(s: StudioServices, job, raw) {
    const out = Output.parse(raw);
    const p = job.params as BakeParams;
    const root = s.projects.folderOf(p.projectId);
    const partial = path.join(root, bakePartialDir(p.avatarId));
    const final = path.join(root, bakeDir(p.avatarId));
    for (const f of Object.values(BAKE_FILES))
      if (!fs.existsSync(path.join(partial, f))) throw new StudioError('INTERNAL', `The bake's ${f} went missing before it could be recorded. Bake again.`);
    // The previous bake stays aside until the project's edited time is recorded, and comes back on a failure.
    commitFolder({ partial, final, journal: s.library.commits, record: () => s.projects.touch(p.projectId) });
    return out.summary;
  },
  discard(s, job) {
    const p = job.params as BakeParams;
    try {
      fs.rmSync(path.join(s.projects.folderOf(p.projectId), bakePartialDir(p.avatarId)), { recursive: true, force: true });
    } catch {
      // the project is gone
    }
  },
};

export interface BakeRequest {
  avatarId: string;
  mapSize?: 256 | 512 | 1024;
  steps?: number;
  levels?: number;
}

const ACTIVE = new Set(['queued', 'running', 'paused', 'interrupted']);

/** The unfinished (queued, running, paused, interrupted) training and bake jobs of an avatar. */
export function activeAvatarJobs(s: Pick<StudioServices, 'jobs'>, avatarId: string): { training: boolean; baking: boolean; bakeInterrupted: boolean } {
  const jobs = s.jobs.list({ includeFinished: false }).filter((j) => ACTIVE.has(j.status) && (j.params as { avatarId?: string }).avatarId === avatarId);
  const bakes = jobs.filter((j) => j.kind === 'avatar.bake');
  return { training: jobs.some((j) => j.kind === 'avatar.train'), baking: bakes.length > 0, bakeInterrupted: bakes.length > 0 && bakes.every((j) => j.status === 'interrupted') };
}

/** CONFLICT while the avatar trains or is being baked (texture edits call this too: `doing` says what was refused). */
export function assertAvatarIdle(s: Pick<StudioServices, 'jobs'>, avatarId: string, doing = 'bake it'): void {
  const active = activeAvatarJobs(s, avatarId);
  if (active.training) throw new StudioError('CONFLICT', `This avatar is still training; ${doing} once training has finished.`);
  if (active.baking) throw new StudioError('CONFLICT', `This avatar is being baked; ${doing} once the bake has finished (or cancel it).`);
}

/** Checks a bake request and turns it into the job's params (host side). */
export function prepareBake(s: Pick<StudioServices, 'avatars' | 'captures' | 'projects' | 'jobs'>, r: BakeRequest): BakeParams {
  const active = activeAvatarJobs(s, r.avatarId);
  if (active.bakeInterrupted) throw new StudioError('CONFLICT', 'An earlier bake of this avatar was interrupted; resume it or cancel it (Jobs) before baking again.');
  if (active.baking) throw new StudioError('CONFLICT', 'This avatar is already being baked; wait for that bake to finish or cancel it.');
  assertAvatarIdle(s, r.avatarId);
  const info = avatarWithFiles(s, r.avatarId);
  const a = info.avatar;
  if (a.headModel !== 'open-head') throw new StudioError('BAD_REQUEST', `This avatar is bound to the ${a.headModel} head model; only open-head avatars (which have a UV layout) can be baked.`);
  if (!a.captureId) throw new StudioError('CONFLICT', 'This avatar has no capture any more: a bake renders it at the capture’s tracked frames. Train it again from a tracked capture.');
  try {
    s.captures.get(a.captureId);
  } catch (err) {
    if (err instanceof StudioError && err.code === 'NOT_FOUND') throw new StudioError('CONFLICT', 'The capture this avatar was trained on is gone: a bake renders the avatar at its tracked frames. Train again from a tracked capture.');
    throw err;
  }
  if (!info.files.expressionSpace) throw new StudioError('CONFLICT', "The capture's tracking (its expression space) is gone, so the avatar's head cannot be built. Track the capture again, then bake.");
  if (info.files.fits.length === 0) throw new StudioError('CONFLICT', 'The capture has no tracked frames to bake from. Track the capture again, then bake.');
  const steps = r.steps ?? DEFAULT_BAKE.steps;
  if (!(Number.isInteger(steps) && steps >= 0 && steps <= MAX_BAKE_STEPS)) throw new StudioError('BAD_REQUEST', `Steps must be a whole number from 0 to ${MAX_BAKE_STEPS}, got ${steps}.`);
  const mapSize = r.mapSize ?? DEFAULT_BAKE.mapSize;
  const levels = r.levels ?? DEFAULT_BAKE.levels;
  if (!(Number.isInteger(levels) && levels >= 1 && levels <= 6)) throw new StudioError('BAD_REQUEST', `Levels must be a whole number from 1 to 6, got ${levels}.`);
  const root = s.projects.folderOf(a.projectId);
  let meta: { image?: { w: number; h: number }; holdOutCamera?: string | null; config?: { frameSubject?: boolean } };
  try {
    meta = JSON.parse(fs.readFileSync(path.join(root, ...info.files.meta.split('/')), 'utf8'));
  } catch (err) {
    throw new StudioError('CONFLICT', `The avatar's ${info.files.meta} cannot be read (${(err as Error).message}); train the avatar again.`);
  }
  if (!meta.image || !(meta.image.w > 0 && meta.image.h > 0)) throw new StudioError('CONFLICT', `The avatar's ${info.files.meta} does not record its training image size; train the avatar again.`);
  return {
    projectId: a.projectId,
    avatarId: a.id,
    captureId: a.captureId,
    mapSize,
    steps,
    levels,
    maxViews: DEFAULT_BAKE.maxViews,
    maxHeldOut: DEFAULT_BAKE.maxHeldOut,
    imageLongSide: Math.max(meta.image.w, meta.image.h),
    frameSubject: meta.config?.frameSubject ?? false, // avatars trained before framing saw whole frames
    holdOutCamera: meta.holdOutCamera ?? null,
    files: { avatar: info.files.avatar, expressionSpace: info.files.expressionSpace },
  };
}

/** `bake.report`: the avatar's last finished bake (report.json), NOT_FOUND before the first. */
export function bakeReport(s: Pick<StudioServices, 'avatars' | 'projects'>, avatarId: string): BakeSummary {
  const a = s.avatars.get(avatarId);
  const files = bakeFilePaths(avatarId);
  const file = path.join(s.projects.folderOf(a.projectId), ...files.report.split('/'));
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    throw new StudioError('NOT_FOUND', 'This avatar has not been baked yet.');
  }
  try {
    return BakeSummary.parse(JSON.parse(raw));
  } catch (err) {
    throw new StudioError('CONFLICT', `The bake's report ${files.report} cannot be read (${(err as Error).message.slice(0, 200)}); bake the avatar again.`);
  }
}
