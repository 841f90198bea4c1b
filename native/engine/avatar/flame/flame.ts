/**
 * FLAME (2020/2023) from the bytes of a user-supplied `generic_model.pkl`/`flame2023.pkl` (pickle: numpy arrays,
 * chumpy `Ch` objects, scipy `csc_matrix`) or an `.npz` with the same keys, turned into a SkinnedHeadModel.
 * Optional landmark embeddings: MediaPipe (`mediapipe_landmark_embedding.npz`: lmk_face_idx, lmk_b_coords,
 * landmark_indices) or DECA's 68-point `landmark_embedding.npy` (mapped to MediaPipe ids by the usual 68 → 468 table).
 */
import { unzipSync } from 'fflate';
import { StudioError } from '../../../../src/shared/api/errors';
import { SkinnedHeadModel, type LandmarkEmbedding, type SkinnedModelData } from '../head-model';
import { decodeNumeric, isNdArray, isPyObject, PickleError, readPickle, type NdArray } from './pickle';

/** MediaPipe ids for the 68 iBUG landmarks (MIT, from @vladmandic/human's VTX68). */
export const IBUG68_TO_MEDIAPIPE = [
  127, 234, 132, 58, 172, 150, 149, 148, 152, 377, 378, 379, 397, 288, 361, 454, 356,
  70, 63, 105, 66, 107, 336, 296, 334, 293, 300,
  168, 6, 195, 4, 98, 97, 2, 326, 327,
  33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380,
  57, 40, 37, 0, 267, 270, 287, 321, 314, 17, 84, 91,
  78, 81, 13, 311, 308, 402, 14, 178,
];

const bad = (what: string, fix = 'Choose the FLAME model file (generic_model.pkl, flame2023.pkl or an .npz with the same arrays) downloaded from the FLAME website.'): StudioError =>
  new StudioError('BAD_REQUEST', `${what} ${fix}`);

/** Parses a .npy file (format 1.0–3.0). Object arrays are unpickled. */
export function readNpy(buf: Uint8Array): NdArray {
  if (buf.length < 10 || buf[0] !== 0x93 || String.fromCharCode(...buf.subarray(1, 6)) !== 'NUMPY') throw new PickleError('this is not a .npy array');
  const major = buf[6]!;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + hlen;
  if (start > buf.length) throw new PickleError('the .npy header is truncated');
  const header = new TextDecoder('latin1').decode(buf.subarray(major === 1 ? 10 : 12, start));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeTxt = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeTxt === undefined) throw new PickleError('the .npy header is malformed');
  const shape = shapeTxt.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
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
  try { files = unzipSync(buf); } catch (e) { throw new PickleError(`the .npz archive cannot be read (${(e as Error).message})`); }
  const out = new Map<string, NdArray>();
  for (const [name, data] of Object.entries(files)) out.set(name.replace(/\.npy$/, ''), readNpy(data));
  return out;
}

function toNumbers(x: unknown, what: string): { data: Float64Array; shape: number[] } {
  let a: unknown = x;
  if (isPyObject(a) && a.state instanceof Map && a.state.has('x')) a = a.state.get('x'); // chumpy Ch
  if (isNdArray(a) && a.data) return { data: Float64Array.from(a.data as ArrayLike<number | bigint>, Number), shape: a.shape };
  throw bad(`The FLAME file's "${what}" is not a numeric array.`);
}

