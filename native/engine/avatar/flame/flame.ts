/**
 * FLAME (2020/2023) from the bytes of a user-supplied `generic_model.pkl`/`flame2023.pkl` (pickle: numpy arrays,
 * chumpy `Ch` objects, scipy `csc_matrix`) or an `.npz` with the same keys, turned into a SkinnedHeadModel.
 * Optional landmark embeddings: MediaPipe (`mediapipe_landmark_embedding.npz`: lmk_face_idx, lmk_b_coords,
 * landmark_indices) or DECA's 68-point `landmark_embedding.npy` (mapped to MediaPipe ids by the usual 68 → 468 table).
 */
import { unzipSync } from 'fflate';
import { SkinnedHeadModel, type LandmarkEmbedding, type SkinnedModelData } from '../head-model';
import { decodeNumeric, isNdArray, isPyObject, latin1Decode, PickleError, readPickle, type NdArray } from './pickle';

/**
 * Bounds for the .npz reader: the most entries an archive may list, and the largest inflation ratio an entry may
 * claim (deflate cannot expand beyond ~1032:1, so a larger declared size is a lie or a bomb) — checked from the
 * archive's directory before anything is inflated or allocated.
 */
const MAX_NPZ_ENTRIES = 4096;
const MAX_DEFLATE_RATIO = 1100;

/** MediaPipe ids for the 68 iBUG landmarks (MIT, from @vladmandic/human's VTX68). */
export const IBUG68_TO_MEDIAPIPE = [
  127, 234, 132, 58, 172, 150, 149, 148, 152, 377, 378, 379, 397, 288, 361, 454, 356,
  70, 63, 105, 66, 107, 336, 296, 334, 293, 300,
  168, 6, 195, 4, 98, 97, 2, 326, 327,
  33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380,
  57, 40, 37, 0, 267, 270, 287, 321, 314, 17, 84, 91,
  78, 81, 13, 311, 308, 402, 14, 178,
];

/** What a FlameError is about: the model file, the landmark embedding file, or the caller's options. */
export type FlameErrorSubject = 'model' | 'embedding' | 'options';

/**
 * Every refusal of loadFlame / loadEmbedding: the message states what is wrong with the input (file name, array,
 * shape), and `subject` says which input. The engine adds no advice for a user; the caller that knows where the
 * file came from adds that (the settings service: src/main/services/settings/load-flame-file.ts).
 */
export class FlameError extends Error {
  constructor(message: string, readonly subject: FlameErrorSubject, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FlameError';
  }
}

const bad = (what: string, subject: FlameErrorSubject = 'model'): FlameError => new FlameError(what, subject);
/**
 * A failure the checks above did not foresee (a bug to fix): still a FlameError, with the original error kept as
 * `cause` so tests and the fuzz harness can tell it from a foreseen refusal.
 */
function unexpected(what: string, e: unknown, subject: FlameErrorSubject = 'model'): FlameError {
  return new FlameError(`${what} (${e instanceof Error ? e.message : String(e)}).`, subject, { cause: e });
}
/** FLAME's joints: global, neck, jaw, left eye, right eye. */
const FLAME_JOINTS = 5;
/** Landmark ids of MediaPipe's face mesh with irises. */
const MEDIAPIPE_LANDMARKS = 478;

/** Parses a .npy file (format 1.0–3.0). Object arrays are unpickled. */
export function readNpy(buf: Uint8Array): NdArray {
  if (buf.length < 10 || buf[0] !== 0x93 || String.fromCharCode(...buf.subarray(1, 6)) !== 'NUMPY') throw new PickleError('this is not a .npy array');
  const major = buf[6]!;
  if (major < 1 || major > 3) throw new PickleError(`the .npy format version ${major} is not known (1–3 are)`);
  if (major > 1 && buf.length < 12) throw new PickleError('the .npy header is truncated');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + hlen;
  if (start > buf.length) throw new PickleError('the .npy header is truncated');
  const header = latin1Decode(buf.subarray(major === 1 ? 10 : 12, start));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeTxt = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeTxt === undefined) throw new PickleError('the .npy header is malformed');
  const dims = shapeTxt.split(',').map((s) => s.trim()).filter(Boolean);
  if (dims.some((d) => !/^\d{1,15}L?$/.test(d))) throw new PickleError(`the .npy header has an invalid shape (${shapeTxt.slice(0, 60)})`);
  const shape = dims.map((d) => Number(d.replace(/L$/, '')));
  const body = buf.subarray(start);
  if (descr.includes('O')) {
    const obj = readPickle(body);
    if (isNdArray(obj)) return obj;
    return { kind: 'ndarray', dtype: '|O', shape, data: null, objects: [obj] };
  }
  return { kind: 'ndarray', dtype: descr, shape, data: decodeNumeric(descr, shape.length ? shape : [1], body, fortran) };
}

