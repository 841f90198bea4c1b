/**
 * Worker half of the rendered exports (`mp4`, `png-sequence`) of `avatar.export`: load the avatar and its head,
 * build the sequence (video-sequence.ts), render each frame on a Node Dawn device (video-render.ts) and hand it to
 * the writer (video-writers.ts). Progress per frame (the runner derives the ETA); cancel stops between frames and
 * removes the partial file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import { misboundGaussian, type BoundGaussianData } from '@engine/avatar/binding/bound-gaussians';
import { readHeadTuningExport } from '@engine/avatar/trainer/head-tuning';
import type { GpuJobs } from '@engine/host/gpu-jobs';
import type { GpuSession } from '@engine/host/gpu-sessions';
import { StudioError } from '@shared/api/errors';
import type { WorkerContext } from '../../jobs/worker-context';
import { findFfmpeg } from '../capture/ffmpeg-tools';
import type { StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';
import { HeadRig, type FitFile } from '@engine/avatar/head-rig';
import type { ExportOutput, ExportParams } from './export-types';
import { videoSequence } from './video-sequence';
import { VIDEO_BACKGROUND, type VideoSettings } from './video-types';
import { Mp4Writer, PngSequenceWriter, type FrameWriter } from './video-writers';

export interface VideoInputs {
  avatarBin: Uint8Array;
  space: StoredExpressionSpace;
  fit: FitFile | null;
  headTuning: Uint8Array | null;
}

function readInput(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    throw new StudioError('NOT_FOUND', `${what} (${path.basename(file)}) is missing from the project folder.`);
  }
}

export function readVideoInputs(projectDir: string, files: ExportParams['files']): VideoInputs {
  const abs = (rel: string) => path.join(projectDir, ...rel.split('/'));
  const json = <T>(rel: string, what: string): T => {
    try {
      return JSON.parse(readInput(abs(rel), what).toString('utf8')) as T;
    } catch (err) {
      throw err instanceof StudioError ? err : new StudioError('BAD_REQUEST', `${what} (${path.basename(rel)}) is malformed: ${(err as Error).message}`);
    }
  };
  return {
    avatarBin: new Uint8Array(readInput(abs(files.avatar), "The avatar's file")),
    space: json<StoredExpressionSpace>(files.expressionSpace, "The capture's expression space"),
    fit: files.fit ? json<FitFile>(files.fit, "The capture's tracked motion") : null,
    headTuning: files.headTuning ? new Uint8Array(readInput(abs(files.headTuning), "The avatar's head tuning")) : null,
  };
}

/** The avatar's Gaussians and its head rig (shape + learnt correctives), checked to fit each other; clear errors. */
export function riggedAvatar(inputs: VideoInputs): { data: BoundGaussianData; rig: HeadRig } {
  let data: BoundGaussianData;
  try {
    data = parseAvatarBin(inputs.avatarBin);
  } catch (err) {
    throw new StudioError('BAD_REQUEST', `The avatar's file cannot be read: ${(err as Error).message} Train the avatar again.`);
  }
  const correctives = inputs.headTuning ? readHeadTuningExport(inputs.headTuning).correctives : null;
  const rig = new HeadRig(inputs.space, inputs.fit, correctives);
  const misbound = misboundGaussian(data, rig.model.triangles);
  if (misbound) throw new StudioError('BAD_REQUEST', `The avatar does not fit this head: ${misbound}.`);
  return { data, rig };
}

/** Renders and writes a rendered export; `onFrame(i, n)` after each frame, `cancelled()` checked between frames. */
export async function renderVideo(
  inputs: VideoInputs,
  format: 'mp4' | 'png-sequence',
  settings: VideoSettings,
  target: string,
  gpu: GpuJobs,
  hooks: { onFrame?: (done: number, total: number) => void; throwIfCancelled?: () => void; label?: string } = {},
): Promise<{ size: number; sha256: string; frames: number; gaussians: number }> {
  const { data, rig } = riggedAvatar(inputs);
  const seq = videoSequence(rig, inputs.fit, settings);
  const writer: FrameWriter =
    format === 'mp4'
      ? new Mp4Writer(findFfmpeg().ffmpeg, target, settings)
      : new PngSequenceWriter(target, { width: settings.width, height: settings.height, fps: settings.fps, manifest: { sequence: settings.sequence, ...(hooks.label ? { avatar: hooks.label } : {}) } });
  let renderer: GpuSession<'render'>;
  try {
    renderer = await gpu.open('render', { data, triangles: rig.model.triangles, vertexCount: rig.model.vertexCount });
  } catch (err) {
    writer.abort();
    throw new StudioError('INTERNAL', `No WebGPU device to render the video: ${(err as Error).message}`);
  }
  try {
    for (let i = 0; i < seq.count; i++) {
      hooks.throwIfCancelled?.();
      const f = seq.frame(i);
      const rgba = await renderer.render(f.vertices, f.camera, format === 'mp4' ? { over: VIDEO_BACKGROUND } : 'straight');
      await writer.write(rgba);
      hooks.onFrame?.(i + 1, seq.count);
    }
    hooks.throwIfCancelled?.();
    const out = await writer.finish();
    return { ...out, frames: seq.count, gaussians: data.count };
  } catch (err) {
    writer.abort();
    throw err;
  } finally {
    await renderer.close();
  }
}

/** The `avatar.export` worker for `mp4` / `png-sequence`. */
export async function runVideoExport(ctx: WorkerContext, params: ExportParams): Promise<ExportOutput> {
  const t0 = performance.now();
  if (!ctx.projectDir) throw new StudioError('NOT_FOUND', 'The project of this avatar has no folder any more.');
  if (!params.video || (params.format !== 'mp4' && params.format !== 'png-sequence')) throw new StudioError('BAD_REQUEST', 'A video export needs its settings.');
  ctx.progress({ fraction: 0.01, stage: 'Loading the avatar' });
  const inputs = readVideoInputs(ctx.projectDir, params.files);
  const out = await renderVideo(inputs, params.format, params.video, params.target, ctx.gpu, {
    throwIfCancelled: () => ctx.throwIfCancelled(),
    onFrame: (done, total) => ctx.progress({ fraction: 0.02 + (0.96 * done) / total, stage: `Rendering frame ${done} of ${total}`, done, total, unit: 'frames' }),
    label: params.avatarId,
  });
  return { target: params.target, size: out.size, sha256: out.sha256, gaussians: out.gaussians, dropped: 0, frames: out.frames, seconds: (performance.now() - t0) / 1000 };
}
