import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import type { JobProgress } from '@shared/model/job';
import { DeviceLostError } from '@engine/gpu/errors';
import type { AvatarFrame } from '@engine/avatar/trainer';
import { initFromUvLayout } from '@engine/avatar/binding';
import type { WorkerContext, WorkerJob } from '../../jobs/worker-context';
import { writeFileAtomic } from '../fs/atomic-write';
import { openHeadFor, type StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';
import { assertEnoughFrames, loadFrames, readCapture, type LoadedFrame } from './frame-loading';
import { evaluationMeans } from './evaluation-means';
import { trainerOptions } from './presets';
import { encodePng, errorHeatmap, rgbFloatToRgba8, sideBySide } from './report-images';
import { avatarPartialDir, captureTrackingDir, type EvaluatedFrame, type TrainCheckpoint, type TrainOutput, type TrainParams } from './training-types';
import { noFittedHeadMessageAt } from '../tracking/no-fit-message';

export { avatarDir, avatarPartialDir, MIN_TRAIN_FRAMES, type TrainCheckpoint, type TrainOutput, type TrainParams } from './training-types';

/** avatar.bin (written here at the end of training; the layout lives beside its reader). */
import { serializeBound } from '@engine/avatar/binding/avatar-file';

/** Adam rates of test-time fitting (per pass: a few dozen passes, where head tuning takes thousands of steps). */
const TEST_TIME_FIT_RATES = { rotation: 2e-3, translation: 5e-4, expression: 3e-2, joints: 5e-3 };

/** Test hook: destroys the GPU device after this step, so the device-lost path runs as it would on a real loss. */
const LOSE_DEVICE_AT_STEP = Number(process.env.AVATAR_STUDIO_TEST_LOSE_GPU_AT_STEP ?? 0);
const PROGRESS_INTERVAL_MS = 1000;

/** Temporal neighbours for head tuning: source frame index, cameras kept apart (each camera has its own fitted pose). */
function tuningTimes(train: readonly LoadedFrame[]): number[] {
  const cameras = [...new Set(train.map((f) => f.cameraId))];
  return train.map((f) => f.idx + 1e6 * cameras.indexOf(f.cameraId));
}

/**
 * Trains a Gaussian avatar on the open head from a tracked capture (frames: frame-loading.ts). Live progress (step,
 * loss, validation PSNR/SSIM, Gaussians) every second; every `previewSeconds` a ground truth | render preview of the
 * validation frame (`preview-<step>.png` in the partial folder); checkpoints every tenth of the steps, every
 * `checkpointMinutes` and on pause (`checkpoint.bin`, atomic). At the end every evaluation frame gets ground truth /
 * render / error PNGs under `eval/` and its PSNR/SSIM; `avatar.bin`, `meta.json` and `preview.png` beside them.
 */
export const trainAvatarWorker: WorkerJob<TrainParams, TrainCheckpoint, TrainOutput> = {
  async run(ctx: WorkerContext, params, resumeFrom) {
    if (!ctx.projectDir) throw new StudioError('NOT_FOUND', 'The project of this capture no longer exists.');
    const t0 = Date.now();
    const cfg = params.config;
    const projectDir = ctx.projectDir;
    const cameras = readCapture(ctx.libraryDir, params.captureId);
    const tracking = path.join(projectDir, captureTrackingDir(params.captureId));
    const spaceFile = path.join(tracking, 'expression-space.json');
    if (!fs.existsSync(spaceFile)) throw new StudioError('CONFLICT', noFittedHeadMessageAt(ctx.libraryDir, params.captureId));
    const space = JSON.parse(fs.readFileSync(spaceFile, 'utf8')) as StoredExpressionSpace;
    const model = openHeadFor(space);
    ctx.progress({ fraction: 0, stage: 'Loading frames' });

    const frames = loadFrames(model, cameras, { projectDir, trackingDir: tracking, imageLongSide: cfg.imageLongSide, frameSubject: cfg.frameSubject, holdOutCamera: params.holdOutCamera, throwIfCancelled: ctx.throwIfCancelled });
    assertEnoughFrames(frames);
    if (params.holdOutCamera && frames.test.length === 0) throw new StudioError('CONFLICT', 'The held-out camera has no tracked frames to evaluate on. Track it, or hold out another camera.');
    const skipped = frames.untracked + frames.otherSize;
    const size = frames.size!;

    const partialRel = avatarPartialDir(params.avatarId);
    const partial = path.join(projectDir, partialRel);
    fs.mkdirSync(partial, { recursive: true });
    // Left by an earlier attempt: its previews, and temp files of a write the process was killed in.
    for (const f of fs.readdirSync(partial)) if (/^preview-\d+\.png$/.test(f) || /^\..*\.tmp$/.test(f)) fs.rmSync(path.join(partial, f), { force: true });
    const ckFile = path.join(partial, 'checkpoint.bin');

    ctx.progress({ fraction: 0.02, stage: 'Starting the GPU' });
    const gpu = ctx.gpu;
    const steps = cfg.steps;
    const start = initFromUvLayout({ vertices: model.evaluate({}), triangles: model.triangles }, model.uv!, { resolution: cfg.uvResolution, shDegree: cfg.shDegree as 0 | 1 | 2 | 3 }).data;
    const session = await gpu.open('train', { space, start, frames: frames.train.map((f) => f.frame), options: trainerOptions(cfg, start.count, tuningTimes(frames.train)) });
    try {
      let t = await session.state();
      let checkpointStep = 0;
      let priorSeconds = 0;
      if (resumeFrom && resumeFrom.step > 0 && fs.existsSync(ckFile)) {
        const buf = fs.readFileSync(ckFile);
        t = await session.restore(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
        checkpointStep = t.step;
        priorSeconds = resumeFrom.seconds ?? 0;
      }
      const workedSeconds = () => priorSeconds + (Date.now() - t0) / 1000;
      const startStep = t.step;

      let lastCheckpointAt = Date.now();
      const saveCheckpoint = async () => {
        const ck = await session.checkpoint();
        try {
          writeFileAtomic(ckFile, new Uint8Array(ck));
        } catch (err) {
          if (err instanceof StudioError && err.code === 'DISK_FULL')
            throw new StudioError(
              'DISK_FULL',
              `The disk filled up while writing the checkpoint at step ${t.step}. ${checkpointStep ? `The previous checkpoint (step ${checkpointStep}) is intact: free some space, then Resume to continue from it.` : 'Free some space, then Resume to start again.'}`,
              { step: t.step, checkpointStep },
            );
          throw err;
        }
        checkpointStep = t.step;
        lastCheckpointAt = Date.now();
        ctx.checkpoint({ step: t.step, seconds: workedSeconds() } satisfies TrainCheckpoint);
      };

      // Validation frame: the first held-out frame, else the first train frame (its PSNR then measures fitting only).
      const validation = frames.test[0] ? { item: frames.test[0].frame, kind: 'test' as const } : { item: 0, kind: 'train' as const };
      const live: NonNullable<JobProgress['training']> = { step: t.step, steps, loss: null, psnr: null, ssim: null, validatedAt: null, validation: validation.kind, gaussians: t.count, secondsPerStep: null, checkpointStep };
      let preview: string | undefined;
      const previews: string[] = [];
      const tTrain = Date.now();
      const report = (stage: string) => {
        live.step = t.step;
        live.gaussians = t.count;
        live.checkpointStep = checkpointStep;
        live.secondsPerStep = t.step > startStep ? (Date.now() - tTrain) / 1000 / (t.step - startStep) : null;
        ctx.progress({ fraction: 0.05 + 0.85 * (t.step / steps), stage, done: t.step, total: steps, unit: 'steps', ...(preview ? { preview } : {}), training: { ...live } });
      };
      let validateMs = 0;
      const validate = async () => {
        const v0 = Date.now();
        const cmp = await session.compare(validation.item);
        validateMs = Date.now() - v0;
        live.psnr = cmp.psnr;
        live.ssim = cmp.ssim;
        live.validatedAt = t.step;
        const { data, width, height } = sideBySide([rgbFloatToRgba8(cmp.target, size.w, size.h), rgbFloatToRgba8(cmp.render, size.w, size.h)], size.w, size.h);
        const name = `preview-${String(t.step).padStart(7, '0')}.png`;
        try {
          writeFileAtomic(path.join(partial, name), encodePng(data, width, height));
        } catch (err) {
          // A preview is a nicety: a full disk shows up (with its message) at the next checkpoint.
          console.warn(`[train] preview not written: ${(err as Error).message}`);
          return;
        }
        preview = `${partialRel}/${name}`;
        previews.push(name);
        // Keep the two newest: a page may still be loading the previous one.
        while (previews.length > 2) fs.rmSync(path.join(partial, previews.shift()!), { force: true });
      };

      try {
        await validate();
        report(startStep ? `Resumed at step ${startStep}` : 'Training');
        let lastReport = Date.now();
        let lastPreview = Date.now();
        const every = Math.max(10, Math.ceil(steps / 10));
        while (t.step < steps) {
          ctx.throwIfCancelled();
          // Steps in batches of about a quarter second: one round trip per batch where the engine runs elsewhere.
          // A batch ends at the next checkpoint step, so checkpoints land where they did step by step.
          t = await session.train({ maxSteps: Math.min(steps, (Math.floor(t.step / every) + 1) * every), budgetMs: 250, loseDeviceAtStep: LOSE_DEVICE_AT_STEP || undefined });
          const now = Date.now();
          // Validation (render, read back, SSIM on the CPU) takes at most ~10 % of the time, at large sizes too.
          if (now - lastPreview >= Math.max(cfg.previewSeconds * 1000, 10 * validateMs)) {
            lastPreview = now;
            await validate();
          }
          if (now - lastReport >= PROGRESS_INTERVAL_MS || t.step === steps) {
            lastReport = now;
            // The trainer's health monitor reads the loss back asynchronously every few steps; before its first
            // reading, the last step's loss is read here (three floats).
            live.loss = await session.loss();
            report(t.rollbacks ? `Training (recovered from ${t.rollbacks} numerical fault${t.rollbacks === 1 ? '' : 's'})` : 'Training');
          }
          if (t.step < steps && (t.step % every === 0 || now - lastCheckpointAt >= cfg.checkpointMinutes * 60_000)) await saveCheckpoint();
        }

        ctx.progress({ fraction: 0.92, stage: `Evaluating ${frames.test.length} test frame${frames.test.length === 1 ? '' : 's'}`, ...(preview ? { preview } : {}), training: { ...live, step: t.step } });
        fs.mkdirSync(path.join(partial, 'eval'), { recursive: true });
        let testFrames: AvatarFrame[] = frames.test.map((f) => f.frame);
        // With test-time fitting, the figures with the tracker's own parameters are kept beside the fitted ones.
        let trackedMetrics: { psnr: number; ssim: number } | null = null;
        if (cfg.testTimeFit > 0 && testFrames.length) {
          const tracked: Pick<EvaluatedFrame, 'psnr' | 'ssim' | 'maskedPsnr' | 'crop'>[] = [];
          for (const [k, frame] of testFrames.entries()) {
            ctx.throwIfCancelled();
            ctx.progress({ fraction: 0.9, stage: `Evaluating test frame ${k + 1} of ${testFrames.length} with its tracked head`, done: k, total: testFrames.length, unit: 'frames', ...(preview ? { preview } : {}), training: { ...live } });
            const cmp = await session.compare(frame);
            tracked.push({ psnr: cmp.psnr, ssim: cmp.ssim, maskedPsnr: cmp.maskedPsnr, crop: cmp.crop });
          }
          trackedMetrics = evaluationMeans(tracked).headline;
          // Held-out frames' head pose, expression and jaw fitted to their images, the avatar frozen (FATE, GHS).
          testFrames = await session.fitEvaluation(testFrames, {
            iterations: cfg.testTimeFit,
            frames: { rotation: true, translation: true, expression: true, joints: [2] },
            learningRates: TEST_TIME_FIT_RATES,
            onPass: (pass, passes) => {
              ctx.throwIfCancelled();
              ctx.progress({ fraction: 0.9 + 0.02 * (pass / passes), stage: `Fitting the test frames' head (pass ${pass} of ${passes})`, ...(preview ? { preview } : {}), training: { ...live } });
            },
          });
        }
        const perFrame: EvaluatedFrame[] = [];
        const files: string[] = [];
        for (const [k, f] of frames.test.entries()) {
          ctx.throwIfCancelled();
          ctx.progress({ fraction: 0.92 + 0.06 * (k / frames.test.length), stage: `Evaluating test frame ${k + 1} of ${frames.test.length}`, done: k, total: frames.test.length, unit: 'frames', ...(preview ? { preview } : {}), training: { ...live } });
          const cmp = await session.compare(testFrames[k]!);
          const base = `eval/${f.cameraId.split(':').at(-1)}-${String(f.idx).padStart(6, '0')}`;
          const images = { groundTruth: `${base}-gt.png`, render: `${base}-render.png`, error: `${base}-error.png` };
          writeFileAtomic(path.join(partial, images.groundTruth), encodePng(rgbFloatToRgba8(cmp.target, size.w, size.h), size.w, size.h));
          writeFileAtomic(path.join(partial, images.render), encodePng(rgbFloatToRgba8(cmp.render, size.w, size.h), size.w, size.h));
          writeFileAtomic(path.join(partial, images.error), encodePng(errorHeatmap(cmp.render, cmp.target, size.w, size.h), size.w, size.h));
          files.push(images.groundTruth, images.render, images.error);
          perFrame.push({ idx: f.idx, cameraId: f.cameraId, psnr: cmp.psnr, ssim: cmp.ssim, maskedPsnr: cmp.maskedPsnr, crop: cmp.crop, images });
        }
        const { headline: mean, fullFrame, headMattePsnr } = evaluationMeans(perFrame);
        // The final preview (validation frame at the last step) stays with the avatar.
        await validate();
        if (previews.length) fs.copyFileSync(path.join(partial, previews.at(-1)!), path.join(partial, 'preview.png'));
        for (const p of previews) fs.rmSync(path.join(partial, p), { force: true });
        const data = await session.readAvatar();
        writeFileAtomic(path.join(partial, 'avatar.bin'), serializeBound(data));
        // Fine-tuned per-frame head parameters and the learnt correctives (readHeadTuningExport reads them back).
        const tuning = await session.headTuningBytes();
        if (tuning) writeFileAtomic(path.join(partial, 'head-tuning.bin'), tuning);
        await saveCheckpoint();
        const seconds = workedSeconds();
        const out: TrainOutput = {
          avatarId: params.avatarId,
          headModel: model.kind,
          steps: t.step,
          resumedFrom: startStep,
          gaussians: data.count,
          trainFrames: frames.train.length,
          skippedFrames: skipped,
          metrics: mean,
          trackedMetrics,
          fullFrame,
          headMattePsnr,
          perFrame,
          files: ['avatar.bin', 'meta.json', 'checkpoint.bin', ...(tuning ? ['head-tuning.bin'] : []), ...(fs.existsSync(path.join(partial, 'preview.png')) ? ['preview.png'] : []), ...files],
          seconds,
        };
        writeFileAtomic(
          path.join(partial, 'meta.json'),
          JSON.stringify(
            {
              avatarId: params.avatarId,
              captureId: params.captureId,
              headModel: model.kind,
              preset: params.preset,
              config: cfg,
              holdOutCamera: params.holdOutCamera,
              evaluation: params.holdOutCamera ? 'camera' : 'split',
              steps: t.step,
              resumedFrom: startStep,
              image: size,
              gaussians: data.count,
              trainFrames: frames.train.length,
              skippedFrames: skipped,
              untrackedFrames: frames.untracked,
              seconds,
              metrics: mean,
              trackedMetrics,
              metricsOver: 'head crop',
              fullFrame,
              headMattePsnr,
              perFrame,
            },
            null,
            1,
          ),
        );
        return out;
      } catch (err) {
        // Work on a lost device may fail with its own error just before `device.lost` settles.
        if (!gpu.lostError() && !(err instanceof StudioError)) await new Promise((r) => setTimeout(r, 200));
        const lostError: DeviceLostError | null = err instanceof DeviceLostError ? err : gpu.lostError();
        if (lostError)
          throw new StudioError(
            'INTERNAL',
            `The GPU stopped working under the training (${lostError.message}) at step ${t.step}. ${checkpointStep ? `Resume to continue from the checkpoint at step ${checkpointStep}.` : 'Resume to start again.'}`,
            { interrupted: true, step: t.step, checkpointStep },
          );
        if (ctx.pauseRequested() && t.step > checkpointStep) {
          report('Pausing: writing a checkpoint');
          await saveCheckpoint();
        }
        throw err;
      }
    } finally {
      await session.close();
    }
  },
};
