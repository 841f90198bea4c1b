import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import type { TrackedFrame } from '@shared/model/tracking';
import { fitCapture } from '@engine/avatar/fitting/fit';
import { CAPTURE_FIT_OPTIONS } from './capture-fit-options';
import { learnExpressionSpace } from '@engine/avatar/open-head/expression-space';
import type { HeadModel } from '@engine/avatar/head-model';
import { loadFlameFile } from '../settings/load-flame-file';
import { openHeadFor, serializeExpressionSpace } from '@engine/avatar/open-head/stored-space';
import type { WorkerContext, WorkerJob } from '../../jobs/worker-context';
import { readCaptures } from '../capture/captures-repo';
import { hashFile, writeFileAtomic } from '../fs/atomic-write';
import { refineCameraFit, type PhotometricSummary } from './photometric-refine-step';
import { encodeMaskPng, readImage, resizeMask } from './image';
import { ModelsMissingError } from './models';
import { noFaceError } from './no-fit-message';
import { ALL_POINTS, summarize, Tracker } from './tracker';
import type { FrameTrack } from '@tracking/types';

export interface TrackParams {
  projectId: string;
  captureId: string;
  mask: boolean;
  fit: boolean;
  pick?: { x: number; y: number };
  /** Default 'open-head'. With 'flame', `flame` holds the checked files from settings. */
  headModel?: 'open-head' | 'flame';
  flame?: { modelPath: string; embeddingPath: string };
  /** Refine each frame's pose, expression and jaw photometrically through the GPU engine after the landmark fit (see `refineCameraFit`). */
  photometricRefine?: boolean;
}

/** FLAME components fitted (of 300 shape / 100 expression): enough for landmarks, and the solve stays small. */
const FLAME_SHAPE_COMPONENTS = 100;
const FLAME_EXPRESSION_COMPONENTS = 50;

export interface TrackedCameraOutput {
  cameraId: string;
  frames: TrackedFrame[];
  files: { path: string; sha256: string; size: number }[];
}

export interface TrackOutput {
  cameras: TrackedCameraOutput[];
  headModel: string;
  summary: { frames: number; tracked: number; untracked: Record<string, number>; warnings: Record<string, number>; meanFitErrorPx: number | null };
  messages: string[];
}

import { trackingDir, trackingPartialDir } from './tracking-paths';

/** The capture's cameras with all their frames, through the captures repository on a read-only view of the library. */
function readCapture(libraryDir: string, captureId: string) {
  return readCaptures(libraryDir, (captures) => {
    const capture = captures.get(captureId, 'The capture to track no longer exists.');
    const cameras = capture.cameras.map((c) => ({
      id: c.id,
      width: c.width,
      height: c.height,
      intrinsics: c.intrinsics,
      frames: captures.cameraFrames(captureId, c.id, { excluded: true }).map((f) => ({ idx: f.idx, file: f.file, time_s: f.timeS })),
    }));
    return { fps: capture.fps ?? 30, cameras };
  });
}

const NAN_LANDMARKS = new Float32Array(ALL_POINTS * 3).fill(Number.NaN);

/**
 * Tracks every frame of every camera with the face models (detector, mesh, iris, person mask), then fits the open
 * head to the landmarks. Writes `tracking.partial/<camera>/{landmarks.f32, frames.json, fit.json, masks/}`; the
 * host records the per-frame results and swaps the folder in.
 */