/** Reads an .npz (zip of .npy) into a Map of arrays. */
export function readNpz(buf: Uint8Array): Map<string, NdArray> {
  let files: Record<string, Uint8Array>;
  let entries = 0;
  // fflate allocates each entry's declared size before inflating it, and walks as many entries as the directory
  // claims: both are checked here, from the directory, first.
  const filter = (f: { name: string; size: number; originalSize: number; compression: number }): boolean => {
    if (++entries > MAX_NPZ_ENTRIES) throw new PickleError(`the .npz archive lists more than ${MAX_NPZ_ENTRIES} entries`);
    const bound = f.compression === 0 ? f.size : f.size * MAX_DEFLATE_RATIO + 1024;
    if (!(f.originalSize >= 0 && f.originalSize <= bound && f.originalSize <= buf.length * MAX_DEFLATE_RATIO))
      throw new PickleError(`the .npz entry ${f.name.slice(0, 60)} claims ${f.originalSize} bytes from ${f.size} stored (damaged archive)`);
    return true;
  };
  try { files = unzipSync(buf, { filter }); } catch (e) {
    if (e instanceof PickleError) throw e;
    throw new PickleError(`the .npz archive cannot be read (${(e as Error).message})`);
  }
  const out = new Map<string, NdArray>();
  for (const [name, data] of Object.entries(files)) out.set(name.replace(/\.npy$/, ''), readNpy(data));
  return out;
}

function toNumbers(x: unknown, what: string): { data: Float64Array; shape: number[] } {
  let a: unknown = x;
  if (isPyObject(a) && a.state instanceof Map && a.state.has('x')) a = a.state.get('x'); // chumpy Ch
  if (isNdArray(a) && a.data) {
    const data = Float64Array.from(a.data as ArrayLike<number | bigint>, Number);
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) throw bad(`The FLAME file's "${what}" holds a value that is not a finite number (${data[i]}).`);
    return { data, shape: a.shape };
  }
  throw bad(`The FLAME file's "${what}" is not a numeric array.`);
}

const sameShape = (shape: number[], expected: number[]) => shape.length === expected.length && shape.every((d, i) => d === expected[i]);
/** Throws unless `a` has exactly `expected` as its shape (`-1` = any size). */
function requireShape(a: { shape: number[] }, expected: number[], what: string, meaning: string): void {
  if (!(a.shape.length === expected.length && a.shape.every((d, i) => expected[i] === -1 || d === expected[i])))
    throw bad(`The FLAME file's "${what}" is ${a.shape.join(' × ') || 'a scalar'}, not ${meaning}.`);
}
const isIndex = (v: number, n: number) => Number.isInteger(v) && v >= 0 && v < n;

/** The joint regressor (J × V) as CSR: a scipy csc/csr matrix or a dense array, every index and pointer checked first. */
function sparseRegressor(x: unknown, joints: number, vertexCount: number): { rowStart: Int32Array; indices: Int32Array; weights: Float64Array } {
  if (isPyObject(x) && /csc_matrix|csr_matrix/.test(x.name) && x.state instanceof Map) {
    const st = x.state;
    const shape = st.get('_shape') ?? st.get('shape');
    if (!Array.isArray(shape) || !sameShape(shape as number[], [joints, vertexCount]))
      throw bad(`The FLAME file's "J_regressor" is ${Array.isArray(shape) ? shape.slice(0, 4).map(String).join(' × ') : 'of no shape'}, not joints × vertices (${joints} × ${vertexCount}).`);
    const data = toNumbers(st.get('data'), 'J_regressor.data').data;
    const indices = toNumbers(st.get('indices'), 'J_regressor.indices').data;
    const indptr = toNumbers(st.get('indptr'), 'J_regressor.indptr').data;
    const csc = /csc/.test(x.name);
    const [outer, inner] = csc ? [vertexCount, joints] : [joints, vertexCount];
    const nnz = Math.min(data.length, indices.length);
    let ok = indptr.length === outer + 1 && indptr[0] === 0 && indptr[outer]! <= nnz;
    for (let i = 0; ok && i < outer; i++) ok = Number.isInteger(indptr[i + 1]!) && indptr[i + 1]! >= indptr[i]!;
    for (let k = 0; ok && k < indptr[outer]!; k++) ok = isIndex(indices[k]!, inner);
    if (!ok) throw bad('The FLAME file\'s "J_regressor" sparse matrix has inconsistent indices (the file is damaged).');
    const dense = new Float64Array(joints * vertexCount);
    for (let o = 0; o < outer; o++)
      for (let k = indptr[o]!; k < indptr[o + 1]!; k++) dense[csc ? indices[k]! * vertexCount + o : o * vertexCount + indices[k]!] = data[k]!;
    return denseToCsr(dense, joints, vertexCount);
  }
  const d = toNumbers(x, 'J_regressor');
  requireShape(d, [joints, vertexCount], 'J_regressor', `joints × vertices (${joints} × ${vertexCount})`);
  return denseToCsr(d.data, joints, vertexCount);
}

