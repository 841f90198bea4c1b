/**
 * One training step on the GPU: forward → photometric loss → backward → Adam. No readbacks of its own (the forward's
 * 'auto' intersection sizing reads 16 bytes per frame unless a fixed `intersectionCapacity` is given); the loss stays
 * on the GPU until `readLoss()`.
 */
import { createStorageBuffer } from '../gpu/buffers';
import { backwardInputsFromForward, SplatBackward } from '../splat/backward';
import { SceneGradients } from '../splat/backward-grads';
import type { Camera } from '../splat/camera';
import { ForwardRenderer, type ForwardOptions, type ForwardState } from '../splat/forward';
import type { GaussianScene } from '../splat/scene';
import { GpuAdam, type LearningRates } from './adam';
import { Densifier, DEFAULT_CHILD_RULE, type ChildPlacementRule } from './densify';
import { PhotometricLoss } from './loss';

export interface TrainerOptions {
  width: number;
  height: number;
  learningRates?: Partial<LearningRates>;
  lambda?: number;
  background?: readonly [number, number, number];
  intersectionCapacity?: ForwardOptions['intersectionCapacity'];
  childRule?: ChildPlacementRule;
}

export class SplatTrainer {
  readonly device: GPUDevice;
  readonly forward: ForwardRenderer;
  readonly backward: SplatBackward;
  readonly grads: SceneGradients;
  readonly adam: GpuAdam;
  readonly loss: PhotometricLoss;
  readonly densifier: Densifier;
  /** dL/drender, RGBA per pixel (the forward's colour layout). */
  readonly dRender: GPUBuffer;
  step = 0;
  lastState: ForwardState | null = null;

  constructor(
    readonly scene: GaussianScene,
    readonly options: TrainerOptions,
  ) {
    this.device = scene.device;
    this.forward = new ForwardRenderer(this.device);
    this.backward = new SplatBackward(scene);
    this.grads = new SceneGradients(scene);
    this.adam = new GpuAdam(scene, options.learningRates);
    this.loss = new PhotometricLoss(this.device, { width: options.width, height: options.height, stride: 4, lambda: options.lambda });
    this.densifier = new Densifier(scene, this.grads, this.adam, options.childRule ?? DEFAULT_CHILD_RULE);
    this.dRender = createStorageBuffer(this.device, options.width * options.height * 16, 'trainer.dRender');
  }

  /** Renders `camera` (no gradient). */
  render(camera: Camera, shDegree?: number): Promise<ForwardState> {
    return this.forward.render(this.scene, camera, {
      background: this.options.background, shDegree, intersectionCapacity: this.options.intersectionCapacity,
    });
  }

  /** One optimisation step against `target` (RGBA f32, H·W·4) with an optional per-pixel mask (H·W). */
  async trainStep(camera: Camera, target: GPUBuffer, mask: GPUBuffer | null = null, shDegree?: number): Promise<void> {
    this.step++;
    const state = await this.render(camera, shDegree);
    this.lastState = state;
    const enc = this.device.createCommandEncoder({ label: 'train-step' });
    this.loss.encode(enc, state.color, target, this.dRender, mask);
    this.backward.encode(enc, camera, backwardInputsFromForward(state), { rgb: this.dRender, rgbStride: 4 }, this.grads, { background: this.options.background, near: state.near });
    this.adam.step(enc, this.grads, this.step);
    this.device.queue.submit([enc.finish()]);
  }

  destroy(): void {
    this.forward.destroy();
    this.backward.destroy();
    this.grads.destroy();
    this.adam.destroy();
    this.loss.destroy();
    this.densifier.destroy();
    this.dRender.destroy();
  }
}
