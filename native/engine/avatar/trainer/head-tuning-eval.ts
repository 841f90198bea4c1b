/**
 * Test-time fitting of held-out frames' head parameters with the avatar frozen (as monocular avatar papers do before
 * evaluation: FATE/IMavatar fine-tune FLAME and camera per test frame). Per iteration and frame: the frame is posed by
 * its own `HeadTuning` (with the trained avatar's correctives, frozen), rendered and back-propagated through the
 * trainer (`lossAndGradient`: no parameter update), and the vertex gradient moves only that frame's parameters.
 * Default: rigid pose only (rotation + translation); expression and joints are options.
 */
import { createStorageBuffer } from '../../gpu/buffers';
import { readF32 } from '../../gpu/readback';
import type { AvatarTrainer } from './avatar-trainer';
import { prepareFrame, type AvatarFrame } from './frames';
import { HeadTuning, type HeadTuningOptions } from './head-tuning';

export interface EvaluationFitOptions {
  /** Passes over the frames (one render + backward per frame each). Default 30. */
  iterations?: number;
  /** Parameter groups fitted. Default rigid pose only. */
  frames?: { rotation?: boolean; translation?: boolean; expression?: boolean; joints?: readonly number[] };
  learningRates?: HeadTuningOptions['learningRates'];
  prior?: HeadTuningOptions['prior'];
  /** Background of the fitting renders (default black, as `evaluate`). */
  background?: readonly [number, number, number];
  /** Called after each pass (1-based); throwing from it stops the fit (the trainer is left as it was). */
  onPass?: (pass: number, passes: number) => void;
}

export interface EvaluationFit {
  /** The frames with fitted head parameters (rotation as a row-major 3×3), ready for `trainer.evaluate`. */
  frames: AvatarFrame[];
  tuning: HeadTuning;
}

/**
 * Fits the head parameters of `frames` (not trained on) to their images with the trainer's avatar frozen. The
 * trainer's parameters, Adam state and densification statistics are unchanged afterwards.
 */
export async function fitEvaluationFrames(trainer: AvatarTrainer, frames: readonly AvatarFrame[], options: EvaluationFitOptions = {}): Promise<EvaluationFit> {
  const model = trainer.model, device = trainer.device;
  const tuning = new HeadTuning(model, frames.map((f) => f.head), {
    frames: { rotation: true, translation: true, expression: false, joints: [], ...options.frames },
    correctives: false,
    learningRates: options.learningRates,
    prior: options.prior,
  });
  if (trainer.headTuning) tuning.useCorrectives(trainer.headTuning.correctives);
  const saved = trainer.headTuning;
  // The trainer's hook poses frames beyond its own with their prepared vertices (which we rewrite per iteration).
  if (!saved) trainer.headTuning = HeadTuning.passThrough(model);
  // Every backward adds to the densification statistics: keep a copy and put it back.
  const keep = [trainer.worldGrads.stats, trainer.boundGrads.stats].map((b) => ({ b, copy: createStorageBuffer(device, b.size, 'eval-fit.stats') }));
  const enc = device.createCommandEncoder({ label: 'eval-fit.save' });
  for (const k of keep) enc.copyBufferToBuffer(k.b, 0, k.copy, 0, k.b.size);
  device.queue.submit([enc.finish()]);
  const bg = options.background ?? [0, 0, 0];
  try {
    const prepared = frames.map((f) => prepareFrame(model, f));
    for (let it = 0; it < (options.iterations ?? 30); it++) {
      for (let k = 0; k < frames.length; k++) {
        const p = prepared[k]!;
        p.vertices = tuning.vertices(k);
        trainer.frames.push(p);
        try {
          await trainer.lossAndGradient(trainer.frames.length - 1, bg);
        } finally {
          trainer.frames.pop();
        }
        tuning.applyGradient(k, await readF32(device, trainer.deformer.vertexGrads, 0, model.vertexCount * 3));
      }
      options.onPass?.(it + 1, options.iterations ?? 30);
    }
  } finally {
    trainer.headTuning = saved;
    const back = device.createCommandEncoder({ label: 'eval-fit.restore' });
    for (const k of keep) back.copyBufferToBuffer(k.copy, 0, k.b, 0, k.b.size);
    device.queue.submit([back.finish()]);
    for (const k of keep) k.copy.destroy();
  }
  const ex = tuning.export();
  return { frames: frames.map((f, k) => ({ ...f, head: ex.frames[k]! })), tuning };
}