function denseToCsr(dense: Float64Array, rows: number, cols: number) {
  const rowStart = new Int32Array(rows + 1), idx: number[] = [], w: number[] = [];
  for (let r = 0; r < rows; r++) { for (let c = 0; c < cols; c++) { const v = dense[r * cols + c]!; if (v !== 0) { idx.push(c); w.push(v); } } rowStart[r + 1] = idx.length; }
  return { rowStart, indices: Int32Array.from(idx), weights: Float64Array.from(w) };
}

export interface FlameOptions {
  shapeCount?: number; // components kept (default all, at most 300)
  expressionCount?: number; // default all (FLAME: 100)
  /** Bytes of a landmark embedding file (.npz MediaPipe embedding or DECA's .npy). */
  landmarkEmbedding?: { bytes: Uint8Array; name: string };
}

/** Builds the FLAME head model from the bytes of a .pkl or .npz file. */
export function loadFlame(bytes: Uint8Array, fileName: string, options: FlameOptions = {}): SkinnedHeadModel {
  if (bytes.length === 0) throw bad(`"${fileName}" is empty.`);
  let dict: Map<unknown, unknown>;
  try {
    if (bytes[0] === 0x50 && bytes[1] === 0x4b) dict = readNpz(bytes) as Map<unknown, unknown>;
    else {
      const obj = readPickle(bytes);
      if (!(obj instanceof Map)) throw bad(`"${fileName}" is a Python pickle but not a FLAME model (it holds no dictionary of arrays).`);
      dict = obj;
    }
  } catch (e) {
    if (e instanceof FlameError) throw e;
    if (e instanceof PickleError) throw bad(`"${fileName}" could not be read as a FLAME model: ${e.message}.`);
    throw unexpected(`"${fileName}" could not be read as a FLAME model`, e);
  }
  const required = ['v_template', 'shapedirs', 'posedirs', 'J_regressor', 'weights', 'kintree_table', 'f'];
  const missing = required.filter((k) => !dict.has(k));
  if (missing.length) throw bad(`"${fileName}" is not a FLAME model: it lacks ${missing.join(', ')}.`);
  try {
    const J = FLAME_JOINTS;
    const vt = toNumbers(dict.get('v_template'), 'v_template');
    const V = vt.shape[0]!;
    requireShape(vt, [-1, 3], 'v_template', 'a V × 3 array of vertices');
    if (V < 1) throw bad('The FLAME file\'s "v_template" has no vertices.');
    const sd = toNumbers(dict.get('shapedirs'), 'shapedirs');
    if (sd.shape.length === 2) requireShape(sd, [V, 3], 'shapedirs', `V × 3 × components with V = ${V}`);
    else requireShape(sd, [V, 3, -1], 'shapedirs', `V × 3 × components with V = ${V}`);
    const total = sd.shape[2] ?? 1;
    const hasExprKey = dict.has('expressiondirs') || dict.has('exprdirs');
    const shapeAvail = hasExprKey ? total : Math.min(300, total);
    const ed = hasExprKey ? toNumbers(dict.get('expressiondirs') ?? dict.get('exprdirs'), 'expressiondirs') : null;
    if (ed) requireShape(ed, [V, 3, -1], 'expressiondirs', `V × 3 × components with V = ${V}`);
    const exprAvail = ed ? ed.shape[2]! : total - shapeAvail;
    const count = (n: number | undefined, avail: number, what: string) => {
      if (n === undefined) return avail;
      if (!Number.isInteger(n) || n < 0) throw bad(`The requested ${what} count ${n} is not a whole number.`, 'options');
      return Math.min(n, avail);
    };
    const S = count(options.shapeCount, shapeAvail, 'shape'), E = count(options.expressionCount, exprAvail, 'expression');
    const shapeDirs = new Float32Array(V * 3 * S), exprDirs = new Float32Array(V * 3 * E);
    for (let r = 0; r < V * 3; r++) {
      for (let k = 0; k < S; k++) shapeDirs[r * S + k] = sd.data[r * total + k]!;
      for (let k = 0; k < E; k++) exprDirs[r * E + k] = ed ? ed.data[r * exprAvail + k]! : sd.data[r * total + shapeAvail + k]!;
    }
    const pd = toNumbers(dict.get('posedirs'), 'posedirs');
    requireShape(pd, [V, 3, (J - 1) * 9], 'posedirs', `V × 3 × ${(J - 1) * 9} with V = ${V}`);
    const weights = toNumbers(dict.get('weights'), 'weights');
    if (!sameShape(weights.shape, [V, J])) throw bad(`The FLAME file's "weights" are not V × ${J} (FLAME has ${J} joints).`);
    const kin = toNumbers(dict.get('kintree_table'), 'kintree_table');
    requireShape(kin, [2, J], 'kintree_table', `2 × ${J}`);
    const parents = new Int32Array(J);
    for (let j = 0; j < J; j++) {
      const p = kin.data[j]!;
      if (j > 0 && !isIndex(p, j)) throw bad(`The FLAME file's "kintree_table" is not a joint tree (joint ${j}'s parent is ${p}).`);
      parents[j] = j === 0 ? -1 : p;
    }
    const f = toNumbers(dict.get('f'), 'f');
    requireShape(f, [-1, 3], 'f', 'a triangle list (T × 3)');
    for (const v of f.data) if (!isIndex(v, V)) throw bad('The FLAME file\'s triangles refer to missing vertices.');
    const data: SkinnedModelData = {
      vTemplate: Float32Array.from(vt.data), shapeDirs, shapeCount: S, exprDirs, exprCount: E,
      poseDirs: Float32Array.from(pd.data), jRegressor: sparseRegressor(dict.get('J_regressor'), J, V),
      weights: Float32Array.from(weights.data), parents, triangles: Uint32Array.from(f.data),
    };
    const landmarks = options.landmarkEmbedding ? loadEmbedding(options.landmarkEmbedding.bytes, options.landmarkEmbedding.name, f.shape[0]!) : { landmarkIndex: new Int32Array(0), triangle: new Uint32Array(0), barycentric: new Float32Array(0) };
    const range = new Float32Array(E * 2);
    for (let e = 0; e < E; e++) { range[e * 2] = -3; range[e * 2 + 1] = 3; }
    return new SkinnedHeadModel('flame', data, null, landmarks, range);
  } catch (e) {
    if (e instanceof FlameError) throw e;
    if (e instanceof PickleError) throw bad(`"${fileName}" could not be read as a FLAME model: ${e.message}.`);
    throw unexpected(`"${fileName}" could not be read as a FLAME model`, e);
  }
}

