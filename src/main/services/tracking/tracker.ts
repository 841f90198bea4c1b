/**
 * The studio's face tracker: the platform-neutral per-frame pipeline (`FrameTracker`, native/tracking/frame-tracker.ts)
 * on onnxruntime-node sessions, and `trackFrames` over a list of frame files or images. Pure: frames in, results out;
 * the `capture.track` job wraps it and stores the results.
 *
 * Robustness: a frame that cannot be decoded, holds no face, or whose crop the mesh rejects is returned untracked
 * with a reason, never thrown; the next frame re-detects. Only a missing model set or an abort throws.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FrameTracker, MESH_POINTS, type ModelBackend } from '@tracking/frame-tracker';
import type { ModelName } from '@tracking/models';
import type { FrameTrack, RgbImage, TrackFrameInput, TrackOptions, TrackProgress, TrackSummary, TrackWarning, UntrackedReason } from '@tracking/types';
import { encodeMaskPng, readImage, resizeMask } from './image';
import { loadModels, run1, type ModelSet } from './models';

export { ALL_POINTS, estimatePose, landmarkBox, MESH_POINTS } from '@tracking/frame-tracker';

/** ONNX Runtime sessions as a tracker backend (outputs in the session's output order). */
function sessionBackend(models: ModelSet): ModelBackend {
  return {
    async run(name, input, dims) {
      const session = models.sessions[name];
      if (!session) throw new Error(`tracking model ${name} is not loaded`);
      return Object.values(await run1(session, input, dims));
    },
  };
}

/** The studio's tracker: `FrameTracker` on onnxruntime-node sessions. */
export class Tracker extends FrameTracker {
  private constructor(
    private readonly models: ModelSet,
    options: TrackOptions,
  ) {
    super(sessionBackend(models), options);
  }

  static async create(options: TrackOptions = {}): Promise<Tracker> {
    const names: ModelName[] = ['blazeface', 'facemesh'];
    if (options.iris ?? true) names.push('iris');
    if (options.mask ?? true) names.push('selfie');
    const models = await loadModels(names, options.modelsDir, options.threads);
    return new Tracker(models, options);
  }

  async dispose() {
    await this.models.release();
  }
}

/**
 * Tracks a list of frames in order (temporal smoothing and tracking need the order). Never throws for a bad frame;
 * throws `ModelsMissingError` when the models are not built, and an AbortError when `signal` aborts.
 */
export async function trackFrames(frames: TrackFrameInput[], options: TrackOptions = {}, onProgress?: TrackProgress): Promise<{ frames: FrameTrack[]; summary: TrackSummary }> {
  const tracker = await Tracker.create(options);
  const out: FrameTrack[] = [];
  const fps = options.fps ?? 30;
  try {
    if (options.maskDir) fs.mkdirSync(options.maskDir, { recursive: true });
    for (let i = 0; i < frames.length; i++) {
      options.signal?.throwIfAborted();
      const f = frames[i]!;
      const time = f.time ?? i / fps;
      let img: RgbImage | undefined = f.image;
      let frame: FrameTrack;
      if (!img) {
        try {
          if (!f.path) throw new Error('frame has neither path nor image');
          img = readImage(f.path);
        } catch (err) {
          tracker.reset();
          frame = { index: i, time, width: 0, height: 0, tracked: false, reason: 'decode-failed', warnings: [], faces: [], chosenFace: -1, detectorRan: false, confidence: 0, brightness: 0, ms: 0 };
          void err;
          out.push(frame);
          onProgress?.(i + 1, frames.length, frame);
          continue;
        }
      }
      frame = await tracker.track(img, i, time);
      if (options.maskDir && frame.mask) {
        const name = `mask-${String(i).padStart(6, '0')}.png`;
        fs.writeFileSync(path.join(options.maskDir, name), encodeMaskPng(resizeMask(frame.mask, img.width, img.height)));
        frame.maskFile = name;
      }
      out.push(frame);
      onProgress?.(i + 1, frames.length, frame);
    }
  } finally {
    await tracker.dispose();
  }
  return { frames: out, summary: summarize(out) };
}

export function summarize(frames: FrameTrack[]): TrackSummary {
  const untracked: Record<UntrackedReason, number> = { 'no-face': 0, 'low-confidence': 0, 'too-dark': 0, 'decode-failed': 0 };
  const warnings: Record<TrackWarning, number> = { 'several-faces': 0, 'partial-face': 0, profile: 0, dark: 0, redetected: 0 };
  const speeds: number[] = [];
  let prev: FrameTrack | undefined;
  for (const f of frames) {
    if (f.reason) untracked[f.reason]++;
    for (const w of f.warnings) warnings[w]++;
    if (f.tracked && prev?.tracked && prev.landmarks && f.landmarks && f.index === prev.index + 1) {
      let s = 0;
      for (let i = 0; i < MESH_POINTS; i++) s += Math.hypot(f.landmarks[3 * i]! - prev.landmarks[3 * i]!, f.landmarks[3 * i + 1]! - prev.landmarks[3 * i + 1]!);
      speeds.push(s / MESH_POINTS);
    }
    prev = f;
  }
  const tracked = frames.filter((f) => f.tracked).length;
  speeds.sort((a, b) => a - b);
  const messages: string[] = [];
  const n = frames.length;
  if (n && !tracked) messages.push('No face was tracked in any frame. Check that the footage shows a face, lit and in focus.');
  if (untracked['no-face']) messages.push(`${untracked['no-face']} frame(s) with no face found; they are flagged and left out of training.`);
  if (untracked['too-dark']) messages.push(`${untracked['too-dark']} frame(s) too dark to find a face; they are flagged.`);
  if (untracked['low-confidence']) messages.push(`${untracked['low-confidence']} frame(s) where the face could not be confirmed (turned away, blurred or covered).`);
  if (untracked['decode-failed']) messages.push(`${untracked['decode-failed']} frame file(s) could not be read.`);
  if (warnings['several-faces']) messages.push(`Several faces in ${warnings['several-faces']} frame(s): the largest is tracked; pick another face to change it.`);
  if (warnings['partial-face']) messages.push(`The face leaves the frame in ${warnings['partial-face']} frame(s).`);
  if (warnings.profile) messages.push(`${warnings.profile} frame(s) in strong profile: landmarks on the far side are estimates.`);
  return {
    frames: n,
    tracked,
    detectionRate: n ? tracked / n : 0,
    untracked,
    warnings,
    medianLandmarkSpeed: speeds.length ? speeds[Math.floor(speeds.length / 2)]! : 0,
    messages,
  };
}
