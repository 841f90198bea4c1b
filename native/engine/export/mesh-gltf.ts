/**
 * glTF 2.0 binary (`.glb`) of a tracked head-mesh sequence for DCC tools (platform-neutral, returns bytes): one mesh,
 * one triangle primitive with the neutral head as `POSITION`, `TEXCOORD_0` (glTF's UV origin is the top-left, v down,
 * the open head's convention, so UVs are stored as they are) and u32 indices; one morph target per frame (`POSITION`
 * deltas frame − neutral, names in `mesh.extras.targetNames`), and one animation that plays the frames in time: a
 * LINEAR `weights` sampler with one key per frame whose weights are one-hot (between keys two neighbouring frames
 * blend linearly, which is the vertex interpolation between them).
 *
 * Vertices are split where a mesh vertex has several UVs (UV seams), so the stored vertex count is the number of
 * distinct (vertex, UV) pairs. The weights output holds frames² floats (one-hot rows); long sequences should be
 * subsampled by the caller.
 */
import type { UvMesh } from './mesh-obj';

const FLOAT = 5126, UNSIGNED_INT = 5125;
const ARRAY_BUFFER = 34962, ELEMENT_ARRAY_BUFFER = 34963;

export interface MeshSequence {
  mesh: UvMesh;
  /** Posed vertices (V×3) of each frame, and its time in seconds (strictly increasing). */
  frames: { name: string; time: number; vertices: ArrayLike<number> }[];
  generator?: string;
  extras?: Record<string, unknown>;
}

export function writeMeshSequenceGlb(seq: MeshSequence): Uint8Array {
  const { mesh } = seq;
  const T = mesh.triangles.length / 3;
  const hasUv = mesh.uvTriangles.length === mesh.triangles.length && mesh.uv.length > 0;
  // Split vertices at UV seams: one glTF vertex per distinct (vertex, uv) pair.
  const key = new Map<string, number>();
  const source: number[] = [], uvOf: number[] = [];
  const indices = new Uint32Array(T * 3);
  for (let c = 0; c < T * 3; c++) {
    const v = mesh.triangles[c]!, u = hasUv ? mesh.uvTriangles[c]! : -1;
    const k = `${v}/${u}`;
    let i = key.get(k);
    if (i === undefined) {
      key.set(k, (i = source.length));
      source.push(v);
      uvOf.push(u);
    }
    indices[c] = i;
  }
  const n = source.length;
  const gather = (v: ArrayLike<number>, base: ArrayLike<number> | null) => {
    const out = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) out[i * 3 + a] = v[source[i]! * 3 + a]! - (base ? base[source[i]! * 3 + a]! : 0);
    return out;
  };
  const position = gather(mesh.vertices, null);
  const texcoord = new Float32Array(n * 2);
  if (hasUv) for (let i = 0; i < n; i++) for (let a = 0; a < 2; a++) texcoord[i * 2 + a] = mesh.uv[uvOf[i]! * 2 + a]!;
  const F = seq.frames.length;
  for (let f = 1; f < F; f++)
    if (!(seq.frames[f]!.time > seq.frames[f - 1]!.time)) throw new RangeError(`mesh sequence: frame times must increase (frame ${f})`);

  const chunks: Uint8Array[] = [];
  const bufferViews: Record<string, unknown>[] = [], accessors: Record<string, unknown>[] = [];
  let byteLength = 0;
  const add = (data: Float32Array | Uint32Array, type: string, target: number | null, minMax: boolean): number => {
    const comps = type === 'SCALAR' ? 1 : type === 'VEC2' ? 2 : 3;
    bufferViews.push({ buffer: 0, byteOffset: byteLength, byteLength: data.byteLength, ...(target ? { target } : {}) });
    const acc: Record<string, unknown> = { bufferView: bufferViews.length - 1, componentType: data instanceof Uint32Array ? UNSIGNED_INT : FLOAT, count: data.length / comps, type };
    if (minMax) {
      const min = Array(comps).fill(Infinity), max = Array(comps).fill(-Infinity);
      for (let i = 0; i < data.length; i += comps)
        for (let a = 0; a < comps; a++) {
          min[a] = Math.min(min[a], data[i + a]!);
          max[a] = Math.max(max[a], data[i + a]!);
        }
      Object.assign(acc, { min, max });
    }
    accessors.push(acc);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    chunks.push(bytes);
    byteLength += bytes.length;
    const padTo4 = (4 - (byteLength % 4)) % 4;
    if (padTo4) {
      chunks.push(new Uint8Array(padTo4));
      byteLength += padTo4;
    }
    return accessors.length - 1;
  };
  const attributes: Record<string, number> = { POSITION: add(position, 'VEC3', ARRAY_BUFFER, true) };
  if (hasUv) attributes.TEXCOORD_0 = add(texcoord, 'VEC2', ARRAY_BUFFER, false);
  const indexAccessor = add(indices, 'SCALAR', ELEMENT_ARRAY_BUFFER, false);
  const targets = seq.frames.map((f) => ({ POSITION: add(gather(f.vertices, mesh.vertices), 'VEC3', ARRAY_BUFFER, true) }));
  const primitive: Record<string, unknown> = { attributes, indices: indexAccessor, mode: 4 };
  if (F) primitive.targets = targets;
  const gltfMesh: Record<string, unknown> = { name: 'head', primitives: [primitive] };
  if (F) Object.assign(gltfMesh, { weights: new Array(F).fill(0), extras: { targetNames: seq.frames.map((f) => f.name) } });
  const json: Record<string, unknown> = {
    asset: { version: '2.0', generator: seq.generator ?? 'Avatar Studio', ...(seq.extras ? { extras: seq.extras } : {}) },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ name: 'head', mesh: 0 }],
    meshes: [gltfMesh],
  };
  if (F) {
    const times = Float32Array.from(seq.frames, (f) => f.time);
    const weights = new Float32Array(F * F);
    for (let f = 0; f < F; f++) weights[f * F + f] = 1;
    const input = add(times, 'SCALAR', null, true);
    const output = add(weights, 'SCALAR', null, false);
    json.animations = [{ name: 'tracked', samplers: [{ input, output, interpolation: 'LINEAR' }], channels: [{ sampler: 0, target: { node: 0, path: 'weights' } }] }];
  }
  json.buffers = [{ byteLength }];
  json.bufferViews = bufferViews;
  json.accessors = accessors;

  const jsonBytes = new TextEncoder().encode(JSON.stringify(json));
  const jsonPad = (4 - (jsonBytes.length % 4)) % 4;
  const jsonLen = jsonBytes.length + jsonPad;
  const total = 12 + 8 + jsonLen + 8 + byteLength;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x46546c67, true); // 'glTF'
  dv.setUint32(4, 2, true);
  dv.setUint32(8, total, true);
  dv.setUint32(12, jsonLen, true);
  dv.setUint32(16, 0x4e4f534a, true); // 'JSON'
  out.set(jsonBytes, 20);
  out.fill(0x20, 20 + jsonBytes.length, 20 + jsonLen);
  let o = 20 + jsonLen;
  dv.setUint32(o, byteLength, true);
  dv.setUint32(o + 4, 0x004e4942, true); // 'BIN\0'
  o += 8;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
