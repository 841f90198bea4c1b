/**
 * The kit's avatar sections: training the packed capture with the studio's `AvatarTrainer`, built as the training job
 * builds it (src/main/services/training/train-avatar.worker.ts: UV-layout init, a preset's configuration, its densify
 * / prune schedule, head tuning with temporal smoothness), then held-out PSNR/SSIM on the test split (the job's
 * metrics: render over black, full-image PSNR, 11×11 SSIM); and the live path's per-frame cost (the viewport / Live
 * page's chain: posed vertices → BindingMesh → BindingDeformer → ForwardRenderer → RGBA8 pack → readback).
 */
import { BoundGaussians } from '../../../native/engine/avatar/binding/bound-gaussians';
import { BindingDeformer, BindingMesh } from '../../../native/engine/avatar/binding/deform';
import { initFromUvLayout } from '../../../native/engine/avatar/binding/init';
import type { OpenHead } from '../../../native/engine/avatar/open-head/build';
import { openHeadFor } from '../../../native/engine/avatar/open-head/stored-space';
import { AvatarTrainer } from '../../../native/engine/avatar/trainer/avatar-trainer';
import { posedVertices, type AvatarFrame } from '../../../native/engine/avatar/trainer/frames';
import type { EngineDevice } from '../../../native/engine/gpu/engine-device';
import { ForwardRenderer } from '../../../native/engine/splat/forward';
import { GaussianScene } from '../../../native/engine/splat/scene';
import { trainerOptions, TRAINING_PRESETS } from '../../../src/main/services/training/presets';
import { Rgba8Packer } from '../../../native/engine/avatar/render/rgba8-pack';
import type { LoadedCapture } from './capture';

const r2 = (x: number) => Math.round(x * 100) / 100;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};

export interface TrainingOptions {
  preset: keyof typeof TRAINING_PRESETS;
  steps: number;
  uvResolution: number;
  /** Stop stepping at this time (performance.now() ms); held-out evaluation still runs. */
  deadline: number;
  log: (m: string) => void;
}

export interface TrainedAvatar {
  model: OpenHead;
  bound: BoundGaussians;
  trainer: AvatarTrainer | null;
  destroy(): void;
}

/** Trains; returns the report and the avatar (for the live section). Throws only before training could start. */
export async function runTraining(engine: EngineDevice, capture: LoadedCapture, o: TrainingOptions): Promise<{ report: Record<string, unknown>; avatar: TrainedAvatar }> {
  const device = engine.device;
  const base = TRAINING_PRESETS[o.preset];
  if (!base) throw new Error(`unknown preset ${o.preset}`);
  const cfg = { ...base, steps: o.steps, uvResolution: o.uvResolution, imageLongSide: Math.max(capture.width, capture.height) };
  const model = openHeadFor(capture.doc.expressionSpace);
  const init = initFromUvLayout({ vertices: model.evaluate({}), triangles: model.triangles }, model.uv!, { resolution: cfg.uvResolution, shDegree: cfg.shDegree as 0 | 1 | 2 | 3 });
  const bound = BoundGaussians.fromData(device, init.data);
  const trainIdx = capture.doc.frames.filter((f) => f.split === 'train').map((f) => f.idx);
  const t0 = performance.now();
  const options = trainerOptions(cfg, init.data.count, trainIdx);
  const { densify, prune } = options;
  const trainer = new AvatarTrainer(model, bound, capture.train, options);
  const avatar: TrainedAvatar = {
    model,
    bound,
    trainer,
    destroy() {
      trainer.destroy();
      bound.destroy();
    },
  };
  const report: Record<string, unknown> = {
    preset: o.preset,
    config: { imageSize: `${capture.width}x${capture.height}`, uvResolution: cfg.uvResolution, shDegree: cfg.shDegree, headTuning: cfg.headTuning, densify, prune },
    trainFrames: capture.train.length,
    testFrames: capture.test.length,
    initialGaussians: init.data.count,
    stepsRequested: o.steps,
  };
  try {
    const setupSeconds = (performance.now() - t0) / 1000;
    // Warm-up outside the timed loop: the first step compiles every pipeline.
    const tw = performance.now();
    await trainer.trainStep();
    await device.queue.onSubmittedWorkDone();
    const firstStepSeconds = (performance.now() - tw) / 1000;
    const tl = performance.now();
    let lastLog = tl;
    let stoppedEarly = false;
    while (trainer.step < o.steps) {
      if (performance.now() > o.deadline) {
        stoppedEarly = true;
        break;
      }
      await trainer.trainStep();
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        const s = trainer.lastStats();
        o.log(`step ${trainer.step}/${o.steps}, ${trainer.count} Gaussians${s ? `, loss ${s.loss.toFixed(4)}` : ''}, ${((trainer.step - 1) / ((lastLog - tl) / 1000)).toFixed(1)} it/s`);
      }
    }
    await device.queue.onSubmittedWorkDone();
    const loopSeconds = (performance.now() - tl) / 1000;
    const stats = await trainer.readStats().catch(() => null);
    const te = performance.now();
    const metrics = capture.test.length ? await trainer.evaluate(capture.test as AvatarFrame[], [0, 0, 0]) : [];
    const evalSeconds = (performance.now() - te) / 1000;
    const mean = (k: 'psnr' | 'ssim') => (metrics.length ? metrics.reduce((s, m) => s + m[k], 0) / metrics.length : null);
    const masked = metrics.filter((m) => m.maskedPsnr !== null);
    const errors = engine.takeErrors();
    Object.assign(report, {
      steps: trainer.step,
      stoppedEarly,
      gaussians: trainer.count,
      rollbacks: trainer.rollbacks,
      loss: stats ? +stats.loss.toFixed(5) : null,
      heldOut: metrics.length
        ? {
            psnr: r2(mean('psnr')!),
            ssim: +mean('ssim')!.toFixed(4),
            maskedPsnr: masked.length ? r2(masked.reduce((s, m) => s + m.maskedPsnr!, 0) / masked.length) : null,
            perFrame: metrics.map((m) => ({ psnr: r2(m.psnr), ssim: +m.ssim.toFixed(4) })),
          }
        : null,
      seconds: { setup: r2(setupSeconds), firstStep: r2(firstStepSeconds), steps: r2(loopSeconds), evaluate: r2(evalSeconds), total: r2((performance.now() - t0) / 1000) },
      stepsPerSecond: r2((trainer.step - 1) / Math.max(1e-9, loopSeconds)),
      ...(errors.length ? { gpuErrors: errors.slice(0, 5) } : {}),
    });
  } catch (e) {
    report.error = String((e as Error)?.stack ?? e).slice(0, 800);
    report.steps = trainer.step;
  }
  return { report, avatar };
}

