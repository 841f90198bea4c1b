/** Writers for small synthetic FLAME files (pickle as Python 2 wrote it, .npz, landmark embedding) — tests only. */
import { zipSync } from 'fflate';
import { isNdArray, isPyObject, type NdArray, type PyObject } from './pickle';

/** A tiny protocol-2 pickle writer producing what Python 2 wrote for FLAME's generic_model.pkl. */
export class PickleWriter {
  out: number[] = [0x80, 2];
  private memo = 0;
  byte(...b: number[]): this { this.out.push(...b); return this; }
  put(): this { return this.byte(0x71, this.memo++ & 0xff); }
  u32(n: number): number[] { return [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255]; }
  str(s: string): this { const b = [...s].map((c) => c.charCodeAt(0)); return b.length < 256 ? this.byte(0x55, b.length, ...b) : this.byte(0x54, ...this.u32(b.length), ...b); }
  int(n: number): this { return n < 256 && n >= 0 ? this.byte(0x4b, n) : this.byte(0x4a, ...this.u32(n)); }
  global(m: string, n: string): this { return this.byte(0x63, ...[...`${m}\n${n}\n`].map((c) => c.charCodeAt(0))); }
  tuple(items: (() => void)[]): this { this.byte(0x28); items.forEach((f) => f()); return this.byte(0x74); }
  ndarray(shape: number[], descr: 'f8' | 'i8' | 'u4' | 'i4', values: ArrayLike<number>): this {
    this.global('numpy.core.multiarray', '_reconstruct');
    this.tuple([() => this.global('numpy', 'ndarray'), () => this.tuple([() => this.int(0)]), () => this.str('b')]).byte(0x52).put();
    const size = descr.endsWith('8') ? 8 : 4;
    const raw = new Uint8Array(values.length * size);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) {
      if (descr === 'f8') dv.setFloat64(i * 8, values[i]!, true);
      else if (descr === 'i8') dv.setBigInt64(i * 8, BigInt(values[i]!), true);
      else dv.setInt32(i * 4, values[i]!, true);
    }
    this.tuple([
      () => this.int(1),
      () => this.tuple(shape.map((s) => () => this.int(s))),
      () => { this.global('numpy', 'dtype'); this.tuple([() => this.str(descr), () => this.byte(0x4b, 0), () => this.byte(0x4b, 1)]).byte(0x52).put(); this.tuple([() => this.int(3), () => this.str('<'), () => this.byte(0x4e), () => this.byte(0x4e), () => this.byte(0x4e), () => this.byte(0x4a, ...this.u32(-1 >>> 0)), () => this.byte(0x4a, ...this.u32(-1 >>> 0)), () => this.int(0)]).byte(0x62); },
      () => this.byte(0x89),
      () => this.str(String.fromCharCode(...raw)),
    ]).byte(0x62);
    return this;
  }
  object(module: string, name: string, fields: [string, () => void][]): this {
    this.global('copy_reg', '_reconstructor');
    this.tuple([() => this.global(module, name), () => this.global('__builtin__', 'object'), () => this.byte(0x4e)]).byte(0x52).put();
    this.byte(0x7d).put().byte(0x28);
    for (const [k, f] of fields) { this.str(k); f(); }
    return this.byte(0x75, 0x62);
  }
  bytes(): Uint8Array { return Uint8Array.from([...this.out, 0x2e]); }
}

/** A small FLAME-like model: a tetra-ish mesh with 6 vertices, 2 shape + 2 expression components, 5 joints. */
export function syntheticFlame() {
  const V = 6;
  const vTemplate = [0, 0, 0.1, 0.05, 0, 0, -0.05, 0, 0, 0, 0.05, 0, 0, -0.05, 0.02, 0, -0.1, 0.03];
  const shapedirs = new Array(V * 3 * 4).fill(0).map((_, i) => ((i * 37) % 11) / 1000 - 0.005);
  const posedirs = new Array(V * 3 * 36).fill(0).map((_, i) => ((i * 13) % 7) / 1e4);
  const weights = [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0.5, 0.5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0.5, 0.5];
  const jreg = [[0, 1, 0.5], [0, 2, 0.5], [1, 3, 1], [2, 5, 1], [3, 1, 1], [4, 2, 1]]; // (row, col, value)
  const f = [0, 1, 2, 0, 2, 3, 0, 3, 1, 4, 5, 1];
  return { V, vTemplate, shapedirs, posedirs, weights, jreg, f, kintree: [4294967295, 0, 1, 1, 1, 0, 1, 2, 3, 4] };
}