/** Landmark embedding from a MediaPipe .npz embedding or DECA's 68-point .npy. */
export function loadEmbedding(bytes: Uint8Array, name: string, triangleCount: number): LandmarkEmbedding {
  const subject: FlameErrorSubject = 'embedding';
  let faces: Float64Array, bary: Float64Array, ids: number[];
  try {
    if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
      const z = readNpz(bytes);
      const fi = z.get('lmk_face_idx'), bc = z.get('lmk_b_coords'), li = z.get('landmark_indices');
      if (!fi || !bc || !li) throw bad(`"${name}" is not a landmark embedding.`, subject);
      faces = toNumbers(fi, 'lmk_face_idx').data; bary = toNumbers(bc, 'lmk_b_coords').data; ids = [...toNumbers(li, 'landmark_indices').data];
    } else {
      const a = readNpy(bytes);
      const d = a.objects?.[0] ?? a;
      if (!(d instanceof Map) || !d.has('full_lmk_faces_idx')) throw bad(`"${name}" is not a landmark embedding.`, subject);
      faces = toNumbers(d.get('full_lmk_faces_idx'), 'full_lmk_faces_idx').data; bary = toNumbers(d.get('full_lmk_bary_coords'), 'full_lmk_bary_coords').data;
      ids = IBUG68_TO_MEDIAPIPE.slice(0, faces.length);
    }
  } catch (e) {
    // toNumbers' refusals name the array; they are about this file, not the model
    if (e instanceof FlameError) throw e.subject === subject ? e : new FlameError(e.message, subject, e.cause === undefined ? undefined : { cause: e.cause });
    if (e instanceof PickleError) throw bad(`"${name}" could not be read as a landmark embedding: ${e.message}.`, subject);
    throw unexpected(`"${name}" could not be read as a landmark embedding`, e, subject);
  }
  if (faces.length !== ids.length || bary.length !== faces.length * 3) throw bad(`"${name}" has inconsistent landmark arrays.`, subject);
  for (const t of faces) if (!isIndex(t, triangleCount)) throw bad(`"${name}" refers to triangles the model does not have.`, subject);
  for (const id of ids) if (!isIndex(id, MEDIAPIPE_LANDMARKS)) throw bad(`"${name}" names landmark ${id}; MediaPipe's are 0–${MEDIAPIPE_LANDMARKS - 1}.`, subject);
  return { landmarkIndex: Int32Array.from(ids), triangle: Uint32Array.from(faces), barycentric: Float32Array.from(bary) };
}
