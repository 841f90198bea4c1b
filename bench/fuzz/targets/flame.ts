/**
 * FLAME model files (native/engine/avatar/flame/: the pickle reader and the .npz reader, both in TS) through
 * `loadFlame`, and landmark embeddings through `loadEmbedding`. Seeds: the synthetic FLAME files the loader's own
 * tests write (test-files.ts). Besides byte mutations (aimed at the pickle's length fields and the zip's sizes and
 * offsets), the files are parsed into their value trees, mutated there — absurd array shapes (negative, 2^31,
 * 2^32 − 1, NaN, 1.5), wrong dtypes, damaged index arrays (csc indptr/indices, triangles, kintree), truncated data —
 * and written back as a pickle or an .npz, so the mutations reach the model checks behind the container formats.
 */
import { zipSync } from 'fflate';
import { FlameError, loadEmbedding, loadFlame, readNpy, readNpz } from '../../../native/engine/avatar/flame/flame';
import { isNdArray, isPyObject, PickleError, readPickle, type NdArray } from '../../../native/engine/avatar/flame/pickle';
import { embeddingNpz, flameNpz, flamePickle, writeNpy, writePickle } from '../../../native/engine/avatar/flame/test-files';
import type { SkinnedHeadModel } from '../../../native/engine/avatar/head-model';
import { byteMutators, mutateTree, type Field, type Mutator, type Rng } from '../../../src/main/testing/fuzz';
import { le16, le32, type FuzzTarget } from './common';

function writeNpz(tree: unknown, level: 0 | 6): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  if (tree instanceof Map) for (const [k, v] of tree) files[`${String(k).slice(0, 200)}.npy`] = isNdArray(v) ? writeNpy(v) : writePickle(v);
  return zipSync(files, { level });
}

/** An .npz (zip) or a single .npy, read into its tree. */
const readNumpy = (b: Uint8Array): unknown => (b[0] === 0x50 && b[1] === 0x4b ? readNpz(b) : readNpy(b));
/** The inverse: a Map of arrays becomes an .npz (stored or deflated), an array an .npy. */
const writeNumpy = (tree: unknown, rng: Rng): Uint8Array => (isNdArray(tree) ? writeNpy(tree) : writeNpz(tree, rng.chance(0.5) ? 0 : 6));

// ---------------------------------------------------------------------------------------------------------------
// Structure for the byte mutators

/** Offsets of the pickle's opcodes and of its length fields (walked like the reader does, on the seed's opcodes). */
function pickleStructure(b: Uint8Array): { offsets: number[]; fields: Field[] } {
  const offsets: number[] = [], fields: Field[] = [];
  let p = 0;
  const lineEnd = () => { while (p < b.length && b[p] !== 0x0a) p++; p++; };
  for (let n = 0; p < b.length && n < 20_000; n++) {
    offsets.push(p);
    const op = b[p++]!;
    const f = (size: 1 | 2 | 4 | 8, label: string) => { fields.push({ offset: p, size, littleEndian: true, label }); };
    switch (op) {
      case 0x80: case 0x4b: case 0x71: case 0x68: p += 1; break;
      case 0x4d: p += 2; break;
      case 0x4a: f(4, 'BININT'); p += 4; break;
      case 0x72: case 0x6a: f(4, 'memo'); p += 4; break;
      case 0x95: f(8, 'FRAME'); p += 8; break;
      case 0x47: p += 8; break;
      case 0x55: case 0x43: case 0x8c: case 0x8a: f(1, 'len8'); p += 1 + b[p]!; break;
      case 0x54: case 0x58: case 0x42: case 0x8b: f(4, 'len32'); p += 4 + le32(b, p); break;
      case 0x8d: case 0x8e: case 0x96: f(8, 'len64'); p += 8 + Number(new DataView(b.buffer, b.byteOffset).getBigUint64(p, true)); break;
      case 0x63: lineEnd(); lineEnd(); break;
      case 0x49: case 0x4c: case 0x46: case 0x53: case 0x56: case 0x70: case 0x67: lineEnd(); break;
      case 0x2e: p = b.length; break;
      default: break;
    }
  }
  return { offsets, fields };
}

