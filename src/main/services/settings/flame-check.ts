/**
 * Checks the FLAME files a user supplies in settings: loads them in the host with the engine's loader (pickle/npz
 * parsed in TS) and reports what they hold. A result is cached per (path, size, mtime) so `tracking.start` can
 * re-check cheaply; a changed or removed file is loaded again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadFlameFile } from './load-flame-file';
import { StudioError } from '@shared/api/errors';
import type { FlameCheck, FlameSettings } from '@shared/model/settings';

const cache = new Map<string, FlameCheck>();

function stamp(file: string): string | null {
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return null;
  }
}

function requireAbsolute(file: string, what: string): void {
  if (!path.isAbsolute(file)) throw new StudioError('BAD_REQUEST', `The ${what} must be given as a full path (got "${file}").`);
}

export async function checkFlameFiles(files: { modelPath: string; embeddingPath?: string | null }): Promise<FlameCheck> {
  requireAbsolute(files.modelPath, 'FLAME model file');
  if (files.embeddingPath) requireAbsolute(files.embeddingPath, 'landmark embedding file');
  const key = `${files.modelPath}\u0000${stamp(files.modelPath)}\u0000${files.embeddingPath ?? ''}\u0000${files.embeddingPath ? stamp(files.embeddingPath) : ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const model = await loadFlameFile(files.modelPath, { embeddingPath: files.embeddingPath ?? undefined });
  if (model.vertexCount < 4 || model.triangles.length === 0) throw new StudioError('BAD_REQUEST', `"${path.basename(files.modelPath)}" holds no mesh; it is not a FLAME model.`);
  const result: FlameCheck = { ok: true, vertices: model.vertexCount, shapeCount: model.shapeCount, expressionCount: model.expressionCount, landmarkCount: model.landmarks.landmarkIndex.length };
  cache.set(key, result);
  return result;
}

/** For `tracking.start` with headModel 'flame': the files from settings, checked, or a clear refusal. */
export async function requireFlameForTracking(flame: FlameSettings): Promise<{ modelPath: string; embeddingPath: string }> {
  if (!flame.modelPath) throw new StudioError('BAD_REQUEST', 'FLAME is not set up. Choose the FLAME model file (e.g. flame2023.pkl or generic_model.pkl from flame.is.tue.mpg.de) in Settings → Head model, or track with the open head.');
  if (!flame.embeddingPath) throw new StudioError('BAD_REQUEST', 'Fitting FLAME to footage needs a landmark embedding (mediapipe_landmark_embedding.npz). Set it in Settings → Head model, or track with the open head.');
  const check = await checkFlameFiles({ modelPath: flame.modelPath, embeddingPath: flame.embeddingPath });
  if (check.landmarkCount < 30) throw new StudioError('BAD_REQUEST', `The landmark embedding places only ${check.landmarkCount} landmarks on FLAME; fitting needs at least 30. Choose mediapipe_landmark_embedding.npz in Settings → Head model.`);
  return { modelPath: flame.modelPath, embeddingPath: flame.embeddingPath };
}

/** Before `settings.update` saves FLAME paths: the model (with its embedding) must load; an embedding alone must exist. */
export async function validateFlameSettings(flame: FlameSettings): Promise<void> {
  if (flame.modelPath) {
    await checkFlameFiles({ modelPath: flame.modelPath, embeddingPath: flame.embeddingPath });
    return;
  }
  if (flame.embeddingPath) {
    requireAbsolute(flame.embeddingPath, 'landmark embedding file');
    if (!fs.existsSync(flame.embeddingPath)) throw new StudioError('NOT_FOUND', `The landmark embedding file "${flame.embeddingPath}" does not exist.`);
  }
}
