/**
 * Converts the package-shipped TF.js models (`catalog.ts`) to ONNX in `.cache/models/` (ignored by git).
 * Idempotent: each output has a `<name>.json` manifest holding the SHA-256 of its inputs (model.json, shards and
 * the converter's own source); an output whose hash matches is skipped. No network is ever used.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_SOURCES, type ModelSource } from './catalog';
import { CONVERTER_VERSION, convertTfGraph } from './convert';
import { encodeModel } from './onnx-proto';
import { loadTfGraph, type TfModelJson } from './tfjs-graph';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../..');
export const DEFAULT_MODELS_DIR = path.join(REPO_ROOT, '.cache', 'models');

export interface ModelManifest {
  name: string;
  role: ModelSource['role'];
  hash: string;
  converter: string;
  source: string;
  licence: string;
  inputs: { name: string; shape: number[] }[];
  outputs: { name: string; shape: number[] }[];
  ops: Record<string, number>;
  bytes: number;
}

/** Finds `models/<name>.json` in the first installed package that ships it. */
export function findModelSource(src: ModelSource, fromDir = REPO_ROOT): string | undefined {
  const req = createRequire(path.join(fromDir, 'package.json'));
  for (const pkg of src.packages) {
    let dir: string | undefined;
    try {
      dir = path.dirname(req.resolve(`${pkg}/package.json`));
    } catch {
      // "exports" may hide package.json: look in node_modules directly
      const p = path.join(fromDir, 'node_modules', pkg);
      if (fs.existsSync(p)) dir = p;
    }
    if (!dir) continue;
    const file = path.join(dir, 'models', `${src.name}.json`);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

function converterHash(): string {
  const h = crypto.createHash('sha256');
  for (const f of ['convert.ts', 'tfjs-graph.ts', 'onnx-proto.ts', 'onnx.proto']) h.update(fs.readFileSync(path.join(here, f)));
  return h.digest('hex');
}

function sourceHash(modelJson: string, converter: string): string {
  const h = crypto.createHash('sha256');
  h.update(CONVERTER_VERSION).update(converter);
  const text = fs.readFileSync(modelJson);
  h.update(text);
  const json = JSON.parse(text.toString('utf8')) as TfModelJson;
  for (const g of json.weightsManifest) for (const p of g.paths) h.update(fs.readFileSync(path.join(path.dirname(modelJson), p)));
  return h.digest('hex');
}

export interface BuildResult {
  name: string;
  status: 'converted' | 'up-to-date' | 'missing';
  file?: string;
  ms: number;
  message?: string;
}

export function buildModels(outDir = DEFAULT_MODELS_DIR, opts: { force?: boolean; only?: string[]; log?: (s: string) => void } = {}): BuildResult[] {
  const log = opts.log ?? (() => {});
  fs.mkdirSync(outDir, { recursive: true });
  const conv = converterHash();
  const results: BuildResult[] = [];
  for (const src of MODEL_SOURCES) {
    if (opts.only && !opts.only.includes(src.name)) continue;
    const t0 = performance.now();
    const modelJson = findModelSource(src);
    if (!modelJson) {
      results.push({ name: src.name, status: 'missing', ms: 0, message: `none of ${src.packages.join(', ')} is installed with models/${src.name}.json` });
      continue;
    }
    const hash = sourceHash(modelJson, conv);
    const onnxFile = path.join(outDir, `${src.name}.onnx`);
    const manifestFile = path.join(outDir, `${src.name}.json`);
    if (!opts.force && fs.existsSync(onnxFile) && fs.existsSync(manifestFile)) {
      try {
        const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as ModelManifest;
        if (m.hash === hash && fs.statSync(onnxFile).size === m.bytes) {
          results.push({ name: src.name, status: 'up-to-date', file: onnxFile, ms: performance.now() - t0 });
          continue;
        }
      } catch {
        // rebuild
      }
    }
    const graph = loadTfGraph(modelJson);
    const converted = convertTfGraph(graph, { name: src.name, doc: `${src.upstream}; ${src.licence}`, metadata: { source: path.relative(REPO_ROOT, modelJson), licence: src.licence } });
    const bytes = encodeModel(converted.model);
    writeAtomic(onnxFile, bytes);
    const manifest: ModelManifest = {
      name: src.name,
      role: src.role,
      hash,
      converter: CONVERTER_VERSION,
      source: path.relative(REPO_ROOT, modelJson),
      licence: src.licence,
      inputs: converted.inputs,
      outputs: converted.outputs,
      ops: converted.ops,
      bytes: bytes.byteLength,
    };
    writeAtomic(manifestFile, Buffer.from(JSON.stringify(manifest, null, 2)));
    const ms = performance.now() - t0;
    log(`models: ${src.name} → ${path.relative(REPO_ROOT, onnxFile)} (${(bytes.byteLength / 1e6).toFixed(1)} MB, ${ms.toFixed(0)} ms)`);
    results.push({ name: src.name, status: 'converted', file: onnxFile, ms });
  }
  return results;
}

function writeAtomic(file: string, data: Uint8Array) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const outIdx = args.indexOf('--out');
  const out = outIdx >= 0 ? path.resolve(args[outIdx + 1]!) : DEFAULT_MODELS_DIR;
  const t0 = performance.now();
  try {
    const res = buildModels(out, { force, log: (s) => console.log(s) });
    const missing = res.filter((r) => r.status === 'missing');
    for (const m of missing) console.warn(`models: ${m.name} skipped: ${m.message}`);
    const upToDate = res.filter((r) => r.status === 'up-to-date').length;
    console.log(`models: ${res.length - missing.length} ready in ${path.relative(REPO_ROOT, out) || out} (${upToDate} up to date) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error(`models: conversion failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  }
}
