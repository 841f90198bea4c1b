import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import type { BoundGaussianData } from '@engine/avatar/binding';
import type { BakeView } from '@engine/avatar/bake';
import type { AvatarFrame } from '@engine/avatar/trainer';
import type { HeadModel } from '@engine/avatar/head-model';
import { openHeadFor, type StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';
import { loadFrames, readCapture, type CaptureCamera } from '../training/frame-loading';
import { captureTrackingDir } from '../training/training-types';
import type { BakeParams } from './bake-types';

export interface BakeInputs {
  /** The subject's expression space: `model` is the open head built from it (the bake session rebuilds it so). */
  space: StoredExpressionSpace;
  model: HeadModel;
  trained: BoundGaussianData;
  views: BakeView[];
  heldOut: AvatarFrame[];
}

/** Every `n`-th of `items` so that at most `max` remain, spread over the whole range. */
export function evenlySpaced<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  return Array.from({ length: max }, (_, k) => items[Math.floor(((k + 0.5) * items.length) / max)]!);
}

/**
 * The trained avatar, its open head, the bake views (at most `maxViews` tracked train frames, evenly spaced: the
 * trained avatar is rendered at their head pose and camera) and the held-out frames (at most `maxHeldOut` of the
 * training run's test set, evenly spaced, images included) — loaded as the training job loads its frames (frame-loading.ts), at the training image size.
 */
export function loadBakeInputs(libraryDir: string, projectDir: string, p: BakeParams, throwIfCancelled: () => void): BakeInputs {
  const abs = (rel: string) => path.join(projectDir, ...rel.split('/'));
  let trained: BoundGaussianData;
  try {
    trained = parseAvatarBin(new Uint8Array(fs.readFileSync(abs(p.files.avatar))));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StudioError('NOT_FOUND', `The avatar's file ${p.files.avatar} is missing from the project folder; train the avatar again.`);
    throw new StudioError('CONFLICT', `The avatar's file ${p.files.avatar} cannot be read (${(err as Error).message}); train the avatar again.`);
  }
  let space: StoredExpressionSpace;
  try {
    space = JSON.parse(fs.readFileSync(abs(p.files.expressionSpace), 'utf8')) as StoredExpressionSpace;
  } catch (err) {
    throw new StudioError('CONFLICT', `The capture's expression space cannot be read (${(err as Error).message}); track the capture again, then bake.`);
  }
  const model = openHeadFor(space);
  const cameras = readCapture(libraryDir, p.captureId);
  // Only the frames the bake uses are decoded: the views' images are not needed (the trained avatar's renders are the
  // targets), but loadFrames reads them; keeping the view count small keeps that cheap.
  const picked: CaptureCamera[] = cameras.map((c) => {
    const perCamera = (max: number) => Math.ceil(max / Math.max(1, p.holdOutCamera ? 1 : cameras.length));
    const test = evenlySpaced(c.frames.filter((f) => (p.holdOutCamera ? c.id === p.holdOutCamera : f.split === 'test')), perCamera(p.maxHeldOut));
    const train = p.holdOutCamera === c.id ? [] : c.frames.filter((f) => f.split === 'train');
    return { ...c, frames: [...evenlySpaced(train, Math.ceil(p.maxViews / cameras.length)), ...test].sort((a, b) => a.idx - b.idx) };
  });
  const frames = loadFrames(model, picked, { projectDir, trackingDir: abs(captureTrackingDir(p.captureId)), imageLongSide: p.imageLongSide, frameSubject: p.frameSubject, holdOutCamera: p.holdOutCamera, throwIfCancelled });
  if (frames.train.length === 0)
    throw new StudioError('CONFLICT', `The capture has no tracked train frames to bake from${frames.untracked ? ` (${frames.untracked} frames have no tracking)` : ''}; track the capture again, then bake.`);
  return {
    space,
    model,
    trained,
    views: frames.train.map((f) => ({ head: f.frame.head, camera: f.frame.camera })),
    heldOut: frames.test.map((f) => f.frame),
  };
}
