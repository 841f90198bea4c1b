import { runPlayerExport } from '../player-export';
import type { ExportWriter } from './types';

/** `player`: the web player's folder with the avatar's bundle and the tracking models (player-export.ts). */
export const playerWriter: ExportWriter<'player'> = { format: 'player', run: runPlayerExport };
