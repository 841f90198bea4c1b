import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StudioError } from '@shared/api/errors';
import type { TrainingPreset } from '@shared/model/avatar';
import { createNodeDevice } from '@engine/gpu/node-device';
import { BoundGaussians, initFromUvLayout, type BoundGaussianData } from '@engine/avatar/binding';
import { AvatarTrainer, type AvatarFrame } from '@engine/avatar/trainer';
import type { WorkerContext, WorkerJob } from '../../jobs/worker-context';
import { writeFileAtomic } from '../fs/atomic-write';
import { decodeImage, readImage } from '../tracking/image';
import { openHeadFor, type StoredExpressionSpace } from '../tracking/open-head-space';
import { trackingDir } from '../tracking/track-capture.worker';
import { headMask } from './head-mask';

export interface TrainParams {
  projectId: string;
  captureId: string;
  avatarId: string;
  runId: string;
  preset: TrainingPreset;
  steps: number;
  uvResolution: number;
  imageLongSide: number;
}

export interface TrainCheckpoint {
  step: number;
}

export interface TrainOutput {
  avatarId: string;
  headModel: string;
  steps: number;
  /** The step the run resumed from (0 for a fresh start). */
  resumedFrom: number;
  gaussians: number;
  trainFrames: number;
  skippedFrames: number;
  /** Means over the evaluated test frames; null without any. */
  metrics: { psnr: number; ssim: number } | null;
  perFrame: { idx: number; cameraId: string; psnr: number; ssim: number }[];
  files: string[];
  seconds: number;
}

export const MIN_TRAIN_FRAMES = 8;

/** Partial and final folders of an avatar, project-relative. */
export const avatarDir = (avatarId: string) => `avatars/${avatarId}`;
export const avatarPartialDir = (avatarId: string) => `avatars/${avatarId}.partial`;

interface FitFrame {
  idx: number;
  rotation: number[];
  translation: number[];
  expression: number[];
  jaw: number[];
  eyes: number[];
}
interface FitFile {
  headModel: string;
  shape: number[];
  intrinsics: { fx: number; fy: number; cx: number; cy: number };
  frames: FitFrame[];
}

interface FrameRow {
  idx: number;
  split: 'train' | 'test' | 'excluded';
  file: string;
}

function readCapture(libraryDir: string, captureId: string) {
  const db = new Database(path.join(libraryDir, 'library.sqlite'), { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const capture = db.prepare('SELECT id FROM captures WHERE id = ?').get(captureId);
    if (!capture) throw new StudioError('NOT_FOUND', 'The capture to train on no longer exists.');
    const cameras = db.prepare('SELECT id, width, height FROM cameras WHERE capture_id = ? ORDER BY idx').all(captureId) as { id: string; width: number; height: number }[];
    return cameras.map((c) => ({
      ...c,
      frames: db
        .prepare(`SELECT f.idx, f.split, b.path AS file FROM frames f JOIN blobs b ON b.id = f.blob_id WHERE f.capture_id = ? AND f.camera_id = ? AND f.split != 'excluded' ORDER BY f.idx`)
        .all(captureId, c.id) as FrameRow[],
    }));
  } finally {
    db.close();
  }
}

/** Area-average downscale of an RGB(A) image to w×h, RGBA8 out (alpha 255). */
function resizeRgb(img: { width: number; height: number; data: Uint8Array; channels: number }, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  const sx = img.width / w, sy = img.height / h;
  const C = img.channels;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.min(img.height, Math.floor((y + 1) * sy)));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.min(img.width, Math.floor((x + 1) * sx)));
      let r = 0, g = 0, b = 0;
      for (let yy = y0; yy < y1; yy++)
        for (let xx = x0; xx < x1; xx++) {
          const p = (yy * img.width + xx) * C;
          r += img.data[p]!; g += img.data[p + 1]!; b += img.data[p + 2]!;
        }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * w + x) * 4;
      out[o] = Math.round(r / n); out[o + 1] = Math.round(g / n); out[o + 2] = Math.round(b / n); out[o + 3] = 255;
    }
  }
  return out;
}

function identity4(): Float32Array {
  return Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
}

/** avatar.bin: "AVB1", u32 header length, JSON header {count, shDegree, arrays: {name: [type, offset, length]}}, data. */
export function serializeBound(data: BoundGaussianData): Uint8Array {
  const arrays = { triangle: data.triangle, barycentric: data.barycentric, offset: data.offset, rotations: data.rotations, logScales: data.logScales, opacities: data.opacities, sh: data.sh };
  const layout: Record<string, [string, number, number]> = {};
  let offset = 0;
  for (const [k, a] of Object.entries(arrays)) {
    layout[k] = [a instanceof Uint32Array ? 'u32' : 'f32', offset, a.length];
    offset += a.byteLength;
  }
  const header = Buffer.from(JSON.stringify({ count: data.count, shDegree: data.shDegree, arrays: layout }));
  const pad = (4 - ((8 + header.length) % 4)) % 4;
  const out = new Uint8Array(8 + header.length + pad + offset);
  out.set([0x41, 0x56, 0x42, 0x31]);
  new DataView(out.buffer).setUint32(4, header.length + pad, true);
  out.set(header, 8);
  out.fill(0x20, 8 + header.length, 8 + header.length + pad);
  let p = 8 + header.length + pad;
  for (const a of Object.values(arrays)) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
    p += a.byteLength;
  }
  return out;
}