/** The zip's sizes, name lengths, offsets and entry counts (local headers, central directory, end record). */
function zipFields(b: Uint8Array): { offsets: number[]; fields: Field[] } {
  const offsets: number[] = [], fields: Field[] = [];
  const f = (offset: number, size: 2 | 4, label: string) => fields.push({ offset, size, littleEndian: true, label });
  for (let p = 0; p + 4 <= b.length; p++) {
    const sig = le32(b, p);
    if (sig === 0x04034b50) { offsets.push(p, p + 30 + le16(b, p + 26) + le16(b, p + 28)); f(p + 18, 4, 'local csize'); f(p + 22, 4, 'local usize'); f(p + 26, 2, 'local name length'); f(p + 28, 2, 'local extra length'); }
    else if (sig === 0x02014b50) { offsets.push(p); f(p + 20, 4, 'csize'); f(p + 24, 4, 'usize'); f(p + 28, 2, 'name length'); f(p + 30, 2, 'extra length'); f(p + 42, 4, 'local offset'); }
    else if (sig === 0x06054b50) { offsets.push(p); f(p + 8, 2, 'entries on disk'); f(p + 10, 2, 'entries'); f(p + 12, 4, 'directory size'); f(p + 16, 4, 'directory offset'); }
  }
  return { offsets, fields };
}

// ---------------------------------------------------------------------------------------------------------------
// Tree mutators

/** Absurd array dimensions, as the file would declare them. */
const absurdDim = (rng: Rng): unknown => rng.pick<unknown>([-1, 0, 1, 1.5, 2 ** 31, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 53 + 2, NaN, Infinity, 1e308, '5', null, [], 5023]);

/** Damages the values of one array: NaN / huge / negative / out-of-range entries, or data cut short. */
function damageArray(tree: unknown, rng: Rng): string | null {
  const arrays: { a: NdArray; path: string }[] = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (depth > 16) return;
    if (isNdArray(v)) arrays.push({ a: v, path });
    else if (isPyObject(v)) walk(v.state, `${path}.${v.name}`, depth + 1);
    else if (v instanceof Map) for (const [k, x] of v) walk(x, `${path}.${String(k)}`, depth + 1);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
  };
  walk(tree, '$', 0);
  const hit = arrays.filter((x) => ArrayBuffer.isView(x.a.data) && (x.a.data as unknown as ArrayLike<number>).length > 0);
  if (!hit.length) return null;
  const { a, path } = rng.pick(hit);
  const data = Float64Array.from(a.data as unknown as ArrayLike<number | bigint>, Number);
  if (rng.chance(0.25)) {
    const keep = rng.int(data.length);
    a.data = data.slice(0, keep);
    return `truncate ${path} data to ${keep}`;
  }
  const i = rng.int(data.length);
  const v = rng.pick([NaN, Infinity, -1, -(2 ** 31), 2 ** 31 - 1, 2 ** 32 - 1, 1e308, data.length, data.length + 1, 5023, 0.5]);
  data[i] = v;
  a.data = data; // written back as the array's dtype (NaN becomes 0 in an integer dtype)
  return `set ${path} data[${i}]=${v}`;
}