function sparseRegressor(x: unknown, vertexCount: number): { rowStart: Int32Array; indices: Int32Array; weights: Float64Array } {
  if (isPyObject(x) && /csc_matrix|csr_matrix/.test(x.name) && x.state instanceof Map) {
    const st = x.state;
    const shape = (st.get('_shape') ?? st.get('shape')) as number[];
    const data = toNumbers(st.get('data'), 'J_regressor.data').data;
    const indices = toNumbers(st.get('indices'), 'J_regressor.indices').data;
    const indptr = toNumbers(st.get('indptr'), 'J_regressor.indptr').data;
    const [rows, cols] = shape as [number, number];
    const dense = new Float64Array(rows * cols);
    if (/csc/.test(x.name)) { for (let c = 0; c < cols; c++) for (let k = indptr[c]!; k < indptr[c + 1]!; k++) dense[indices[k]! * cols + c] = data[k]!; }
    else for (let r = 0; r < rows; r++) for (let k = indptr[r]!; k < indptr[r + 1]!; k++) dense[r * cols + indices[k]!] = data[k]!;
    return denseToCsr(dense, rows, cols);
  }
  const d = toNumbers(x, 'J_regressor');
  if (d.shape.length !== 2 || d.shape[1] !== vertexCount) throw bad('The FLAME file\'s "J_regressor" has the wrong shape.');
  return denseToCsr(d.data, d.shape[0]!, d.shape[1]!);
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
    if (e instanceof StudioError) throw e;
    if (e instanceof PickleError) throw bad(`"${fileName}" could not be read as a FLAME model: ${e.message}.`);
    throw bad(`"${fileName}" could not be read as a FLAME model (${(e as Error).message}).`);
  }
  const required = ['v_template', 'shapedirs', 'posedirs', 'J_regressor', 'weights', 'kintree_table', 'f'];
  const missing = required.filter((k) => !dict.has(k));
  if (missing.length) throw bad(`"${fileName}" is not a FLAME model: it lacks ${missing.join(', ')}.`);
  try {
    const vt = toNumbers(dict.get('v_template'), 'v_template');
    const V = vt.shape[0]!;
    if (vt.shape.length !== 2 || vt.shape[1] !== 3) throw bad('The FLAME file\'s "v_template" is not a V × 3 array.');
    const sd = toNumbers(dict.get('shapedirs'), 'shapedirs');
    if (sd.shape[0] !== V || sd.shape[1] !== 3) throw bad('The FLAME file\'s "shapedirs" does not match its template.');
    const total = sd.shape[2] ?? 1;
    const hasExprKey = dict.has('expressiondirs') || dict.has('exprdirs');
    const shapeAvail = hasExprKey ? total : Math.min(300, total);
    const ed = hasExprKey ? toNumbers(dict.get('expressiondirs') ?? dict.get('exprdirs'), 'expressiondirs') : null;
    const exprAvail = ed ? (ed.shape[2] ?? 1) : total - shapeAvail;
    const S = Math.min(options.shapeCount ?? shapeAvail, shapeAvail), E = Math.min(options.expressionCount ?? exprAvail, exprAvail);
    const shapeDirs = new Float32Array(V * 3 * S), exprDirs = new Float32Array(V * 3 * E);
    for (let r = 0; r < V * 3; r++) {
      for (let k = 0; k < S; k++) shapeDirs[r * S + k] = sd.data[r * total + k]!;
      for (let k = 0; k < E; k++) exprDirs[r * E + k] = ed ? ed.data[r * exprAvail + k]! : sd.data[r * total + shapeAvail + k]!;
    }
    const pd = toNumbers(dict.get('posedirs'), 'posedirs');
    const weights = toNumbers(dict.get('weights'), 'weights');
    const J = weights.shape[1]!;
    if (weights.shape[0] !== V || J !== 5) throw bad('The FLAME file\'s "weights" are not V × 5 (FLAME has five joints).');
    const kin = toNumbers(dict.get('kintree_table'), 'kintree_table');
    const parents = new Int32Array(J);
    for (let j = 0; j < J; j++) { const p = kin.data[j]!; parents[j] = j === 0 || p < 0 || p >= J ? -1 : p; }
    const f = toNumbers(dict.get('f'), 'f');
    if (f.shape[1] !== 3) throw bad('The FLAME file\'s "f" is not a triangle list.');
    for (const v of f.data) if (!(v >= 0 && v < V)) throw bad('The FLAME file\'s triangles refer to missing vertices.');
    const data: SkinnedModelData = {
      vTemplate: Float32Array.from(vt.data), shapeDirs, shapeCount: S, exprDirs, exprCount: E,
      poseDirs: Float32Array.from(pd.data), jRegressor: sparseRegressor(dict.get('J_regressor'), V),
      weights: Float32Array.from(weights.data), parents, triangles: Uint32Array.from(f.data),
    };
    const landmarks = options.landmarkEmbedding ? loadEmbedding(options.landmarkEmbedding.bytes, options.landmarkEmbedding.name, f.shape[0]!) : { landmarkIndex: new Int32Array(0), triangle: new Uint32Array(0), barycentric: new Float32Array(0) };
    const range = new Float32Array(E * 2);
    for (let e = 0; e < E; e++) { range[e * 2] = -3; range[e * 2 + 1] = 3; }
    return new SkinnedHeadModel('flame', data, null, landmarks, range);
  } catch (e) {
    if (e instanceof StudioError) throw e;
    throw bad(`"${fileName}" could not be read as a FLAME model (${(e as Error).message}).`);
  }
}

/** Landmark embedding from a MediaPipe .npz embedding or DECA's 68-point .npy. */
export function loadEmbedding(bytes: Uint8Array, name: string, triangleCount: number): LandmarkEmbedding {
  const fix = 'Choose mediapipe_landmark_embedding.npz or landmark_embedding.npy.';
  let faces: Float64Array, bary: Float64Array, ids: number[];
  try {
    if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
      const z = readNpz(bytes);
      const fi = z.get('lmk_face_idx'), bc = z.get('lmk_b_coords'), li = z.get('landmark_indices');
      if (!fi || !bc || !li) throw bad(`"${name}" is not a landmark embedding.`, fix);
      faces = toNumbers(fi, 'lmk_face_idx').data; bary = toNumbers(bc, 'lmk_b_coords').data; ids = [...toNumbers(li, 'landmark_indices').data];
    } else {
      const a = readNpy(bytes);
      const d = a.objects?.[0] ?? a;
      if (!(d instanceof Map) || !d.has('full_lmk_faces_idx')) throw bad(`"${name}" is not a landmark embedding.`, fix);
      faces = toNumbers(d.get('full_lmk_faces_idx'), 'full_lmk_faces_idx').data; bary = toNumbers(d.get('full_lmk_bary_coords'), 'full_lmk_bary_coords').data;
      ids = IBUG68_TO_MEDIAPIPE.slice(0, faces.length);
    }
  } catch (e) {
    if (e instanceof StudioError) throw e;
    throw bad(`"${name}" could not be read as a landmark embedding (${(e as Error).message}).`, fix);
  }
  if (faces.length !== ids.length || bary.length !== faces.length * 3) throw bad(`"${name}" has inconsistent landmark arrays.`, fix);
  for (const t of faces) if (!(t >= 0 && t < triangleCount)) throw bad(`"${name}" refers to triangles the model does not have.`, fix);
  return { landmarkIndex: Int32Array.from(ids), triangle: Uint32Array.from(faces), barycentric: Float32Array.from(bary) };
}