/** A fresh UV-initialised avatar (the live section's fallback when training did not run). */
export function untrainedAvatar(engine: EngineDevice, capture: LoadedCapture, uvResolution: number, shDegree: number): TrainedAvatar {
  const model = openHeadFor(capture.doc.expressionSpace);
  const init = initFromUvLayout({ vertices: model.evaluate({}), triangles: model.triangles }, model.uv!, { resolution: uvResolution, shDegree: shDegree as 0 | 1 | 2 | 3 });
  const bound = BoundGaussians.fromData(engine.device, init.data);
  return { model, bound, trainer: null, destroy: () => bound.destroy() };
}

export interface LiveOptions {
  /** Image side (the capture's camera scaled to it). */
  size: number;
  frames: number;
  deadline: number;
  log: (m: string) => void;
}

/**
 * The live path per frame, as the viewport renders (avatarEngine.ts): upload posed vertices, deform, render, pack to
 * RGBA8 and read back. `frameMs`: that whole chain (what the Live page's overlay calls render); `gpuMs`: upload +
 * deform + render to GPU completion, no readback; `poseMs`: the CPU posing of the head (with the run's correctives).
 */
export async function runLive(engine: EngineDevice, capture: LoadedCapture, avatar: TrainedAvatar, o: LiveOptions): Promise<Record<string, unknown>> {
  const device = engine.device;
  const { model, bound } = avatar;
  const s = o.size / Math.max(capture.doc.width, capture.doc.height);
  const w = Math.round(capture.doc.width * s), h = Math.round(capture.doc.height * s);
  const c = capture.doc.camera;
  const camera = { width: w, height: h, fx: c.fx * s, fy: c.fy * s, cx: (c.cx + 0.5) * s - 0.5, cy: (c.cy + 0.5) * s - 0.5, viewMatrix: Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]) };
  const heads = [...capture.test, ...capture.train].map((f) => f.head);
  const mesh = new BindingMesh(device, model.triangles, new Float32Array(model.vertexCount * 3), 'kit.live.mesh');
  const scene = GaussianScene.create(device, { capacity: Math.max(1, bound.count), shDegree: bound.shDegree as 0 | 1 | 2 | 3, label: 'kit.live.scene' });
  const deformer = new BindingDeformer(device);
  const renderer = new ForwardRenderer(device);
  const packer = new Rgba8Packer(device);
  const bg: [number, number, number] = [0.11, 0.115, 0.125];
  const poseMs: number[] = [], gpuMs: number[] = [], frameMs: number[] = [];
  const pose = (i: number) => {
    const head = heads[i % heads.length]!;
    const t = performance.now();
    const v = avatar.trainer?.headTuning ? avatar.trainer.headTuning.posed(head) : posedVertices(model, head);
    poseMs.push(performance.now() - t);
    return v;
  };
  const frame = async (vertices: Float32Array, readback: boolean) => {
    mesh.setVertices(vertices);
    const enc = device.createCommandEncoder({ label: 'kit.live.deform' });
    deformer.encodeForward(enc, bound, mesh, scene);
    device.queue.submit([enc.finish()]);
    const state = await renderer.render(scene, camera, { background: bg });
    if (readback) await packer.pack(state.color, w * h);
    else await device.queue.onSubmittedWorkDone();
  };
  try {
    await frame(pose(0), true); // warm-up: pipelines
    let stoppedEarly = false;
    for (let i = 0; i < o.frames; i++) {
      if (performance.now() > o.deadline) {
        stoppedEarly = true;
        break;
      }
      const v = pose(i + 1);
      let t = performance.now();
      await frame(v, false);
      gpuMs.push(performance.now() - t);
      t = performance.now();
      await frame(v, true);
      frameMs.push(performance.now() - t);
    }
    const errors = engine.takeErrors();
    return {
      size: `${w}x${h}`,
      gaussians: bound.count,
      trained: avatar.trainer !== null,
      kernels: `${renderer.rasterMode}/${renderer.scanSortMode}`,
      frames: frameMs.length,
      stoppedEarly,
      frameMs: r2(median(frameMs)),
      frameMsP90: r2([...frameMs].sort((a, b) => a - b)[Math.floor(frameMs.length * 0.9)] ?? NaN),
      gpuMs: r2(median(gpuMs)),
      poseMs: r2(median(poseMs)),
      fps: r2(1000 / median(frameMs)),
      ...(errors.length ? { gpuErrors: errors.slice(0, 5) } : {}),
    };
  } finally {
    for (const x of [packer, renderer, deformer, scene, mesh]) x.destroy();
  }
}
