import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { imageSize } from 'image-size';
import { StudioError } from '@shared/api/errors';
import type { CaptureKind, ImportOptions } from '@shared/model/capture';
import { canResumeJob } from '@shared/model/job';
import type { WorkerContext, WorkerJob } from '../../jobs/worker-context';
import { hashFile, writeFileAtomic } from '../fs/atomic-write';
import { readCalibration, scaleIntrinsics } from './calibration';
import { readCaptures } from './captures-repo';
import { extractFrames, fitSize, frameFileName, type ExtractInput } from './extract-frames';
import type { FrameQuality } from './frame-quality';
import { assertWithinSizeLimit, probeMedia, type MediaInfo } from './probe';

export interface ImportParams {
  projectId: string;
  captureId: string;
  name: string | null;
  multiview: boolean;
  /** Absolute paths (uploads already resolved) with the name to show. */
  sources: { file: string; name: string }[];
  calibration: string | null;
  options: ImportOptions;
}

export interface ImportedFrame {
  idx: number;
  timeS: number;
  file: string;
  thumb: string;
  sha256: string;
  size: number;
  thumbSha256: string;
  thumbSize: number;
  quality: FrameQuality | null;
}

export interface ImportedCamera {
  id: string;
  name: string;
  sourceName: string;
  width: number;
  height: number;
  intrinsics: { fx: number; fy: number; cx: number; cy: number } | null;
  extrinsics: number[] | null;
  frames: ImportedFrame[];
}

export interface ImportOutput {
  kind: CaptureKind;
  name: string;
  fps: number | null;
  width: number;
  height: number;
  durationS: number;
  source: { names: string[]; sha256: string; codec: string | null; fps: number | null; width: number; height: number; rotation: number; variableFrameRate: boolean };
  cameras: ImportedCamera[];
  warnings: string[];
}

interface Checkpoint {
  camera: number;
  framesDone: number;
}

const IMAGE_EXT = /\.(png|jpe?g)$/i;
const VIDEO_EXT = /\.(mp4|m4v|mov|mkv|webm|avi|mts|m2ts|mxf)$/i;
/** Relative folder of a capture inside its project while it is assembled, and once committed. */
export const capturePartialDir = (captureId: string) => `captures/${captureId}.partial`;
export const captureDir = (captureId: string) => `captures/${captureId}`;

interface CameraPlan {
  id: string;
  sourceName: string;
  input: ExtractInput;
  info: MediaInfo;
  expectedFrames: number;
}

