/**
 * Loads FLAME from files the user chose in settings: each read as an outside file (a regular file under its size cap,
 * `readOutsideFileAsync`), then parsed by the engine's platform-neutral loader.
 */
import { basename } from 'node:path';
import type { SkinnedHeadModel } from '@engine/avatar/head-model';
import { loadFlame, type FlameOptions } from '@engine/avatar/flame/flame';
import { StudioError } from '@shared/api/errors';
import { readOutsideFileAsync } from '../fs/contained-path';

/** FLAME 2020/2023 models are 50–150 MB as .pkl or .npz; the MediaPipe landmark embedding is a few KB. */
export const MAX_FLAME_MODEL_BYTES = 1024 ** 3;
export const MAX_FLAME_EMBEDDING_BYTES = 64 * 1024 ** 2;

async function read(path: string, what: string, maxBytes: number): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readOutsideFileAsync(path, { maxBytes, what: `The ${what}` }));
  } catch (e) {
    if (e instanceof StudioError && e.code === 'NOT_FOUND') throw new StudioError('NOT_FOUND', `The ${what} "${path}" does not exist. Choose the file again in Settings → Head model.`);
    throw e;
  }
}

export async function loadFlameFile(modelPath: string, options: Omit<FlameOptions, 'landmarkEmbedding'> & { embeddingPath?: string } = {}): Promise<SkinnedHeadModel> {
  const bytes = await read(modelPath, 'FLAME model file', MAX_FLAME_MODEL_BYTES);
  const emb = options.embeddingPath ? { bytes: await read(options.embeddingPath, 'landmark embedding file', MAX_FLAME_EMBEDDING_BYTES), name: basename(options.embeddingPath) } : undefined;
  return loadFlame(bytes, basename(modelPath), { ...options, landmarkEmbedding: emb });
}
