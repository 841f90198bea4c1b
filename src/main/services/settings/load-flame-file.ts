/**
 * Loads FLAME from files the user chose in settings: each read as an outside file (a regular file under its size cap,
 * `readOutsideFileAsync`), then parsed by the engine's platform-neutral loader. The engine's refusals (FlameError:
 * what is wrong, and with which file) become BAD_REQUEST here, with what the user can do about it.
 */
import { basename } from 'node:path';
import type { SkinnedHeadModel } from '@engine/avatar/head-model';
import { FlameError, loadFlame, type FlameErrorSubject, type FlameOptions } from '@engine/avatar/flame/flame';
import { StudioError } from '@shared/api/errors';
import { readOutsideFileAsync } from '../fs/contained-path';

/** FLAME 2020/2023 models are 50–150 MB as .pkl or .npz; the MediaPipe landmark embedding is a few KB. */
export const MAX_FLAME_MODEL_BYTES = 1024 ** 3;
export const MAX_FLAME_EMBEDDING_BYTES = 64 * 1024 ** 2;

/** What to do, after the engine's account of what is wrong, per file. */
const FLAME_FIX: Record<FlameErrorSubject, string> = {
  model: 'Choose the FLAME model file (generic_model.pkl, flame2023.pkl or an .npz with the same arrays) downloaded from the FLAME website.',
  embedding: 'Choose mediapipe_landmark_embedding.npz or landmark_embedding.npy.',
  options: 'Choose a count from 0 up.',
};

/** A FlameError as the StudioError the user sees; an unforeseen failure keeps its original error as `cause`. */
export function flameRefusal(e: FlameError): StudioError {
  const err = new StudioError('BAD_REQUEST', `${e.message} ${FLAME_FIX[e.subject]}`);
  if (e.cause !== undefined) err.cause = e.cause;
  return err;
}

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
  try {
    return loadFlame(bytes, basename(modelPath), { ...options, landmarkEmbedding: emb });
  } catch (e) {
    throw e instanceof FlameError ? flameRefusal(e) : e;
  }
}
