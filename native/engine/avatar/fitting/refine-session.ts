/**
 * The tracking job's photometric refinement as a GPU session (native/engine/host/gpu-sessions.ts): the head model
 * travels as data (head-model-wire.ts) and the refiner runs where the engine runs; frames come one call at a time.
 */
import type { EngineDevice } from '../../gpu/engine-device';
import { headModelFromWire, type HeadModelWire } from '../head-model-wire';
import { PhotometricRefiner, type PhotometricRefineOptions, type RefineFrame, type RefineResult } from './photometric-refine';

export interface RefineSessionInit {
  model: HeadModelWire;
  options: PhotometricRefineOptions;
}

export class RefineSession {
  private readonly refiner: PhotometricRefiner;

  constructor(engine: EngineDevice, init: RefineSessionInit) {
    this.refiner = new PhotometricRefiner(engine.device, headModelFromWire(init.model) as ConstructorParameters<typeof PhotometricRefiner>[1], init.options);
  }

  buildAppearance(keyframes: RefineFrame[]): Promise<{ seen: number; count: number }> {
    return this.refiner.buildAppearance(keyframes);
  }

  refine(frame: RefineFrame, signal?: AbortSignal): Promise<RefineResult> {
    return this.refiner.refine(frame, signal);
  }

  destroy(): void {
    this.refiner.destroy();
  }
}
