/** Loads FLAME from files the user chose in settings (Node only: reads the files, then the platform-neutral parser). */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { StudioError } from '../../../../src/shared/api/errors';
import type { SkinnedHeadModel } from '../head-model';
import { loadFlame, type FlameOptions } from './flame';

async function read(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StudioError('NOT_FOUND', `The ${what} "${path}" does not exist. Choose the file again in Settings → Head model.`);
    if (code === 'EISDIR') throw new StudioError('BAD_REQUEST', `"${path}" is a folder, not a ${what}.`);
    throw new StudioError('BAD_REQUEST', `The ${what} "${path}" cannot be read (${code ?? (e as Error).message}).`);
  }
}

export async function loadFlameFile(modelPath: string, options: Omit<FlameOptions, 'landmarkEmbedding'> & { embeddingPath?: string } = {}): Promise<SkinnedHeadModel> {
  const bytes = await read(modelPath, 'FLAME model file');
  const emb = options.embeddingPath ? { bytes: await read(options.embeddingPath, 'landmark embedding file'), name: basename(options.embeddingPath) } : undefined;
  return loadFlame(bytes, basename(modelPath), { ...options, landmarkEmbedding: emb });
}
