/**
 * Reading TF.js graph models (`model.json` + weight shards): the topology as TF NodeDefs and the weights as
 * float32/int32 arrays, dequantised where the shards are quantised (float16, or affine uint8/uint16 with
 * `scale` and `min`, as `tensorflowjs_converter --quantize_*` writes them).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface TfAttrList {
  s?: string[];
  i?: (string | number)[];
  f?: number[];
  b?: boolean[];
  type?: string[];
}

export interface TfAttr {
  s?: string; // base64
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
  list?: TfAttrList;
  tensor?: { dtype?: string; tensorShape?: { dim?: { size?: string | number }[] } };
}

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
  device?: string;
}

export interface TfWeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number; original_dtype?: string };
}

export interface TfSignatureEntry {
  name: string;
  dtype?: string;
  tensorShape?: { dim?: { size?: string | number }[] };
}

export interface TfModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology: { node: TfNode[]; library?: { function?: unknown[] }; versions?: unknown };
  weightsManifest: { paths: string[]; weights: TfWeightEntry[] }[];
  signature?: { inputs?: Record<string, TfSignatureEntry>; outputs?: Record<string, TfSignatureEntry> };
}

export interface TfConst {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface TfGraph {
  nodes: TfNode[];
  weights: Map<string, TfConst>;
  signature?: TfModelJson['signature'];
}

/** IEEE 754 half → single. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

const bytesPer: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Decodes the concatenated shard bytes into named constants, in manifest order. */
export function decodeWeights(manifest: TfModelJson['weightsManifest'], buffer: Uint8Array): Map<string, TfConst> {
  const out = new Map<string, TfConst>();
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let offset = 0;
  for (const group of manifest) {
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      const stored = w.quantization?.dtype ?? w.dtype;
      const per = bytesPer[stored];
      if (!per) throw new Error(`weight ${w.name}: unsupported stored dtype ${stored}`);
      const size = count * per;
      if (offset + size > buffer.byteLength) throw new Error(`weight ${w.name}: shards end at byte ${buffer.byteLength}, need ${offset + size}`);
      const dtype: 'float32' | 'int32' = w.dtype === 'float32' ? 'float32' : w.dtype === 'int32' || w.dtype === 'bool' ? 'int32' : (() => { throw new Error(`weight ${w.name}: unsupported dtype ${w.dtype}`); })();
      const data = dtype === 'float32' ? new Float32Array(count) : new Int32Array(count);
      const q = w.quantization;
      if (!q) {
        if (stored === 'bool') for (let i = 0; i < count; i++) data[i] = buffer[offset + i]!;
        else if (dtype === 'float32') for (let i = 0; i < count; i++) data[i] = view.getFloat32(offset + 4 * i, true);
        else for (let i = 0; i < count; i++) data[i] = view.getInt32(offset + 4 * i, true);
      } else if (q.dtype === 'float16') {
        for (let i = 0; i < count; i++) data[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
      } else {
        const scale = q.scale ?? 1;
        const min = q.min ?? 0;
        for (let i = 0; i < count; i++) {
          const v = q.dtype === 'uint8' ? buffer[offset + i]! : view.getUint16(offset + 2 * i, true);
          data[i] = dtype === 'int32' ? Math.round(v * scale + min) : v * scale + min;
        }
      }
      out.set(w.name, { dtype, shape: w.shape.slice(), data });
      offset += size;
    }
  }
  return out;
}

/** Loads `model.json` and its shards from disk. */
export function loadTfGraph(modelJsonPath: string): TfGraph {
  const json = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8')) as TfModelJson;
  return tfGraphFromJson(json, (p) => fs.readFileSync(path.join(path.dirname(modelJsonPath), p)));
}

export function tfGraphFromJson(json: TfModelJson, readShard: (p: string) => Uint8Array): TfGraph {
  if (json.format && json.format !== 'graph-model') throw new Error(`not a TF.js graph model (format ${json.format})`);
  if (!json.modelTopology?.node) throw new Error('model.json has no modelTopology.node');
  if (json.modelTopology.library?.function?.length) throw new Error('graph functions (control flow) are not supported');
  const shards = json.weightsManifest.flatMap((g) => g.paths.map(readShard));
  const total = shards.reduce((a, b) => a + b.byteLength, 0);
  const all = new Uint8Array(total);
  let o = 0;
  for (const s of shards) {
    all.set(s, o);
    o += s.byteLength;
  }
  return { nodes: json.modelTopology.node, weights: decodeWeights(json.weightsManifest, all), signature: json.signature };
}

export const attrString = (a: TfAttr | undefined): string | undefined => (a?.s === undefined ? undefined : Buffer.from(a.s, 'base64').toString('utf8'));
export const attrInts = (a: TfAttr | undefined): number[] => (a?.list?.i ?? []).map(Number);
export const attrStrings = (a: TfAttr | undefined): string[] => (a?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
export const attrInt = (a: TfAttr | undefined, d = 0): number => (a?.i === undefined ? d : Number(a.i));
export const attrFloat = (a: TfAttr | undefined, d = 0): number => (a?.f === undefined ? d : Number(a.f));
export const attrBool = (a: TfAttr | undefined, d = false): boolean => (a?.b === undefined ? d : Boolean(a.b));