function treeMutators(read: (b: Uint8Array) => unknown, write: (tree: unknown, rng: Rng) => Uint8Array, what: string): Mutator<Uint8Array>[] {
  const parse = (b: Uint8Array): unknown => {
    try {
      return read(b);
    } catch {
      return undefined;
    }
  };
  return [
    {
      name: `${what}-tree`,
      weight: 5,
      apply: (b, rng) => {
        const tree = parse(b);
        if (tree === undefined) return null;
        const m = mutateTree(tree, rng, {
          targets: [
            { path: /\.shape(\[\d+\])?$/, values: (r) => (r.chance(0.3) ? [absurdDim(r), 3] : absurdDim(r)) },
            { path: /\._shape(\[\d+\])?$/, values: absurdDim },
            { path: /\.dtype$/, values: (r) => r.pick(['<f8', '>f8', '<f4', '<i8', '<u4', '|u1', '|b1', '<U10', '|O', 'f', '<f3', '', '<f99999999999']) },
            { path: /\.fortran$/, values: (r) => r.chance(0.5) },
          ],
        });
        return { value: write(m.value, rng), label: `${what}: ${m.label}` };
      },
    },
    {
      name: `${what}-array-data`,
      weight: 4,
      apply: (b, rng) => {
        const tree = parse(b);
        if (tree === undefined) return null;
        const label = damageArray(tree, rng);
        return label ? { value: write(tree, rng), label: `${what}: ${label}` } : null;
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Targets

/** A PickleError, or a FlameError that the loader foresaw — not one wrapping an unexpected TypeError/RangeError (`cause`). */
export const flameTyped = (err: unknown): boolean =>
  err instanceof PickleError || (err instanceof FlameError && !(err.cause instanceof Error && !(err.cause instanceof PickleError)));

function checkModel(model: SkinnedHeadModel): void {
  if (!(model.vertexCount >= 1) || model.triangles.length % 3 !== 0) throw new Error(`loaded a model with ${model.vertexCount} vertices`);
  for (const t of model.triangles) if (t >= model.vertexCount) throw new Error(`triangle index ${t} of ${model.vertexCount} vertices`);
  const v = model.evaluate({ jointRotations: [0.1, 0, 0, 0.05, 0, 0, 0.2, 0, 0, 0, 0, 0, 0, 0, 0] });
  if (v.length !== model.vertexCount * 3) throw new Error('evaluate returned the wrong number of values');
}

export const flamePklTarget: FuzzTarget = {
  name: 'flame-pkl',
  about: 'FLAME .pkl (pickle protocol 2, numpy arrays, chumpy Ch, scipy csc_matrix) through loadFlame',
  ciIterations: 1500,
  async create() {
    const seeds = [flamePickle()];
    const structure = pickleStructure(seeds[0]!);
    return {
      seeds,
      mutators: [
        ...byteMutators({ offsets: (b) => (b.length === seeds[0]!.length ? structure.offsets : pickleStructure(b).offsets), fields: (b) => (b.length === seeds[0]!.length ? structure.fields : pickleStructure(b).fields) }),
        ...treeMutators(readPickle, (t) => writePickle(t), 'pkl'),
      ],
      parse: (b: Uint8Array) => loadFlame(b, 'generic_model.pkl', { shapeCount: 2 }),
      classify: flameTyped,
      check: checkModel,
      maxCaseMs: 3000,
      maxCaseMiB: 64,
    };
  },
};

export const flameNpzTarget: FuzzTarget = {
  name: 'flame-npz',
  about: 'FLAME .npz (zip of .npy) through loadFlame',
  ciIterations: 1200,
  async create() {
    const seeds = [flameNpz(), zipSync(Object.fromEntries(Object.entries(unzipEntries(flameNpz()))), { level: 0 })];
    return {
      seeds,
      mutators: [...byteMutators({ offsets: (b) => zipFields(b).offsets, fields: (b) => zipFields(b).fields }), ...treeMutators(readNumpy, writeNumpy, 'npz')],
      parse: (b: Uint8Array) => loadFlame(b, 'flame.npz'),
      classify: flameTyped,
      check: checkModel,
      maxCaseMs: 3000,
      maxCaseMiB: 64,
    };
  },
};

function unzipEntries(b: Uint8Array): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [k, v] of readNpz(b)) out[`${k}.npy`] = writeNpy(v);
  return out;
}

export const flameEmbeddingTarget: FuzzTarget = {
  name: 'flame-embedding',
  about: 'landmark embedding .npz / DECA .npy through loadEmbedding',
  ciIterations: 800,
  async create() {
    const deca = writeNpy({ kind: 'ndarray', dtype: '|O', shape: [], data: null, objects: [new Map<unknown, unknown>([['full_lmk_faces_idx', { kind: 'ndarray', dtype: '<i8', shape: [1, 68], data: Float64Array.from({ length: 68 }, (_, i) => i % 4), fortran: false }], ['full_lmk_bary_coords', { kind: 'ndarray', dtype: '<f8', shape: [1, 68, 3], data: Float64Array.from({ length: 204 }, () => 1 / 3), fortran: false }]])] });
    const seeds = [embeddingNpz(undefined, 40), deca];
    return {
      seeds,
      mutators: [...byteMutators({ offsets: (b) => zipFields(b).offsets, fields: (b) => zipFields(b).fields }), ...treeMutators(readNumpy, writeNumpy, 'npy')],
      parse: (b: Uint8Array) => loadEmbedding(b, 'landmark_embedding', 4),
      classify: flameTyped,
      check: (e: ReturnType<typeof loadEmbedding>) => {
        for (const t of e.triangle) if (t >= 4) throw new Error(`triangle ${t} of 4`);
        if (e.barycentric.length !== e.triangle.length * 3) throw new Error('barycentric length');
      },
      maxCaseMs: 3000,
      maxCaseMiB: 64,
    };
  },
};
