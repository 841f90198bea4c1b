/**
 * The bundle's head section (`head-mesh.bin`): the open head's arrays at the subject's shape, for readers that pose it
 * without the studio's head builder (a DCC tool, a third-party player): neutral vertices, triangles, UVs with their own
 * triangles, linear-blend skinning (weights, parents, rest joints) and the expression directions.
 *
 * Layout like avatar.bin: `"AHM1"`, u32 LE header length (padded so the data starts 8-byte aligned), JSON header
 * `{vertexCount, jointCount, expressionCount, arrays: {name: ['f32' | 'u32' | 'i32', byteOffset, length]}}`, then the
 * arrays (each 4-byte aligned from the data start).
 *
 * Posing with these arrays (what `createOpenHead().evaluate` does): rest = vertices + Σ_e ψ_e · expressionDirs[v][xyz][e];
 * joints move with the expression through the model's regressor, which is not stored — readers that need exact joints
 * under expression use the studio's builder from the expression space (`openHeadFor`), as `poseBundle` does.
 */
import type { OpenHead } from '../avatar/open-head/build';
import type { StoredExpressionSpace } from '../avatar/open-head/stored-space';

/** The subject's expression space as the studio stores it (tracking/expression-space.json); sigma and varianceKept optional. */
export type BundleExpressionSpace = Omit<StoredExpressionSpace, 'sigma' | 'varianceKept'> & Partial<Pick<StoredExpressionSpace, 'sigma' | 'varianceKept'>>;

export interface HeadMesh {
  vertexCount: number;
  jointCount: number;
  expressionCount: number;
  /** Neutral vertices at the subject's shape, V×3 metres (+y up, face along +z). */
  vertices: Float32Array;
  triangles: Uint32Array;
  /** U×2, u right, v down, in [0, 1]; uvTriangles index them, one UV triangle per mesh triangle. */
  uv: Float32Array;
  uvTriangles: Uint32Array;
  /** V×J skinning weights, J×1 parents (−1 for the root), J×3 rest joint positions at the subject's shape. */
  skinWeights: Float32Array;
  parents: Int32Array;
  joints: Float32Array;
  /** V×3×E, metres per unit coefficient. */
  expressionDirs: Float32Array;
}

const MAGIC = [0x41, 0x48, 0x4d, 0x31]; // "AHM1"
type Typed = Float32Array | Uint32Array | Int32Array;

export function encodeHeadMesh(model: OpenHead, shape: ArrayLike<number>): Uint8Array {
  const m = model;
  const V = m.vertexCount, J = m.data.parents.length, S = m.shapeCount;
  const joints = new Float32Array(J * 3);
  for (let i = 0; i < J * 3; i++) {
    let x = m.jointTemplate[i]!;
    for (let s = 0; s < Math.min(S, shape.length); s++) x += m.jointShapeDirs[i * S + s]! * shape[s]!;
    joints[i] = x;
  }
  const arrays: Record<string, Typed> = {
    vertices: m.evaluate({ shape }),
    triangles: m.triangles,
    uv: m.uv?.coords ?? new Float32Array(0),
    uvTriangles: m.uv?.triangles ?? new Uint32Array(0),
    skinWeights: m.data.weights,
    parents: m.data.parents,
    joints,
    expressionDirs: m.data.exprDirs,
  };
  const entries: Record<string, [string, number, number]> = {};
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    entries[name] = [a instanceof Float32Array ? 'f32' : a instanceof Uint32Array ? 'u32' : 'i32', offset, a.length];
    offset += a.length * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify({ vertexCount: V, jointCount: J, expressionCount: m.expressionCount, arrays: entries }));
  const headerLength = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + headerLength + offset).fill(0);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, headerLength, true);
  out.fill(0x20, 8, 8 + headerLength);
  out.set(json, 8);
  for (const [name, a] of Object.entries(arrays)) out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), 8 + headerLength + entries[name]![1]);
  return out;
}

export function decodeHeadMesh(bytes: Uint8Array): HeadMesh {
  if (bytes.length < 8 || MAGIC.some((x, i) => bytes[i] !== x)) throw new RangeError('no "AHM1" signature');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new RangeError('truncated header');
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as {
    vertexCount: number; jointCount: number; expressionCount: number; arrays: Record<string, [string, number, number]>;
  };
  const V = h.vertexCount, J = h.jointCount, E = h.expressionCount;
  const want: Record<string, [string, number | null]> = {
    vertices: ['f32', V * 3], triangles: ['u32', null], uv: ['f32', null], uvTriangles: ['u32', null],
    skinWeights: ['f32', V * J], parents: ['i32', J], joints: ['f32', J * 3], expressionDirs: ['f32', V * 3 * E],
  };
  const out: Record<string, Typed> = {};
  for (const [name, [type, len]] of Object.entries(want)) {
    const e = h.arrays?.[name];
    if (!e || e[0] !== type || (len !== null && e[2] !== len)) throw new RangeError(`array ${name} is missing or has the wrong type/length`);
    const start = 8 + headerLength + e[1];
    if (e[1] % 4 !== 0 || start + e[2] * 4 > bytes.length) throw new RangeError(`array ${name} lies outside the section`);
    const raw = bytes.slice(start, start + e[2] * 4).buffer;
    out[name] = type === 'f32' ? new Float32Array(raw) : type === 'u32' ? new Uint32Array(raw) : new Int32Array(raw);
  }
  if (out.triangles!.length % 3 !== 0 || (out.uvTriangles!.length && out.uvTriangles!.length !== out.triangles!.length)) throw new RangeError('triangle arrays disagree');
  for (const i of out.triangles as Uint32Array) if (i >= V) throw new RangeError(`a triangle indexes vertex ${i} of ${V}`);
  return { vertexCount: V, jointCount: J, expressionCount: E, ...(out as unknown as Omit<HeadMesh, 'vertexCount' | 'jointCount' | 'expressionCount'>) };
}
