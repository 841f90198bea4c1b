import type { BakeSummary } from '@shared/model/bake';

/** Params of an `avatar.bake` job (resolved by the host, so the worker needs no library reads beyond the capture). */
export interface BakeParams {
  projectId: string;
  avatarId: string;
  captureId: string;
  mapSize: 256 | 512 | 1024;
  steps: number;
  levels: number;
  /** Most bake views (tracked train frames, evenly spaced) rendered from the trained avatar. */
  maxViews: number;
  /** Most held-out frames (evenly spaced) the before/after report evaluates (each is rendered four times). */
  maxHeldOut: number;
  /** The training image size (long side): views and held-out frames are rendered at it. */
  imageLongSide: number;
  /** The training run framed its frames on the head (TrainingConfig.frameSubject): the bake frames them alike. */
  frameSubject: boolean;
  /** The training run's held-out camera (its frames are the held-out set), null: the capture's test split. */
  holdOutCamera: string | null;
  /** Project-relative inputs. */
  files: { avatar: string; expressionSpace: string };
}

export interface BakeOutput {
  /** Files written in the partial folder (names). */
  files: string[];
  summary: BakeSummary;
}

export const DEFAULT_BAKE = { mapSize: 512 as const, steps: 300, levels: 4, maxViews: 48, maxHeldOut: 24 };
export const MAX_BAKE_STEPS = 20_000;