/**
 * Trains a Gaussian avatar on the open head from a tracked capture: train-split frames with a fit become training
 * frames (image downscaled to the preset's long side, the tracking matte, the fitted intrinsics, an identity view and
 * the fitted rigid pose as the head's pose); test-split frames are evaluated at the end. Checkpoints go to
 * `avatars/<id>.partial/checkpoint.bin`; the result (`avatar.bin`, `meta.json`) beside it.
 */
export const trainAvatarWorker: WorkerJob<TrainParams, TrainCheckpoint, TrainOutput> = {
  async run(ctx: WorkerContext, params, resumeFrom) {
    if (!ctx.projectDir) throw new StudioError('NOT_FOUND', 'The project of this capture no longer exists.');
    const t0 = Date.now();
    const projectDir = ctx.projectDir;
    const cameras = readCapture(ctx.libraryDir, params.captureId);
    const tracking = path.join(projectDir, trackingDir(params.captureId));
    const spaceFile = path.join(tracking, 'expression-space.json');
    if (!fs.existsSync(spaceFile)) throw new StudioError('CONFLICT', 'Track the capture first (with the head-model fit): there is no fitted head to train on.');
    const model = openHeadFor(JSON.parse(fs.readFileSync(spaceFile, 'utf8')) as StoredExpressionSpace);
    ctx.progress({ fraction: 0, stage: 'Loading frames' });

    const train: AvatarFrame[] = [];
    const test: { frame: AvatarFrame; idx: number; cameraId: string }[] = [];
    let skipped = 0;
    let size: { w: number; h: number } | null = null;
    for (const cam of cameras) {
      const camKey = cam.id.split(':').at(-1)!;
      const fitFile = path.join(tracking, camKey, 'fit.json');
      if (!fs.existsSync(fitFile)) {
        skipped += cam.frames.length;
        continue;
      }
      const fit = JSON.parse(fs.readFileSync(fitFile, 'utf8')) as FitFile;
      const byIdx = new Map(fit.frames.map((f) => [f.idx, f]));
      const s = params.imageLongSide / Math.max(cam.width, cam.height);
      const w = Math.max(1, Math.round(cam.width * s)), h = Math.max(1, Math.round(cam.height * s));
      if (size && (size.w !== w || size.h !== h)) {
        skipped += cam.frames.length; // the trainer needs one image size
        continue;
      }
      size = { w, h };
      const sx = w / cam.width, sy = h / cam.height;
      const camera = { width: w, height: h, fx: fit.intrinsics.fx * sx, fy: fit.intrinsics.fy * sy, cx: (fit.intrinsics.cx + 0.5) * sx - 0.5, cy: (fit.intrinsics.cy + 0.5) * sy - 0.5, viewMatrix: identity4() };
      for (const f of cam.frames) {
        const r = byIdx.get(f.idx);
        if (!r) {
          skipped++;
          continue;
        }
        ctx.throwIfCancelled();
        const img = readImage(path.join(projectDir, f.file));
        const image = resizeRgb(img, w, h);
        const maskFile = path.join(tracking, camKey, 'masks', `${String(f.idx).padStart(6, '0')}.png`);
        let mask: Uint8Array | null = null;
        if (fs.existsSync(maskFile)) {
          const m = decodeImage(fs.readFileSync(maskFile));
          const rgba = resizeRgb(m, w, h);
          mask = new Uint8Array(w * h);
          for (let p = 0; p < w * h; p++) mask[p] = rgba[p * 4]!;
        }
        const joints = new Float64Array(15);
        joints.set(r.jaw.slice(0, 3), 6);
        joints.set(r.eyes.slice(0, 6), 9); // left eye then right eye axis-angles (fitting/fit.ts)
        const head = { shape: fit.shape, expression: r.expression, jointRotations: joints, rotation: r.rotation, translation: r.translation };
        // Only the head can be learnt: the person matte is limited to the projected head (plus a margin).
        const region = headMask(model, head, camera, Math.max(2, Math.round(Math.max(w, h) / 64)));
        if (mask) for (let p = 0; p < w * h; p++) mask[p] = Math.min(mask[p]!, region[p]!);
        else mask = region;
        const frame: AvatarFrame = { image, channels: 4, mask, camera, head };
        if (f.split === 'test') test.push({ frame, idx: f.idx, cameraId: cam.id });
        else train.push(frame);
      }
    }
    if (train.length < MIN_TRAIN_FRAMES)
      throw new StudioError('CONFLICT', `Too few usable frames: ${train.length} tracked train frames, at least ${MIN_TRAIN_FRAMES} needed.${skipped ? ` ${skipped} frames have no tracking.` : ''}`);

    const partial = path.join(projectDir, avatarPartialDir(params.avatarId));
    fs.mkdirSync(partial, { recursive: true });
    const ckFile = path.join(partial, 'checkpoint.bin');

    ctx.progress({ fraction: 0.02, stage: 'Starting the GPU' });
    const engine = await createNodeDevice({ label: 'avatar-train' });
    let trainer: AvatarTrainer | null = null;
    let bound: BoundGaussians | null = null;
    try {
      const init = initFromUvLayout({ vertices: model.evaluate({}), triangles: model.triangles }, model.uv!, { resolution: params.uvResolution });
      bound = BoundGaussians.fromData(engine.device, init.data);
      const steps = params.steps;
      const densify = steps >= 20 ? { from: Math.floor(steps * 0.4), until: Math.floor(steps * 0.8), interval: Math.max(1, Math.floor(steps * 0.2)), maxGaussians: Math.round(1.5 * init.data.count) } : undefined;
      trainer = new AvatarTrainer(model, bound, train, {
        learningRates: { shDC: 0.05, opacities: 0.08, logScales: 0.005, rotations: 0.002, means: 5e-5 },
        densify,
        prune: { interval: Math.max(10, Math.floor(steps * 0.45)), minOpacity: 0.005 },
        seed: 7,
        intersectionCapacity: 'adaptive',
      });
      if (resumeFrom && resumeFrom.step > 0 && fs.existsSync(ckFile)) {
        const buf = fs.readFileSync(ckFile);
        await trainer.restore(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
      }
      const saveCheckpoint = async () => {
        const ck = await trainer!.checkpoint();
        writeFileAtomic(ckFile, new Uint8Array(ck));
        ctx.checkpoint({ step: trainer!.step } satisfies TrainCheckpoint);
      };
      const every = Math.max(10, Math.ceil(steps / 10));
      const reportEvery = Math.max(1, Math.ceil(steps / 50));
      const startStep = trainer.step;
      const tTrain = Date.now();
      try {
        while (trainer.step < steps) {
          ctx.throwIfCancelled();
          await trainer.trainStep();
          const step = trainer.step;
          if (step % reportEvery === 0 || step === steps) {
            const perStep = (Date.now() - tTrain) / 1000 / Math.max(1, step - startStep);
            ctx.progress({ fraction: 0.05 + 0.85 * (step / steps), stage: `Training (${trainer.count} Gaussians, ${perStep.toFixed(2)} s/step)`, done: step, total: steps, unit: 'steps' });
          }
          if (step % every === 0 && step < steps) await saveCheckpoint();
        }
      } catch (err) {
        if (ctx.signal.aborted && trainer.step > startStep) await saveCheckpoint().catch(() => undefined);
        throw err;
      }

      ctx.progress({ fraction: 0.92, stage: 'Evaluating the test frames' });
      const metrics = test.length ? await trainer.evaluate(test.map((t) => t.frame)) : [];
      const perFrame = metrics.map((m, i) => ({ idx: test[i]!.idx, cameraId: test[i]!.cameraId, psnr: m.psnr, ssim: m.ssim }));
      const mean = perFrame.length ? { psnr: perFrame.reduce((s, m) => s + m.psnr, 0) / perFrame.length, ssim: perFrame.reduce((s, m) => s + m.ssim, 0) / perFrame.length } : null;
      const data = await bound.read();
      writeFileAtomic(path.join(partial, 'avatar.bin'), serializeBound(data));
      await saveCheckpoint();
      const out: TrainOutput = {
        avatarId: params.avatarId,
        headModel: model.kind,
        steps: trainer.step,
        resumedFrom: startStep,
        gaussians: data.count,
        trainFrames: train.length,
        skippedFrames: skipped,
        metrics: mean,
        perFrame,
        files: ['avatar.bin', 'meta.json', 'checkpoint.bin'],
        seconds: (Date.now() - t0) / 1000,
      };
      writeFileAtomic(
        path.join(partial, 'meta.json'),
        JSON.stringify({ avatarId: params.avatarId, captureId: params.captureId, headModel: model.kind, preset: params.preset, steps: trainer.step, uvResolution: params.uvResolution, imageLongSide: params.imageLongSide, image: size, gaussians: data.count, trainFrames: train.length, skippedFrames: skipped, metrics: mean, perFrame }, null, 1),
      );
      return out;
    } finally {
      trainer?.destroy();
      bound?.destroy();
      engine.destroy();
    }
  },
};
