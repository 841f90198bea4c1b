/**
 * ONNX Runtime (onnxruntime-node) sessions for the converted models (`npm run models:build` writes them to
 * `.cache/models/`), and where that folder is: the Node half of the tracker (the models' names and the browser
 * sessions are native/tracking's).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { modelFileName, type ModelName } from '@tracking/models';

export type { ModelName };

export class ModelsMissingError extends Error {
  constructor(
    readonly dir: string,
    readonly missing: string[],
  ) {
    super(`tracking models not built (${missing.join(', ')} missing in ${dir}): run \`npm run models:build\``);
  }
}

/** `AVATAR_STUDIO_MODELS_DIR`, else `.cache/models` at the repository (or app) root. */
export function defaultModelsDir(): string {
  if (process.env.AVATAR_STUDIO_MODELS_DIR) return process.env.AVATAR_STUDIO_MODELS_DIR;
  // walk up from this file to the folder holding package.json (source tree, or out/main in a build)
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, '.cache', 'models');
    dir = path.dirname(dir);
  }
  return path.join(process.cwd(), '.cache', 'models');
}

export interface ModelSet {
  dir: string;
  sessions: Partial<Record<ModelName, ort.InferenceSession>>;
  release(): Promise<void>;
}

export async function loadModels(names: ModelName[], dir = defaultModelsDir(), threads = Math.min(2, os.availableParallelism())): Promise<ModelSet> {
  const missing = names.filter((n) => !fs.existsSync(path.join(dir, modelFileName(n))));
  if (missing.length) throw new ModelsMissingError(dir, missing);
  const sessions: ModelSet['sessions'] = {};
  for (const n of names) {
    sessions[n] = await ort.InferenceSession.create(path.join(dir, modelFileName(n)), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      // flush denormals: some crops drive activations into subnormal floats, which are ~100× slower on x86
      extra: { session: { set_denormal_as_zero: '1', intra_op: { allow_spinning: '0' } } },
    });
  }
  return {
    dir,
    sessions,
    async release() {
      await Promise.all(Object.values(sessions).map((s) => s?.release()));
    },
  };
}

export async function run1(session: ort.InferenceSession, input: Float32Array, shape: number[]): Promise<Record<string, Float32Array>> {
  const res = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, shape) });
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(res)) out[k] = v.data as Float32Array;
  return out;
}

export function outputDims(session: ort.InferenceSession): Record<string, readonly (number | string)[]> {
  const out: Record<string, readonly (number | string)[]> = {};
  for (const m of session.outputMetadata) if (m.isTensor) out[m.name] = m.shape;
  return out;
}
