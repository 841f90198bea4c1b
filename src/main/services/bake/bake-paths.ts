import { avatarDir } from '../training/training-types';

/**
 * Files of an avatar's bake, project-relative (plan: `avatars/<id>/bake/`). The job writes `bake.partial/` and the
 * host swaps it in whole on success, so a failed re-bake leaves the previous bake untouched. A module of its own so
 * readers (avatars.get, the texture editor) need not load the engine.
 */
export const bakeDir = (avatarId: string) => `${avatarDir(avatarId)}/bake`;
export const bakePartialDir = (avatarId: string) => `${avatarDir(avatarId)}/bake.partial`;

/** File names inside the bake folder. */
export const BAKE_FILES = {
  /** The composed maps + visibility (native/engine/avatar/bake/baked-maps-file.ts). */
  maps: 'maps.bin',
  /** The baked avatar's Gaussians in the avatar.bin format. */
  bakedAvatar: 'baked-avatar.bin',
  colour: 'colour.png',
  opacity: 'opacity.png',
  visibility: 'visibility.png',
  report: 'report.json',
} as const;

export type BakeFileKey = keyof typeof BAKE_FILES;

/** Project-relative paths of every bake file of an avatar. */
export function bakeFilePaths(avatarId: string): Record<BakeFileKey, string> {
  const dir = bakeDir(avatarId);
  return Object.fromEntries(Object.entries(BAKE_FILES).map(([k, name]) => [k, `${dir}/${name}`])) as Record<BakeFileKey, string>;
}
