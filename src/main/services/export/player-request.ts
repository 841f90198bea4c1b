/** Host side of the `player` export (worker side: player-export.ts): the bundle's request checks, a folder target. */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import type { StudioServices } from '../studio-services';
import { prepareDataExport } from './data-export-request';
import type { ExportParams } from './export-types';

/** The bundle's checks and files, a folder target (default `exports/<avatar>-v<version>-player`). */
export function preparePlayerExport(s: Pick<StudioServices, 'avatars' | 'captures' | 'projects'>, r: { avatarId: string; frame?: number; expression?: number[]; path?: string }): ExportParams {
  if (r.frame !== undefined || r.expression !== undefined) throw new StudioError('BAD_REQUEST', 'A player export holds the whole avatar and its motion; a frame or an expression applies to ply and gltf.');
  const p = prepareDataExport(s, { avatarId: r.avatarId, format: 'bundle', ...(r.path ? { path: r.path } : {}) });
  // prepareDataExport names the bundle file `<project>/exports/<avatar>-v<version>-bundle.avatar`; the player is a folder beside it.
  const target = r.path ?? path.join(path.dirname(p.target), path.basename(p.target).replace(/bundle\.avatar$/, 'player'));
  if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) throw new StudioError('BAD_REQUEST', `${target} is a file; a player export writes a folder. Choose a folder path.`);
  return { ...p, format: 'player', target };
}