export function flamePickle(m = syntheticFlame()): Uint8Array {
  const w = new PickleWriter();
  w.byte(0x7d).put().byte(0x28);
  w.str('v_template').ndarray([m.V, 3], 'f8', m.vTemplate);
  w.str('shapedirs').object('chumpy.ch', 'Ch', [['x', () => w.ndarray([m.V, 3, 4], 'f8', m.shapedirs)], ['_dirty_vars', () => w.byte(0x7d)]]);
  w.str('posedirs').ndarray([m.V, 3, 36], 'f8', m.posedirs);
  w.str('weights').ndarray([m.V, 5], 'f8', m.weights);
  // csc: columns are vertices
  const cols: number[][] = Array.from({ length: m.V }, () => []);
  for (const [r, c, v] of m.jreg) cols[c!]!.push(r!, v!);
  const data: number[] = [], indices: number[] = [], indptr = [0];
  for (const col of cols) { for (let k = 0; k < col.length; k += 2) { indices.push(col[k]!); data.push(col[k + 1]!); } indptr.push(indices.length); }
  w.str('J_regressor').object('scipy.sparse.csc', 'csc_matrix', [
    ['_shape', () => w.tuple([() => w.int(5), () => w.int(m.V)])], ['data', () => w.ndarray([data.length], 'f8', data)],
    ['indices', () => w.ndarray([indices.length], 'i4', indices)], ['indptr', () => w.ndarray([indptr.length], 'i4', indptr)], ['format', () => w.str('csc')],
  ]);
  w.str('kintree_table').ndarray([2, 5], 'i8', m.kintree.map((x) => (x > 2 ** 31 ? -1 : x)));
  w.str('f').ndarray([m.f.length / 3, 3], 'u4', m.f);
  w.str('bs_style').str('lbs');
  w.byte(0x75);
  return w.bytes();
}

export function npy(shape: number[], values: ArrayLike<number>, descr: '<f8' | '<i4' = '<f8'): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64) header += ' ';
  header += '\n';
  const size = descr === '<f8' ? 8 : 4;
  const out = new Uint8Array(10 + header.length + values.length * size);
  out.set([0x93, ...[...'NUMPY'].map((c) => c.charCodeAt(0)), 1, 0, header.length & 255, header.length >> 8]);
  out.set([...header].map((c) => c.charCodeAt(0)), 10);
  const dv = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < values.length; i++) descr === '<f8' ? dv.setFloat64(i * 8, values[i]!, true) : dv.setInt32(i * 4, values[i]!, true);
  return out;
}

export function flameNpz(m = syntheticFlame()): Uint8Array {
  const dense = new Array(5 * m.V).fill(0);
  for (const [r, c, v] of m.jreg) dense[r! * m.V + c!] = v!;
  return zipSync({
    'v_template.npy': npy([m.V, 3], m.vTemplate), 'shapedirs.npy': npy([m.V, 3, 4], m.shapedirs), 'posedirs.npy': npy([m.V, 3, 36], m.posedirs),
    'weights.npy': npy([m.V, 5], m.weights), 'J_regressor.npy': npy([5, m.V], dense), 'kintree_table.npy': npy([2, 5], [-1, 0, 1, 1, 1, 0, 1, 2, 3, 4], '<i4'),
    'f.npy': npy([m.f.length / 3, 3], m.f, '<i4'),
  });
}

/** A MediaPipe-style landmark embedding (.npz) on the synthetic model: `count` landmarks spread over its triangles. */
export function embeddingNpz(m = syntheticFlame(), count = 478): Uint8Array {
  const T = m.f.length / 3;
  const faces = Array.from({ length: count }, (_, i) => i % T);
  const bary = Array.from({ length: count }, (_, i) => [0.5, 0.3, 0.2].map((x, k) => (k === i % 3 ? x + 0.1 : x - 0.05))).flat();
  return zipSync({ 'lmk_face_idx.npy': npy([count], faces, '<i4'), 'lmk_b_coords.npy': npy([count, 3], bary), 'landmark_indices.npy': npy([count], Array.from({ length: count }, (_, i) => i), '<i4') });
}

/*
 * Writing value trees back: the inverse of readPickle / readNpy for (mutated) trees, used by tests that damage one
 * part of a file and by the fuzz targets (bench/fuzz/targets/flame.ts).
 */

const te = new TextEncoder();

/** Raw bytes of an array's values in its dtype (little- or big-endian as the dtype says). */
function encodeNumeric(dtype: string, data: unknown): Uint8Array {
  if (!ArrayBuffer.isView(data)) return new Uint8Array(0);
  const values = Array.from(data as unknown as ArrayLike<number | bigint>, Number);
  const m = /^([<>|=]?)([a-z])(\d+)$/i.exec(dtype);
  const kind = m?.[2] ?? 'f', size = Number(m?.[3] ?? 8), le = m?.[1] !== '>';
  const out = new Uint8Array(values.length * (size || 1));
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    const o = i * size;
    if (kind === 'f' && size === 8) dv.setFloat64(o, v, le);
    else if (kind === 'f' && size === 4) dv.setFloat32(o, v, le);
    else if (size === 8) dv.setBigInt64(o, BigInt(Number.isFinite(v) ? Math.trunc(v) : 0), le);
    else if (size === 4) dv.setInt32(o, v | 0, le);
    else if (size === 2) dv.setInt16(o, v | 0, le);
    else if (size === 1) dv.setInt8(o, v | 0);
  });
  return out;
}

