/**
 * Worker half of `avatar.drive`: calibrate on the driver's neutral window (a first pass over those frames), then
 * drive every frame through `DrivePipeline` (track → retarget → pose → render) and stream the frames to ffmpeg
 * (H.264 MP4, temp file + rename: `Mp4Writer`). Progress per frame (the runner derives the ETA); cancel stops between
 * frames, kills both ffmpeg processes and removes the partial file.
 */
import { calibrateDriver, type DriverCalibration, type DriverFrame } from '@engine/avatar/reenact';
import { StudioError } from '@shared/api/errors';
import type { WorkerContext, WorkerJob } from '../../jobs/worker-context';
import type { GpuJobs } from '@engine/host/gpu-jobs';
import { findFfmpeg } from '../capture/ffmpeg-tools';
import { readVideoInputs, type VideoInputs } from '../export/video-export';
import { VIDEO_BACKGROUND } from '../export/video-types';
import { Mp4Writer } from '../export/video-writers';
import { DrivePipeline } from './drive-pipeline';
import type { DriveOutput, DriveParams, DriveSettings, DriveSource } from './drive-types';
import { imageFrameSource, openVideoSource, type FrameSource } from './frame-source';
import { fitDriver, sideBySide } from './side-by-side';

export function openDriveSource(source: DriveSource, maxFrames: number | null): Promise<FrameSource> {
  return source.kind === 'video' ? openVideoSource(source.file, { maxFrames }) : Promise.resolve(imageFrameSource(source.frames, source.fps, maxFrames));
}

export interface DriveHooks {
  throwIfCancelled?: () => void;
  onProgress?: (done: number, total: number, stage: string) => void;
}

/** Tracks the calibration window and returns the driver's neutral. */
async function calibrate(pipeline: DrivePipeline, source: FrameSource, s: DriveSettings, hooks: DriveHooks, total: number): Promise<DriverCalibration> {
  const frames: DriverFrame[] = [];
  const last = s.neutralFrame + 3 * s.calibrationFrames;
  try {
    for await (const f of source.frames()) {
      hooks.throwIfCancelled?.();
      if (f.index < s.neutralFrame) continue;
      const tracked = await pipeline.track(f.image, f.index, f.time);
      if (tracked) frames.push(tracked);
      hooks.onProgress?.(f.index - s.neutralFrame + 1, total, 'Calibrating on the driver’s neutral face');
      if (frames.length >= s.calibrationFrames || f.index >= last) break;
    }
  } finally {
    source.close();
  }
  if (!frames.length) throw new StudioError('BAD_REQUEST', `No face was found in frames ${s.neutralFrame}–${last} of the driving footage to calibrate on. Choose footage where the face is visible, or another neutral frame.`);
  pipeline.resetTracking();
  return calibrateDriver(frames);
}

/** Drives the avatar with the source and writes the MP4 (also used by tests without a job). */
export async function driveToMp4(inputs: VideoInputs, params: Pick<DriveParams, 'source' | 'settings' | 'target'>, gpu: GpuJobs, hooks: DriveHooks = {}): Promise<Omit<DriveOutput, 'seconds'>> {
  const s = params.settings;
  const pipeline = await DrivePipeline.create(inputs, { size: s.size, intensity: s.intensity, smoothing: s.smoothing, followPose: s.followPose, mirror: s.mirror, calibrationFrames: s.calibrationFrames }, gpu);
  let writer: Mp4Writer | null = null;
  let source: FrameSource | null = null;
  try {
    const calSource = await openDriveSource(params.source, s.maxFrames);
    const total = Math.min(calSource.count, s.calibrationFrames) + calSource.count;
    const calibration = await calibrate(pipeline, calSource, s, hooks, total);
    pipeline.setCalibration(calibration);
    source = await openDriveSource(params.source, s.maxFrames);
    const width = s.sideBySide ? 2 * s.size : s.size, height = s.size;
    writer = new Mp4Writer(findFfmpeg().ffmpeg, params.target, { width, height, fps: source.fps, crf: s.crf });
    const calDone = Math.min(calSource.count, s.calibrationFrames);
    let frames = 0, tracked = 0, clamped = 0;
    const sum = { trackMs: 0, retargetMs: 0, renderMs: 0, totalMs: 0 };
    for await (const f of source.frames()) {
      hooks.throwIfCancelled?.();
      const r = await pipeline.step(f.image, f.index, f.time);
      const rgba = s.sideBySide ? sideBySide(fitDriver(f.image, s.size, VIDEO_BACKGROUND), r.rgba, s.size) : r.rgba;
      await writer.write(rgba);
      frames++;
      if (r.landmarks) tracked++;
      clamped += r.step.params.clamped / Math.max(1, r.step.params.expression.length);
      for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += r.timings[k];
      hooks.onProgress?.(calDone + frames, Math.max(total, calDone + frames), `Driving frame ${frames} of ${source.count}`);
    }
    hooks.throwIfCancelled?.();
    if (!frames) throw new StudioError('BAD_REQUEST', 'The driving footage has no frames.');
    const out = await writer.finish();
    writer = null;
    const mean = (x: number) => x / frames;
    return {
      target: params.target, size: out.size, sha256: out.sha256, frames, tracked, width, height, fps: source.fps,
      calibration: { frames: calibration.frames, spreadMm: calibration.spreadMm },
      clampedFraction: clamped / frames,
      timings: { trackMs: mean(sum.trackMs), retargetMs: mean(sum.retargetMs), renderMs: mean(sum.renderMs), totalMs: mean(sum.totalMs) },
    };
  } finally {
    writer?.abort();
    source?.close();
    await pipeline.destroy();
  }
}

export const driveAvatarWorker: WorkerJob<DriveParams, null, DriveOutput> = {
  async run(ctx: WorkerContext, params) {
    const t0 = performance.now();
    if (!ctx.projectDir) throw new StudioError('NOT_FOUND', 'The project of this avatar has no folder any more.');
    ctx.progress({ fraction: 0.01, stage: 'Loading the avatar and the tracker' });
    const inputs = readVideoInputs(ctx.projectDir, params.files);
    const out = await driveToMp4(inputs, params, ctx.gpu, {
      throwIfCancelled: () => ctx.throwIfCancelled(),
      onProgress: (done, total, stage) => ctx.progress({ fraction: Math.min(0.99, 0.02 + (0.97 * done) / total), stage, done, total, unit: 'frames' }),
    });
    return { ...out, seconds: (performance.now() - t0) / 1000 };
  },
};
