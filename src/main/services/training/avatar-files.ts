import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import type { AvatarWithFiles } from '@shared/model/avatar-files';
import type { StudioServices } from '../studio-services';

import { trackingDir } from '../tracking/tracking-paths';
import { bakeFilePaths } from '../bake/bake-paths';
import { avatarDir } from './training-types';

/**
 * `avatars.get`: the avatar row plus the project-relative paths a viewer fetches — avatar.bin, meta.json, the
 * capture's expression space (the subject's open head), each camera's fit.json (the tracked motion) and the bake's
 * files (when `bake/maps.bin` exists). Only files
 * that exist are listed; a missing avatar.bin is NOT_FOUND (the avatar's folder was removed by hand).
 */
export function avatarWithFiles(services: Pick<StudioServices, 'avatars' | 'captures' | 'projects'>, avatarId: string): AvatarWithFiles {
  const avatar = services.avatars.get(avatarId);
  const root = services.projects.folderOf(avatar.projectId);
  const exists = (rel: string) => fs.existsSync(path.join(root, ...rel.split('/')));
  const dir = avatarDir(avatar.id);
  const files: AvatarWithFiles['files'] = { avatar: `${dir}/avatar.bin`, meta: `${dir}/meta.json`, expressionSpace: null, headTuning: null, fits: [], bake: null };
  if (!exists(files.avatar)) throw new StudioError('NOT_FOUND', `The avatar's file ${files.avatar} is missing from the project folder; train the avatar again.`);
  if (exists(`${dir}/head-tuning.bin`)) files.headTuning = `${dir}/head-tuning.bin`;
  const bake = bakeFilePaths(avatar.id);
  if (exists(bake.maps)) files.bake = bake;
  let fps: number | null = null;
  if (avatar.captureId) {
    let capture: ReturnType<StudioServices['captures']['get']> | null = null;
    try {
      capture = services.captures.get(avatar.captureId);
    } catch (err) {
      if (!(err instanceof StudioError && err.code === 'NOT_FOUND')) throw err;
    }
    if (capture) {
      fps = capture.fps;
      const tracking = trackingDir(capture.id);
      if (exists(`${tracking}/expression-space.json`)) files.expressionSpace = `${tracking}/expression-space.json`;
      for (const cam of capture.cameras) {
        const fit = `${tracking}/${cam.id.split(':').at(-1)}/fit.json`;
        if (exists(fit)) files.fits.push({ cameraId: cam.id, cameraName: cam.name, path: fit });
      }
    }
  }
  // An imported avatar (avatars.import) has no capture: its head and tracked motion are in its own folder.
  if (!files.expressionSpace && exists(`${dir}/expression-space.json`)) files.expressionSpace = `${dir}/expression-space.json`;
  if (!files.fits.length && exists(`${dir}/motion.json`)) files.fits.push({ cameraId: 'imported', cameraName: 'Imported motion', path: `${dir}/motion.json` });
  return { avatar, files, fps };
}
