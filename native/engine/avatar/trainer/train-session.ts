/**
 * The training job's GPU half as a session (native/engine/host/gpu-sessions.ts): the avatar, its trainer and the
 * frames live wherever the engine runs (a Node Dawn device, or Chromium's WebGPU in the desktop app); the job worker
 * keeps the schedule, the files and the progress, and calls these methods. Everything in and out is plain data.
 */
import type { EngineDevice } from '../../gpu/engine-device';
import { BoundGaussians, type BoundGaussianData } from '../binding';
import { openHeadFor, type StoredExpressionSpace } from '../open-head/stored-space';
import { AvatarTrainer, type AvatarTrainerOptions } from './avatar-trainer';
import { renderAndCompare, type FrameComparison } from './frame-compare';
import type { AvatarFrame } from './frames';
import { fitEvaluationFrames, type EvaluationFitOptions } from './head-tuning-eval';

export interface TrainSessionInit {
  /** The subject's expression space (tracking/expression-space.json): the open head is built from it. */
  space: StoredExpressionSpace;
  /** Training frames, in the trainer's order. */
  frames: AvatarFrame[];
  /** The avatar it starts from (the open head's UV layout, `initFromUvLayout`, made by the caller, which needs its count). */
  start: BoundGaussianData;
  /** Trainer options without callbacks. */
  options: Omit<AvatarTrainerOptions, 'onRollback'>;
}

/** Where the trainer stands after a call. */
export interface TrainState {
  step: number;
  count: number;
  rollbacks: number;
  hasHeadTuning: boolean;
}

export class TrainSession {
  private readonly trainer: AvatarTrainer;
  private readonly bound: BoundGaussians;

  constructor(
    private readonly engine: EngineDevice,
    init: TrainSessionInit,
  ) {
    const model = openHeadFor(init.space);
    this.bound = BoundGaussians.fromData(engine.device, init.start);
    try {
      this.trainer = new AvatarTrainer(model, this.bound, init.frames, init.options);
    } catch (e) {
      this.bound.destroy();
      throw e;
    }
  }

  state(): TrainState {
    const t = this.trainer;
    return { step: t.step, count: t.count, rollbacks: t.rollbacks, hasHeadTuning: t.headTuning !== null };
  }

  restore(checkpoint: ArrayBuffer): TrainState {
    this.trainer.restore(checkpoint);
    return this.state();
  }

  checkpoint(): Promise<ArrayBuffer> {
    return this.trainer.checkpoint();
  }

  /**
   * Runs steps until `maxSteps` is reached or `budgetMs` has passed (at least one step), so a remote caller pays one
   * round trip per batch. `loseDeviceAtStep` is a test hook: the device is destroyed right after that step.
   */
  async train(opts: { maxSteps: number; budgetMs?: number; loseDeviceAtStep?: number }): Promise<TrainState> {
    const t = this.trainer;
    const queue = this.engine.device.queue;
    const started = performance.now();
    // A browser's WebGPU returns from a step as soon as its work is queued: without a brake the loop would queue the
    // whole run within seconds (progress counting steps not done, a pause waiting for all of them). At most two steps
    // are in flight, and the call returns when its steps are done.
    let previous: Promise<unknown> = Promise.resolve();
    do {
      await t.trainStep();
      if (opts.loseDeviceAtStep && t.step === opts.loseDeviceAtStep) this.engine.device.destroy();
      const done = queue.onSubmittedWorkDone();
      await previous;
      previous = done;
    } while (t.step < opts.maxSteps && performance.now() - started < (opts.budgetMs ?? 0));
    await previous;
    return this.state();
  }

  /** The latest training loss: the health monitor's reading, else the last step's loss read back (three floats). */
  async loss(): Promise<number> {
    return this.trainer.lastStats()?.loss ?? (await this.trainer.loss.readLoss()).loss;
  }

  /** A training frame (by index) or a held-out frame rendered and compared with its target (frame-compare.ts). */
  compare(item: number | AvatarFrame, background?: readonly [number, number, number]): Promise<FrameComparison> {
    return renderAndCompare(this.trainer, item, background);
  }

  /** Held-out frames' head parameters fitted to their images with the avatar frozen; returns the fitted frames. */
  async fitEvaluation(frames: AvatarFrame[], options: EvaluationFitOptions): Promise<AvatarFrame[]> {
    const fit = await fitEvaluationFrames(this.trainer, frames, options);
    return fit.frames;
  }

  readAvatar(): Promise<BoundGaussianData> {
    return this.bound.read();
  }

  /** The learnt per-frame head parameters and correctives (`readHeadTuningExport` reads them), or null. */
  headTuningBytes(): Uint8Array | null {
    return this.trainer.headTuning ? this.trainer.headTuning.toBytes() : null;
  }

  destroy(): void {
    this.trainer.destroy();
    this.bound.destroy();
  }
}
