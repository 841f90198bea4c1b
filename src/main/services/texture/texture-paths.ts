import { avatarDir } from '../training/training-types';

/** Project-relative folder of an avatar's texture layers (one PNG per layer, plus document.json). */
export const textureDir = (avatarId: string) => `${avatarDir(avatarId)}/texture`;
export const layerImagePath = (avatarId: string, layerId: string) => `${textureDir(avatarId)}/${layerId}.png`;
/** `{ revision, savedAt }` — the save counter that detects two windows saving over each other. */
export const textureStatePath = (avatarId: string) => `${textureDir(avatarId)}/document.json`;
/** The map the editor's layers sit on (the `map` column of texture_layers). */
export const COLOUR_MAP = 'colour';
