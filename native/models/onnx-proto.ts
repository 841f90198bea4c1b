/**
 * ONNX protobuf encoding and decoding with protobufjs, from the schema subset in `onnx.proto` (same field numbers as
 * the official onnx/onnx.proto).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const TensorType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}

export interface OnnxValueInfo {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: ({ dimValue: number } | { dimParam: string })[] } } };
}

export interface OnnxModel {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: { name: string; node: OnnxNode[]; initializer: OnnxTensor[]; input: OnnxValueInfo[]; output: OnnxValueInfo[] };
  metadataProps?: { key: string; value: string }[];
}

let root: protobuf.Root | undefined;
function schema(): protobuf.Root {
  if (!root) root = protobuf.loadSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'onnx.proto'));
  return root;
}

export function encodeModel(model: OnnxModel): Uint8Array {
  const type = schema().lookupType('onnx.ModelProto');
  const err = type.verify(model);
  if (err) throw new Error(`invalid ONNX model: ${err}`);
  return type.encode(type.fromObject(model)).finish();
}

export function decodeModel(bytes: Uint8Array): OnnxModel {
  const type = schema().lookupType('onnx.ModelProto');
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Buffer, defaults: true, arrays: true }) as OnnxModel;
}

export function floatTensor(name: string, dims: number[], data: ArrayLike<number>): OnnxTensor {
  const f = Float32Array.from(data);
  return { name, dims, dataType: TensorType.FLOAT, rawData: new Uint8Array(f.buffer, f.byteOffset, f.byteLength) };
}

export function int64Tensor(name: string, dims: number[], data: ArrayLike<number>): OnnxTensor {
  const b = BigInt64Array.from(Array.from(data, (v) => BigInt(v)));
  return { name, dims, dataType: TensorType.INT64, rawData: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
}

export const attrInt = (name: string, i: number): OnnxAttribute => ({ name, type: AttrType.INT, i });
export const attrFloat = (name: string, f: number): OnnxAttribute => ({ name, type: AttrType.FLOAT, f });
export const attrInts = (name: string, ints: number[]): OnnxAttribute => ({ name, type: AttrType.INTS, ints });
export const attrString = (name: string, s: string): OnnxAttribute => ({ name, type: AttrType.STRING, s: new TextEncoder().encode(s) });