export const trackCaptureWorker: WorkerJob<TrackParams, null, TrackOutput> = {
  async run(ctx: WorkerContext, params) {
    if (!ctx.projectDir) throw new StudioError('NOT_FOUND', 'The project of this capture no longer exists.');
    const { fps, cameras } = readCapture(ctx.libraryDir, params.captureId);
    const partial = path.join(ctx.projectDir, trackingPartialDir(params.captureId));
    fs.rmSync(partial, { recursive: true, force: true });
    const totalFrames = cameras.reduce((s, c) => s + c.frames.length, 0);
    const refine = params.fit && params.photometricRefine === true;
    const trackShare = params.fit ? (refine ? 0.5 : 0.8) : 0.97;
    /** Of the fit's share of the progress, the landmark fit's part (the rest is the photometric refinement). */
    const landmarkShare = refine ? 0.25 : 0.97;
    const allTracks: FrameTrack[] = [];
    const fitErrors: number[] = [];
    const messages: string[] = [];
    let done = 0;

    // Pass 1: landmarks, masks and per-frame flags for every view.
    const perCamera: { cam: (typeof cameras)[number]; camKey: string; dir: string; tracks: FrameTrack[]; landmarks: Float32Array }[] = [];
    for (const cam of cameras) {
      const camKey = cam.id.split(':').at(-1)!;
      const dir = path.join(partial, camKey);
      const maskDir = path.join(dir, 'masks');
      fs.mkdirSync(maskDir, { recursive: true });
      let tracker: Tracker;
      try {
        tracker = await Tracker.create({ mask: params.mask, fps, pick: params.pick });
      } catch (err) {
        if (err instanceof ModelsMissingError) throw new StudioError('INTERNAL', 'The face-tracking models are not installed. Run `npm run models:build` (or reinstall Avatar Studio), then resume.');
        throw err;
      }
      const landmarks = new Float32Array(cam.frames.length * ALL_POINTS * 3);
      const tracks: FrameTrack[] = [];
      try {
        for (const [i, f] of cam.frames.entries()) {
          ctx.throwIfCancelled();
          let t: FrameTrack;
          try {
            const img = readImage(path.join(ctx.projectDir, f.file));
            t = await tracker.track(img, i, f.time_s);
            if (t.mask) {
              const name = `${String(f.idx).padStart(6, '0')}.png`;
              fs.writeFileSync(path.join(maskDir, name), encodeMaskPng(resizeMask(t.mask, img.width, img.height)));
              t.maskFile = name;
            }
          } catch (err) {
            if (ctx.signal.aborted) throw err;
            tracker.reset();
            t = { index: i, time: f.time_s, width: 0, height: 0, tracked: false, reason: 'decode-failed', warnings: [], faces: [], chosenFace: -1, detectorRan: false, confidence: 0, brightness: 0, ms: 0 };
          }
          landmarks.set(t.tracked && t.landmarks ? t.landmarks : NAN_LANDMARKS, i * ALL_POINTS * 3);
          tracks.push(t);
          done++;
          ctx.progress({ fraction: (trackShare * done) / totalFrames, stage: cameras.length > 1 ? `Tracking faces (view ${perCamera.length + 1})` : 'Tracking faces', done, total: totalFrames, unit: 'frames' });
        }
      } finally {
        await tracker.dispose();
      }
      perCamera.push({ cam, camKey, dir, tracks, landmarks });
      allTracks.push(...tracks);
    }

    // Pass 2: the subject's expression space from every tracked frame, then the open head fitted per view
    // (or FLAME, whose expression space is its own).
    const trackedAll = allTracks.filter((t) => t.tracked && t.landmarks);
    if (trackedAll.length === 0 && allTracks.length > 0) {
      // Nothing to record or fit: a clear failure, not a success with nothing in it (earlier results stay).
      fs.rmSync(partial, { recursive: true, force: true });
      throw noFaceError({ frames: allTracks.length, views: cameras.length, untracked: summarize(allTracks).untracked, picked: !!params.pick });
    }
    let model: HeadModel | null = null;
    if (params.fit && params.headModel === 'flame' && trackedAll.length >= 1) {
      if (!params.flame) throw new StudioError('BAD_REQUEST', 'FLAME is not set up. Choose the FLAME files in Settings → Head model, or track with the open head.');
      ctx.progress({ fraction: trackShare, stage: 'Loading FLAME' });
      model = await loadFlameFile(params.flame.modelPath, { embeddingPath: params.flame.embeddingPath, shapeCount: FLAME_SHAPE_COMPONENTS, expressionCount: FLAME_EXPRESSION_COMPONENTS });
      if (model.landmarks.landmarkIndex.length < 30) throw new StudioError('BAD_REQUEST', 'The FLAME landmark embedding places too few landmarks to fit. Choose mediapipe_landmark_embedding.npz in Settings → Head model.');
    } else if (params.fit && trackedAll.length >= 2) {
      ctx.progress({ fraction: trackShare, stage: 'Learning the expression space' });
      const space = learnExpressionSpace(trackedAll.map((t) => ({ landmarks: t.landmarks! })));
      writeFileAtomic(path.join(partial, 'expression-space.json'), JSON.stringify(serializeExpressionSpace(space)));
      model = openHeadFor(space);
    }
    if (params.fit && !model) messages.push(`The head model was not fitted: a face was found in only ${trackedAll.length} of ${allTracks.length} frames, and fitting needs at least 2. Use footage where the face is visible in more frames to train an avatar.`);
    const outputs: TrackedCameraOutput[] = [];
    for (const { cam, camKey, dir, tracks, landmarks } of perCamera) {
      const fitErrorByFrame = new Map<number, number>();
      if (model) {
        const tracked = tracks.map((t, i) => ({ t, i })).filter(({ t }) => t.tracked && t.landmarks);
        if (tracked.length > 0) {
          const intrinsics = cam.intrinsics ?? undefined;
          const fit = await fitCapture(
            model,
            tracked.map(({ t }) => ({ landmarks: t.landmarks!, width: cam.width, height: cam.height })),
            { intrinsics, ...CAPTURE_FIT_OPTIONS },
            (fraction, message) => ctx.progress({ fraction: trackShare + (1 - trackShare) * landmarkShare * fraction, stage: `Fitting the head model: ${message}` }),
            ctx.signal,
          );
          let photometric: PhotometricSummary | null = null;
          if (refine) {
            const from = trackShare + (1 - trackShare) * landmarkShare, span = (1 - trackShare) * 0.97 - (from - trackShare);
            photometric = await refineCameraFit(model, fit, tracked.map(({ t, i }) => ({ file: path.join(ctx.projectDir!, cam.frames[i]!.file), landmarks: t.landmarks! })), (fraction, stage) => ctx.progress({ fraction: from + span * fraction, stage }), ctx.signal, ctx.gpu);
            if (photometric.skipped) messages.push(photometric.skipped);
          }
          const perFrame = tracked.map(({ i }, k) => {
            const r = fit.frames[k]!;
            fitErrorByFrame.set(i, r.reprojectionErrorPx);
            fitErrors.push(r.reprojectionErrorPx);
            const refined = photometric?.frames[k];
            return {
              idx: cam.frames[i]!.idx, rotation: refined?.rotation ?? r.rotation, translation: refined?.translation ?? r.translation,
              expression: refined?.expression ?? [...r.expression], jaw: refined?.jaw ?? r.jaw, eyes: r.eyes, errorPx: r.reprojectionErrorPx,
              ...(refined ? { landmarkPose: { rotation: r.rotation, translation: r.translation, expression: [...r.expression], jaw: r.jaw }, photometricLoss: [refined.lossBefore, refined.lossAfter] } : {}),
            };
          });
          writeFileAtomic(
            path.join(dir, 'fit.json'),
            JSON.stringify({
              headModel: model.kind, shape: [...fit.shape], intrinsics: fit.intrinsics, msPerFrame: fit.msPerFrame, frames: perFrame,
              ...(photometric && !photometric.skipped ? { photometric: { keyframes: photometric.keyframes.map((k) => cam.frames[tracked[k]!.i]!.idx), msPerFrame: photometric.msPerFrame } } : {}),
            }),
          );
        }
      }

      const frames: TrackedFrame[] = tracks.map((t, i) => ({
        idx: cam.frames[i]!.idx,
        cameraId: cam.id,
        tracked: t.tracked,
        reason: t.reason ?? null,
        warnings: t.warnings,
        confidence: t.confidence,
        box: t.box ?? null,
        faces: t.faces.map((f) => ({ box: f.box, score: f.score })),
        chosenFace: t.chosenFace,
        fitErrorPx: fitErrorByFrame.get(i) ?? null,
      }));
      writeFileAtomic(path.join(dir, 'landmarks.f32'), new Uint8Array(landmarks.buffer));
      writeFileAtomic(path.join(dir, 'frames.json'), JSON.stringify(frames));
      const rel = (p: string) => `${trackingDir(params.captureId)}/${camKey}/${p}`;
      const files = ['landmarks.f32', 'frames.json', ...(fs.existsSync(path.join(dir, 'fit.json')) ? ['fit.json'] : []), ...fs.readdirSync(path.join(dir, 'masks')).map((m) => `masks/${m}`)].map((p) => ({
        path: rel(p),
        ...hashFile(path.join(dir, p)),
      }));
      outputs.push({ cameraId: cam.id, frames, files });
    }
    if (fs.existsSync(path.join(partial, 'expression-space.json')))
      outputs[0]?.files.push({ path: `${trackingDir(params.captureId)}/expression-space.json`, ...hashFile(path.join(partial, 'expression-space.json')) });

    const summary = summarize(allTracks);
    summary.messages.push(...messages);
    return {
      cameras: outputs,
      headModel: model ? model.kind : 'none',
      summary: {
        frames: summary.frames,
        tracked: summary.tracked,
        untracked: summary.untracked,
        warnings: summary.warnings,
        meanFitErrorPx: fitErrors.length ? fitErrors.reduce((a, b) => a + b, 0) / fitErrors.length : null,
      },
      messages: summary.messages,
    };
  },
};
