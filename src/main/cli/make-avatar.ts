import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import type { Avatar, TrainingOverrides, TrainingPreset } from '@shared/model/avatar';
import type { Capture } from '@shared/model/capture';
import type { Job } from '@shared/model/job';
import type { Project } from '@shared/model/project';
import type { CliContext } from './cli-context';
import { EXIT } from './exit-codes';

export interface MakeAvatarOptions {
  project?: string;
  preset: TrainingPreset;
  overrides: TrainingOverrides;
  /** Import: frames per second kept and stored long side. */
  fps?: number;
  importLongSide?: number;
  /** Start every stage afresh instead of resuming an unfinished job of the same stage. */
  resume: boolean;
}

type StageName = 'import' | 'track' | 'train';
/** How a stage was satisfied: done now, reused from an earlier run, or an unfinished job resumed. */
interface StageReport {
  status: 'done' | 'reused' | 'resumed' | 'cancelled' | 'failed' | 'interrupted' | 'paused';
  seconds: number;
  job: string | null;
}

export interface MakeAvatarOut {
  json: unknown;
  text: string;
  exitCode: number;
}

const UNFINISHED = ['interrupted', 'cancelled', 'paused'];

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The project named by --project (created when there is none by that name), else a new one named after the video. */
async function projectFor(ctx: CliContext, ref: string | undefined, video: string): Promise<{ project: Project; created: boolean }> {
  if (ref) {
    try {
      return { project: await ctx.resolveProject(ref), created: false };
    } catch (err) {
      if (!(err instanceof StudioError) || err.code !== 'NOT_FOUND') throw err;
      return { project: await ctx.call('projects.create', { name: ref }), created: true };
    }
  }
  const base = path.basename(video, path.extname(video)).trim() || 'Avatar';
  const taken = new Set((await ctx.call('projects.list', { trashed: false })).map((p) => p.name.toLowerCase()));
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base} ${i}`;
  return { project: await ctx.call('projects.create', { name }), created: true };
}

/** The newest job of a kind that stopped before finishing (interrupted, cancelled, paused) and matches. */
async function unfinishedJob(ctx: CliContext, projectId: string, kind: Job['kind'], match: (j: Job) => boolean): Promise<Job | null> {
  const jobs = await ctx.call('jobs.list', { projectId, includeFinished: true });
  return jobs.filter((j) => j.kind === kind && UNFINISHED.includes(j.status) && match(j)).sort((a, b) => b.createdAt - a.createdAt)[0] ?? null;
}

/**
 * `make-avatar VIDEO`: import → track (open head) → train (with evaluation on the test split), each a job followed with
 * a progress bar on stderr. With --project, what an earlier run left is reused: the capture of the same footage (by
 * content hash), its tracking, and an unfinished (interrupted, cancelled or paused) job of a stage is resumed rather
 * than started again. Ctrl+C cancels the running job; running the same command again picks up from there.
 */
export async function makeAvatar(ctx: CliContext, videoArg: string, o: MakeAvatarOptions): Promise<MakeAvatarOut> {
  const video = path.resolve(videoArg);
  if (!fs.existsSync(video)) throw new StudioError('NOT_FOUND', `No such file: ${video}`);
  if (!fs.statSync(video).isFile()) throw new StudioError('BAD_REQUEST', `${video} is not a video file.`);
  const t0 = performance.now();
  const stages: Partial<Record<StageName, StageReport>> = {};
  const say = (line: string) => process.stderr.write(`${line}\n`);

  // Ctrl+C between jobs stops before the next stage (during a job, followJob cancels that job); twice stops at once,
  // leaving the job interrupted (signals.ts).
  let stopRequested = false;
  const withdraw = ctx.onSignal(['SIGINT'], () => {
    stopRequested = true;
  });
  try {
    const { project, created } = await projectFor(ctx, o.project, video);
    say(`${created ? 'Created' : 'Using'} project “${project.name}” (${project.id})`);
    const resumeHint = `Run again to continue: avatar-studio make-avatar ${JSON.stringify(videoArg)} --project ${JSON.stringify(project.name)}`;
    const base = () => ({ project: { id: project.id, name: project.name }, stages, seconds: +((performance.now() - t0) / 1000).toFixed(1) });

    /** Follows a stage's job; on anything but completion returns the command's output for it. */
    const follow = async (stage: StageName, label: string, started: Job, resumed: boolean): Promise<{ job: Job } | { stop: MakeAvatarOut }> => {
      const t = performance.now();
      const { job, exitCode } = await ctx.followJob(started, label);
      const seconds = +((performance.now() - t) / 1000).toFixed(1);
      if (job.status === 'completed') {
        stages[stage] = { status: resumed ? 'resumed' : 'done', seconds, job: job.id };
        return { job };
      }
      stages[stage] = { status: job.status as StageReport['status'], seconds, job: job.id };
      const why = job.error?.message ? `: ${job.error.message}` : '';
      if (job.status !== 'failed') say(resumeHint);
      return { stop: { json: { ...base(), failedStage: stage, job, error: job.error }, text: `${label} ${job.status}${why}`, exitCode } };
    };
    const stoppedBetweenStages = (next: StageName): MakeAvatarOut | null => {
      if (!stopRequested) return null;
      say(resumeHint);
      return { json: { ...base(), failedStage: next, error: { code: 'CANCELLED', message: 'Cancelled' } }, text: `Cancelled before the ${next} stage.`, exitCode: EXIT.cancelled };
    };

    // 1. Import (or the capture of the same footage from an earlier run).
    const hash = await sha256File(video);
    let stop = stoppedBetweenStages('import');
    if (stop) return stop;
    let capture: Capture | undefined = (await ctx.call('captures.list', { projectId: project.id })).find((c) => c.source.sha256 === hash);
    if (capture) {
      stages.import = { status: 'reused', seconds: 0, job: null };
      say(`[1/3] Import: reusing capture “${capture.name}” (${capture.frameCount} frames)`);
    } else {
      const label = '[1/3] Import';
      const pending = o.resume ? await unfinishedJob(ctx, project.id, 'capture.import', (j) => j.title.includes(`“${path.basename(video)}”`)) : null;
      const started = pending ? await ctx.call('jobs.resume', { id: pending.id }) : await ctx.call('captures.import', { projectId: project.id, sources: [{ path: video }], options: { fps: o.fps, longSide: o.importLongSide ?? 1024, allowDuplicate: false } });
      const r = await follow('import', label, started, !!pending);
      if ('stop' in r) {
        // A project made by this run for footage that cannot be imported would only be clutter: it goes to the trash.
        if (created && r.stop.exitCode !== EXIT.cancelled && r.stop.exitCode !== EXIT.jobInterrupted) {
          await ctx.call('projects.trash', { id: project.id }).then(() => say(`Moved the new project “${project.name}” to the trash.`), () => undefined);
        }
        return r.stop;
      }
      capture = await ctx.call('captures.get', { id: (r.job.result as { captureId: string }).captureId });
    }
    // Evaluation needs test frames: the import proposes the last 20 %; a capture whose split has none gets that proposal.
    if (capture.splitCounts.test === 0 && capture.frameCount >= 2) {
      capture = await ctx.call('captures.proposeSplit', { captureId: capture.id, testFraction: 0.2 });
      say(`No test frames in “${capture.name}”: the last 20 % (${capture.splitCounts.test} frames) are now the test split.`);
    }
    const captureId = capture.id;

    // 2. Track with the open head (reuse a finished tracking unless a newer one was left unfinished).
    stop = stoppedBetweenStages('track');
    if (stop) return stop;
    let summary = await ctx.call('tracking.summary', { captureId });
    const pendingTrack = o.resume ? await unfinishedJob(ctx, project.id, 'capture.track', (j) => j.captureId === captureId && (!summary || j.createdAt > summary.trackedAt)) : null;
    if (summary && summary.headModel === 'open-head' && !pendingTrack) {
      stages.track = { status: 'reused', seconds: 0, job: null };
      say(`[2/3] Track: reusing the tracking of “${capture.name}” (${summary.tracked}/${summary.frames} frames)`);
    } else {
      const started = pendingTrack ? await ctx.call('jobs.resume', { id: pendingTrack.id }) : await ctx.call('tracking.start', { captureId, headModel: 'open-head' });
      const r = await follow('track', '[2/3] Track', started, !!pendingTrack);
      if ('stop' in r) return r.stop;
      summary = await ctx.call('tracking.summary', { captureId });
    }

    // 3. Train (its job evaluates the test frames at the end); an unfinished training of this capture resumes.
    stop = stoppedBetweenStages('train');
    if (stop) return stop;
    const pendingTrain = o.resume ? await unfinishedJob(ctx, project.id, 'avatar.train', (j) => j.captureId === captureId) : null;
    if (pendingTrain) say(`[3/3] Train: resuming the unfinished training ${pendingTrain.id} with its own settings (--no-resume starts a new one)`);
    const started = pendingTrain ? await ctx.call('jobs.resume', { id: pendingTrain.id }) : await ctx.call('training.start', { captureId, preset: o.preset, overrides: o.overrides });
    const r = await follow('train', '[3/3] Train', started, !!pendingTrain);
    if ('stop' in r) return r.stop;
    const result = r.job.result as { avatarId: string; metrics: { psnr: number; ssim: number } | null; trackedMetrics?: { psnr: number; ssim: number } | null; fullFrame?: { psnr: number; ssim: number } | null; headMattePsnr?: number | null; steps: number; resumedFrom?: number; gaussians: number; trainFrames: number; skippedFrames: number; testFrames: number };
    const avatar: Avatar | undefined = (await ctx.call('avatars.list', { projectId: project.id })).find((a) => a.id === result.avatarId);
    const m = result.metrics;
    const json = {
      ...base(),
      capture: { id: captureId, name: capture.name, frames: capture.frameCount, width: capture.width, height: capture.height, split: capture.splitCounts },
      tracking: summary ? { tracked: summary.tracked, frames: summary.frames, meanFitErrorPx: summary.meanFitErrorPx } : null,
      avatar: avatar ?? { id: result.avatarId },
      /** Over a square crop around the head (the INSTA protocol's figure). */
      metrics: m,
      /** With test-time fitting: the same figures before it, with the tracked head parameters. */
      trackedMetrics: result.trackedMetrics ?? null,
      fullFrame: result.fullFrame ?? null,
      headMattePsnr: result.headMattePsnr ?? null,
      preset: o.preset,
      steps: result.steps,
      resumedFrom: result.resumedFrom ?? 0,
      gaussians: result.gaussians,
      trainFrames: result.trainFrames,
      testFrames: result.testFrames,
      skippedFrames: result.skippedFrames,
    };
    const timing = (Object.entries(stages) as [StageName, StageReport][]).map(([k, s]) => `${k} ${s.status === 'reused' ? 'reused' : `${s.seconds.toFixed(0)} s`}`).join(', ');
    const text =
      `Avatar ${result.avatarId} of “${project.name}”: ${result.steps} steps, ${result.gaussians} Gaussians, ${result.trainFrames} train frames` +
      `${m ? `; test PSNR ${m.psnr.toFixed(2)} dB, SSIM ${m.ssim.toFixed(3)} over the head crop of ${result.testFrames} frames${result.trackedMetrics ? ` after test-time fitting (tracked: ${result.trackedMetrics.psnr.toFixed(2)} dB, ${result.trackedMetrics.ssim.toFixed(3)})` : ''}${result.fullFrame ? ` (whole frame ${result.fullFrame.psnr.toFixed(2)} dB)` : ''}` : '; no test frames to evaluate'} (${timing})`;
    return { json, text, exitCode: EXIT.ok };
  } finally {
    withdraw();
  }
}
