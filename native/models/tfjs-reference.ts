/**
 * Test helper: runs a TF.js graph model on the pure-JS CPU backend (the reference the converter is checked
 * against). Test-only: it imports devDependencies.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import type { TfModelJson } from './tfjs-graph';

let ready: Promise<boolean> | undefined;
export function cpuBackend() {
  ready ??= tf.setBackend('cpu');
  return ready;
}

export async function loadTfjsModel(json: TfModelJson, weightData: ArrayBuffer): Promise<GraphModel> {
  await cpuBackend();
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[];
  return loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology as tf.io.ModelJSON['modelTopology'], weightSpecs, weightData, signature: json.signature } as tf.io.ModelArtifacts));
}

export async function loadTfjsModelFile(modelJsonPath: string): Promise<{ model: GraphModel; json: TfModelJson }> {
  const json = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8')) as TfModelJson;
  const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(path.dirname(modelJsonPath), p))));
  const all = Buffer.concat(shards);
  return { model: await loadTfjsModel(json, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)), json };
}

/** Runs the model on one NHWC float input; returns each named output's data and shape. */
export async function runTfjs(model: GraphModel, input: { name: string; data: Float32Array; shape: number[] }, outputs: string[]) {
  const x = tf.tensor(input.data, input.shape, 'float32');
  const res = (await model.executeAsync({ [input.name]: x }, outputs)) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(res) ? res : [res];
  const out = await Promise.all(list.map(async (t) => ({ data: (await t.data()) as Float32Array, shape: t.shape })));
  tf.dispose([x, ...list]);
  return out;
}

export { tf };