/** A protocol-2 pickle of a value tree: numbers, strings, bytes, lists (as tuples), Maps and objects (as dicts), ndarrays, class instances. */
export function writePickle(root: unknown): Uint8Array {
  const out: number[] = [0x80, 2];
  const u32 = (n: number) => out.push(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255);
  const push = (b: ArrayLike<number>) => { for (let i = 0; i < b.length; i++) out.push(b[i]!); };
  const global = (m: string, n: string) => { out.push(0x63); push(te.encode(`${m}\n${n}\n`)); };
  const str = (s: string) => { const b = te.encode(s); out.push(0x58); u32(b.length); push(b); };
  const emit = (v: unknown, depth: number): void => {
    if (depth > 500) { out.push(0x4e); return; }
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) { out.push(0x4a); u32(v >>> 0); }
      else if (Number.isSafeInteger(v)) { const b = new Uint8Array(8); new DataView(b.buffer).setBigInt64(0, BigInt(v), true); out.push(0x8a, 8); push(b); }
      else { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, v, false); out.push(0x47); push(b); }
    } else if (typeof v === 'string') str(v);
    else if (typeof v === 'boolean') out.push(v ? 0x88 : 0x89);
    else if (v === null || v === undefined) out.push(0x4e);
    else if (v instanceof Uint8Array) { out.push(0x42); u32(v.length); push(v); }
    else if (Array.isArray(v)) { out.push(0x28); v.forEach((x) => emit(x, depth + 1)); out.push(0x74); }
    else if (isNdArray(v)) {
      const a = v as NdArray;
      global('numpy.core.multiarray', '_reconstruct');
      out.push(0x28); global('numpy', 'ndarray'); out.push(0x28, 0x4b, 0, 0x74, 0x43, 1, 0x62, 0x74, 0x52);
      const dtype = typeof a.dtype === 'string' ? a.dtype : String(a.dtype);
      const order = /^[<>|=]/.test(dtype) ? dtype[0]! : '<';
      out.push(0x28, 0x4b, 1); // state: (1, shape, dtype, fortran, raw)
      emit(a.shape, depth + 1);
      global('numpy', 'dtype'); out.push(0x28); str(dtype.replace(/^[<>|=]/, '')); out.push(0x4b, 0, 0x4b, 1, 0x74, 0x52);
      out.push(0x28, 0x4b, 3); str(order); out.push(0x4e, 0x4e, 0x4e, 0x4a); u32(-1 >>> 0); out.push(0x4a); u32(-1 >>> 0); out.push(0x4b, 0, 0x74, 0x62);
      emit(Boolean(a.fortran), depth + 1);
      if (a.objects) emit(a.objects, depth + 1);
      else if (ArrayBuffer.isView(a.data)) { const raw = encodeNumeric(dtype, a.data); out.push(0x42); u32(raw.length); push(raw); }
      else emit(a.data, depth + 1);
      out.push(0x74, 0x62);
    } else if (isPyObject(v)) {
      const o = v as PyObject;
      global('copy_reg', '_reconstructor');
      out.push(0x28); global(String(o.module), String(o.name)); global('__builtin__', 'object'); out.push(0x4e, 0x74, 0x52);
      emit(o.state, depth + 1);
      out.push(0x62);
    } else if (v instanceof Map || typeof v === 'object') {
      out.push(0x7d, 0x28);
      for (const [k, x] of v instanceof Map ? v : Object.entries(v as object)) { emit(k, depth + 1); emit(x, depth + 1); }
      out.push(0x75);
    } else out.push(0x4e);
  };
  emit(root, 0);
  out.push(0x2e);
  return Uint8Array.from(out);
}

/** A .npy file: the header as numpy writes it, with whatever shape and dtype the (mutated) array carries. */
export function writeNpy(a: NdArray): Uint8Array {
  const shape = Array.isArray(a.shape) ? a.shape.map((d) => String(d)) : [String(a.shape)];
  const dtype = typeof a.dtype === 'string' ? a.dtype : String(a.dtype);
  let header = `{'descr': '${dtype}', 'fortran_order': ${a.fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64) header += ' ';
  header += '\n';
  const body = a.objects ? writePickle(a.objects.length === 1 ? a.objects[0] : a.objects) : encodeNumeric(dtype, a.data);
  const hb = te.encode(header);
  const out = new Uint8Array(10 + hb.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, hb.length & 255, (hb.length >> 8) & 255]);
  out.set(hb, 10);
  out.set(body, 10 + hb.length);
  return out;
}
