import { BoundGaussians } from '../../native/engine/avatar/binding/bound-gaussians';
import { AvatarTrainer, type AvatarTrainerOptions } from '../../native/engine/avatar/trainer/avatar-trainer';
import type { AvatarFrame } from '../../native/engine/avatar/trainer/frames';
import type { HeadModel } from '../../native/engine/avatar/head-model';
import { uvAvatar } from '../../native/engine/avatar/trainer/test-fixtures';

/**
 * Times `steps` avatar-trainer steps on a fresh UV-initialised avatar, each to GPU completion (a step only queues GPU
 * work), after a 2-step warm-up (pipelines). The trainer and its avatar are returned for further probing; the caller
 * destroys them.
 */
export async function timeTrainerSteps(
  device: GPUDevice,
  model: HeadModel,
  frames: AvatarFrame[],
  uv: number,
  steps: number,
  options: AvatarTrainerOptions,
): Promise<{ times: number[]; trainer: AvatarTrainer; bound: BoundGaussians }> {
  const bound = BoundGaussians.fromData(device, uvAvatar(model, uv));
  const trainer = new AvatarTrainer(model, bound, frames, options);
  await trainer.train(2);
  await device.queue.onSubmittedWorkDone();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await trainer.trainStep();
    await device.queue.onSubmittedWorkDone();
    times.push(performance.now() - t0);
  }
  return { times, trainer, bound };
}
