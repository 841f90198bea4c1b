/**
 * The bake job's GPU half as a session (native/engine/host/gpu-sessions.ts): the open head is rebuilt from the
 * subject's expression space where the engine runs, and `bake` is `bakeAvatar` on that device. Its progress callbacks
 * come back to the job worker wherever the session runs.
 */
import type { EngineDevice } from '../../gpu/engine-device';
import type { BoundGaussianData } from '../binding/bound-gaussians';
import type { HeadModel } from '../head-model';
import { openHeadFor, type StoredExpressionSpace } from '../open-head/stored-space';
import type { AvatarFrame } from '../trainer/frames';
import { bakeAvatar, type BakeOptions, type BakeResult } from './bake';
import type { BakeView } from './observation';

export interface BakeSessionInit {
  space: StoredExpressionSpace;
}

export class BakeSession {
  private readonly model: HeadModel;

  constructor(
    private readonly engine: EngineDevice,
    init: BakeSessionInit,
  ) {
    this.model = openHeadFor(init.space);
  }

  bake(trained: BoundGaussianData, views: BakeView[], options: BakeOptions, heldOut: AvatarFrame[]): Promise<BakeResult> {
    return bakeAvatar(this.engine.device, this.model, trained, views, options, heldOut);
  }

  destroy(): void {}
}