function naturalSort(names: string[]): string[] {
  return [...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' }));
}

function imageFilesOf(dir: string): string[] {
  const files = naturalSort(fs.readdirSync(dir).filter((f) => IMAGE_EXT.test(f) && !f.startsWith('.')));
  if (files.length === 0) throw new StudioError('BAD_REQUEST', `The folder “${path.basename(dir)}” has no PNG or JPEG images.`);
  return files.map((f) => path.join(dir, f));
}

/** Checks an image sequence is one size; the message lists the sizes found so the artist can fix the folder. */
function checkImageSizes(files: string[]): { width: number; height: number } {
  const sizes = new Map<string, number>();
  let first: { width: number; height: number } | null = null;
  for (const f of files) {
    let dim: { width?: number; height?: number };
    try {
      dim = imageSize(fs.readFileSync(f));
    } catch {
      throw new StudioError('BAD_REQUEST', `“${path.basename(f)}” is not a readable PNG or JPEG image.`);
    }
    assertWithinSizeLimit(path.basename(f), dim.width ?? 0, dim.height ?? 0);
    const key = `${dim.width}×${dim.height}`;
    sizes.set(key, (sizes.get(key) ?? 0) + 1);
    first ??= { width: dim.width ?? 0, height: dim.height ?? 0 };
  }
  if (sizes.size > 1) {
    const list = [...sizes.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} (${n})`).join(', ');
    throw new StudioError('BAD_REQUEST', `The images have different sizes: ${list}. Use images of one size in a sequence, or import them separately.`);
  }
  return first!;
}

async function planCameras(params: ImportParams): Promise<{ kind: CaptureKind; cameras: CameraPlan[] }> {
  const expanded = params.sources.map((s) => {
    if (!fs.existsSync(s.file)) throw new StudioError('NOT_FOUND', `“${s.name}” is no longer there. It may have been moved or deleted; choose it again.`);
    return { ...s, isDir: fs.statSync(s.file).isDirectory() };
  });
  const dirs = expanded.filter((s) => s.isDir);
  const images = expanded.filter((s) => !s.isDir && IMAGE_EXT.test(s.file));
  const others = expanded.filter((s) => !s.isDir && !IMAGE_EXT.test(s.file));

  if (dirs.length + images.length > 0 && others.length > 0) throw new StudioError('BAD_REQUEST', 'Import videos and images separately: a capture is either a video (or several for multi-view) or an image sequence.');
  if (dirs.length > 1 || (dirs.length === 1 && images.length > 0)) throw new StudioError('BAD_REQUEST', 'Import one folder of images at a time.');

  if (dirs.length === 1 || images.length > 0) {
    const files = dirs.length === 1 ? imageFilesOf(dirs[0]!.file) : naturalSort(images.map((i) => i.file));
    if (new Set(files.map((f) => (/\.png$/i.test(f) ? 'png' : 'jpeg'))).size > 1)
      throw new StudioError('BAD_REQUEST', 'The sequence mixes PNG and JPEG images. Convert them to one format, then import again.');
    const size = checkImageSizes(files);
    const info = await probeMedia(files[0]!);
    const kind: CaptureKind = files.length === 1 ? 'photo' : 'images';
    const sourceName = dirs.length === 1 ? dirs[0]!.name : files.length === 1 ? images[0]!.name : `${files.length} images`;
    return { kind, cameras: [{ id: 'cam0', sourceName, input: { kind: 'images', files }, info: { ...info, width: size.width, height: size.height }, expectedFrames: files.length }] };
  }

  if (others.length > 1 && !params.multiview)
    throw new StudioError('BAD_REQUEST', `${others.length} videos were given. Import them one at a time, or as one multi-view capture if they are synchronised views of the same take.`);
  const cameras: CameraPlan[] = [];
  for (const [i, s] of others.entries()) {
    const info = await probeMedia(s.file);
    if (info.kind === 'image') throw new StudioError('BAD_REQUEST', `“${s.name}” is an image; import images as an image sequence.`);
    if (!VIDEO_EXT.test(s.file) && !info.codec) throw new StudioError('BAD_REQUEST', `“${s.name}” is not a video.`);
    cameras.push({ id: `cam${i}`, sourceName: s.name, input: { kind: 'video', file: s.file }, info, expectedFrames: 0 });
  }
  return { kind: others.length > 1 ? 'multiview' : 'video', cameras };
}

/** SHA-256 of the footage (of the file, or of the per-file hashes for several files), with progress. */
async function hashSources(ctx: WorkerContext, plan: CameraPlan[]): Promise<string> {
  const files = plan.flatMap((c) => (c.input.kind === 'video' ? [c.input.file] : c.input.files));
  const total = files.reduce((s, f) => s + fs.statSync(f).size, 0) || 1;
  const digests: string[] = [];
  let done = 0;
  for (const f of files) {
    ctx.throwIfCancelled();
    const h = createHash('sha256');
    for await (const chunk of fs.createReadStream(f, { highWaterMark: 4 << 20 })) {
      h.update(chunk as Buffer);
      done += (chunk as Buffer).length;
      ctx.progress({ fraction: 0.05 * (done / total), stage: 'Reading footage', done: Math.round(done / 1e6), total: Math.round(total / 1e6), unit: 'MB' });
    }
    digests.push(h.digest('hex'));
  }
  return digests.length === 1 ? digests[0]! : createHash('sha256').update(digests.join('\n')).digest('hex');
}

/**
 * Import: check the footage (kind, sizes, decodability), hash it (re-import detection), extract frames with
 * thumbnails and quality metrics per camera into `captures/<id>.partial/`, then index the files. The host commits
 * the capture from this job's output in one transaction; nothing is in the library before that.
 */
export const importCaptureWorker: WorkerJob<ImportParams, Checkpoint, ImportOutput> = {
  async run(ctx, params, checkpoint) {
    try {
      return await importCapture.run(ctx, params, checkpoint);
    } catch (err) {
      // A refusal of the footage itself fails the job for good (no Resume): nothing will continue from the frames
      // extracted so far. Other failures (a crash, a full disk, a source put back later) keep them for the resume;
      // a cancel or a full disk has the host discard them.
      if (ctx.projectDir && err instanceof StudioError && !canResumeJob({ status: 'failed', error: err.toShape() }))
        fs.rmSync(path.join(ctx.projectDir, capturePartialDir(params.captureId)), { recursive: true, force: true });
      throw err;
    }
  },
};

const importCapture: WorkerJob<ImportParams, Checkpoint, ImportOutput> = {
  async run(ctx, params, checkpoint) {
    if (!ctx.projectDir) throw new StudioError('NOT_FOUND', 'The project of this import no longer exists.');
    ctx.progress({ fraction: 0, stage: 'Checking footage' });
    const { kind, cameras } = await planCameras(params);
    const delayMs = Number(process.env.AVATAR_STUDIO_TEST_JOB_DELAY_MS ?? 0);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    const sha256 = await hashSources(ctx, cameras);
    if (!params.options.allowDuplicate) {
      const dup = readCaptures(ctx.libraryDir, (captures) => captures.findBySource(params.projectId, sha256));
      if (dup) throw new StudioError('CONFLICT', `This footage is already in the project as “${dup.name}”. Import it again only if you mean to (allow duplicates).`, { captureId: dup.id, final: true });
    }

    const ref = cameras[0]!.info;
    const sourceFps = kind === 'video' || kind === 'multiview' ? Math.min(...cameras.map((c) => c.info.fps ?? 30)) : null;
    const fps = params.options.fps ?? (sourceFps ? Math.min(30, sourceFps) : kind === 'photo' ? 1 : 30);
    const size = fitSize(ref.width, ref.height, params.options.longSide);
    for (const c of cameras) {
      if (c.input.kind === 'video') c.expectedFrames = Math.max(1, Math.floor(c.info.durationS * fps + 1e-6));
      if (cameras.length > 1 && (c.info.width !== ref.width || c.info.height !== ref.height))
        throw new StudioError('BAD_REQUEST', `The views of a multi-view capture must share one size; “${c.sourceName}” is ${c.info.width}×${c.info.height}, “${cameras[0]!.sourceName}” is ${ref.width}×${ref.height}.`);
    }
    const calibration = params.calibration ? readCalibration(params.calibration, cameras.map((c) => c.sourceName)) : null;

    const partial = path.join(ctx.projectDir, capturePartialDir(params.captureId));
    const totalFrames = cameras.reduce((s, c) => s + c.expectedFrames, 0);
    const qualities: FrameQuality[][] = cameras.map(() => []);
    const startCamera = checkpoint?.camera ?? 0;
    let framesBefore = cameras.slice(0, startCamera).reduce((s, c) => s + c.expectedFrames, 0);
    const warnings: string[] = [];

    for (let ci = 0; ci < cameras.length; ci++) {
      const cam = cameras[ci]!;
      const dir = path.join(partial, cam.id);
      const qualityFile = path.join(dir, 'quality.json');
      if (ci < startCamera) {
        qualities[ci] = JSON.parse(fs.readFileSync(qualityFile, 'utf8')) as FrameQuality[];
        continue;
      }
      let startIdx = 0;
      if (ci === startCamera && checkpoint && fs.existsSync(qualityFile)) {
        const saved = JSON.parse(fs.readFileSync(qualityFile, 'utf8')) as FrameQuality[];
        startIdx = Math.min(saved.length, checkpoint.framesDone);
        qualities[ci] = saved.slice(0, startIdx);
      }
      let lastCheckpoint = Date.now();
      const saveCheckpoint = (framesDone: number) => {
        writeFileAtomic(qualityFile, JSON.stringify(qualities[ci]!.slice(0, framesDone)));
        ctx.checkpoint({ camera: ci, framesDone } satisfies Checkpoint);
      };
      await extractFrames({
        input: cam.input,
        outDir: dir,
        fps,
        width: size.width,
        height: size.height,
        startIdx,
        signal: ctx.signal,
        onFrame: (idx, q) => {
          qualities[ci]![idx] = q;
          const done = framesBefore + idx + 1;
          ctx.progress({ fraction: 0.05 + 0.85 * Math.min(1, done / totalFrames), stage: cameras.length > 1 ? `Extracting frames (view ${ci + 1} of ${cameras.length})` : 'Extracting frames', done, total: totalFrames, unit: 'frames' });
          // Checkpoint a frame behind the newest: its JPEG may still be being written.
          if (Date.now() - lastCheckpoint > 1000 && idx > 0) {
            lastCheckpoint = Date.now();
            saveCheckpoint(idx);
          }
        },
      });
      const produced = qualities[ci]!.length;
      if (produced === 0) throw new StudioError('BAD_REQUEST', `No frames could be decoded from “${cam.sourceName}”. The file may be damaged.`);
      if (cam.input.kind === 'video' && produced < 0.9 * cam.expectedFrames)
        warnings.push(`Only ${produced} of about ${cam.expectedFrames} frames of “${cam.sourceName}” could be decoded; the file may be truncated.`);
      saveCheckpoint(produced);
      framesBefore += cam.expectedFrames;
    }

    // Synchronised views keep the frames all views have.
    const frameCount = Math.min(...qualities.map((q) => q.length));
    if (cameras.length > 1 && qualities.some((q) => q.length !== frameCount)) warnings.push(`The views differ in length; the first ${frameCount} frames of each are kept.`);
    const capture = captureDir(params.captureId);
    const out: ImportedCamera[] = [];
    let indexed = 0;
    for (const [ci, cam] of cameras.entries()) {
      const frames: ImportedFrame[] = [];
      for (let idx = 0; idx < frameCount; idx++) {
        ctx.throwIfCancelled();
        const name = frameFileName(idx);
        const full = hashFile(path.join(partial, cam.id, 'frames', name));
        const thumb = hashFile(path.join(partial, cam.id, 'thumbs', name));
        frames.push({
          idx,
          timeS: idx / fps,
          file: `${capture}/${cam.id}/frames/${name}`,
          thumb: `${capture}/${cam.id}/thumbs/${name}`,
          sha256: full.sha256,
          size: full.size,
          thumbSha256: thumb.sha256,
          thumbSize: thumb.size,
          quality: qualities[ci]![idx] ?? null,
        });
        if (++indexed % 50 === 0) ctx.progress({ fraction: 0.9 + 0.1 * (indexed / (frameCount * cameras.length)), stage: 'Indexing frames', done: indexed, total: frameCount * cameras.length, unit: 'frames' });
      }
      for (const extra of fs.readdirSync(path.join(partial, cam.id, 'frames')).filter((f) => Number.parseInt(f, 10) >= frameCount)) {
        fs.rmSync(path.join(partial, cam.id, 'frames', extra), { force: true });
        fs.rmSync(path.join(partial, cam.id, 'thumbs', extra), { force: true });
      }
      const calib = calibration?.[ci] ?? null;
      out.push({
        id: cam.id,
        name: cameras.length > 1 ? `View ${ci + 1}` : 'Camera',
        sourceName: cam.sourceName,
        width: size.width,
        height: size.height,
        intrinsics: calib ? scaleIntrinsics(calib, size.width, size.height) : null,
        extrinsics: calib ? calib.extrinsics : null,
        frames,
      });
    }
    const baseName = params.name ?? (cameras.length > 1 ? `${cameras.length}-view capture` : cameras[0]!.sourceName.replace(/\.[^.]+$/, ''));
    return {
      kind,
      name: baseName,
      fps: kind === 'photo' ? null : fps,
      width: size.width,
      height: size.height,
      durationS: kind === 'photo' ? 0 : frameCount / fps,
      source: { names: cameras.map((c) => c.sourceName), sha256, codec: ref.codec ?? null, fps: sourceFps, width: ref.width, height: ref.height, rotation: ref.rotation, variableFrameRate: cameras.some((c) => c.info.variableFrameRate) },
      cameras: out,
      warnings,
    };
  },
};
