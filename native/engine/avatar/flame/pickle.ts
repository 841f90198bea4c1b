/**
 * A Python pickle reader (protocols 0–5, the binary opcodes numpy/scipy/chumpy pickles use) that builds plain values:
 * numbers, strings, Uint8Array (bytes), arrays (lists and tuples), Map (dicts), NdArray (numpy arrays) and PyObject
 * (any other class instance: module, name, constructor args and BUILD state). Nothing is executed.
 *
 * The file comes from outside (a user's download), so every failure is a PickleError with a message: lengths are
 * checked against the bytes left before anything is sliced or allocated (a negative or huge length never moves the
 * reader backwards or allocates), array shapes must be non-negative integers whose product the data really holds,
 * marks live on their own stack (a MARK can never leak into a value), and every opcode checks the types it uses.
 */

export class PickleError extends Error {
  constructor(message: string) { super(message); this.name = 'PickleError'; }
}

export interface NdArray {
  readonly kind: 'ndarray';
  dtype: string; // numpy descr, e.g. '<f8', '<i8', '|u1', '|O'
  shape: number[];
  /** Values in C (row-major) order. Object arrays carry `objects`. */
  data: Float64Array | Int32Array | Float32Array | BigInt64Array | Uint8Array | null;
  objects?: unknown[];
  fortran?: boolean;
}

export interface PyObject {
  readonly kind: 'object';
  module: string;
  name: string;
  args: unknown[];
  state: unknown;
}

interface Global { readonly kind: 'global'; module: string; name: string }
interface DType { readonly kind: 'dtype'; descr: string; order: string }

/** Longest integer (LONG1/LONG4) read, in bytes: FLAME files hold small ints; a longer one is damage (and costly). */
const MAX_LONG_BYTES = 64;
/** Most elements an array may declare (2^31: far above FLAME's largest, 5023 × 3 × 400). */
export const MAX_ARRAY_ELEMENTS = 2 ** 31;

const isGlobal = (x: unknown): x is Global => typeof x === 'object' && x !== null && (x as Global).kind === 'global';
const isDType = (x: unknown): x is DType => typeof x === 'object' && x !== null && (x as DType).kind === 'dtype';

export function isNdArray(x: unknown): x is NdArray { return typeof x === 'object' && x !== null && (x as NdArray).kind === 'ndarray'; }
export function isPyObject(x: unknown): x is PyObject { return typeof x === 'object' && x !== null && (x as PyObject).kind === 'object'; }

/** A py2 str's bytes back from the string they were read as (one char per byte). */
const latin1 = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
};
/**
 * Bytes → a string with one char per byte (ISO-8859-1). Not TextDecoder('latin1'): the WHATWG spec makes that label
 * windows-1252, which maps 0x80–0x9F to other code points and would corrupt the numpy data FLAME's py2 pickles
 * carry in str objects (Node 20 happens to decode it as ISO-8859-1; browsers and later Nodes need not).
 */
export const latin1Decode = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  return s;
};

/** Checks an array shape (non-negative integers, at most MAX_ARRAY_ELEMENTS elements in all) and returns its element count. */
export function shapeCount(shape: readonly unknown[]): number {
  let count = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new PickleError(`an array has an invalid shape (${shape.slice(0, 8).map(String).join(', ')})`);
    count *= d;
  }
  if (count > MAX_ARRAY_ELEMENTS) throw new PickleError(`an array declares ${count} elements, more than any FLAME file holds`);
  return count;
}

/** Decodes raw little/big-endian numeric bytes into a typed array in C order. */
export function decodeNumeric(descr: string, shape: number[], raw: Uint8Array, fortran: boolean): NdArray['data'] {
  if (typeof descr !== 'string' || !/^[<>|=]?[a-zA-Z]\d+$/.test(descr)) throw new PickleError(`unsupported array type ${String(descr).slice(0, 20)}`);
  const order = descr[0] === '>' ? 'big' : 'little';
  const type = descr.replace(/^[<>|=]/, '');
  const count = shapeCount(shape);
  const size = Number(type.slice(1));
  if (raw.length < count * size) throw new PickleError(`array data is truncated (${raw.length} of ${count * size} bytes)`);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = order === 'little';
  let out: Float64Array | Int32Array | Float32Array | BigInt64Array | Uint8Array;
  const kind = type[0];
  if (kind === 'f' && size === 8) { const a = new Float64Array(count); for (let i = 0; i < count; i++) a[i] = dv.getFloat64(i * 8, le); out = a; }
  else if (kind === 'f' && size === 4) { const a = new Float32Array(count); for (let i = 0; i < count; i++) a[i] = dv.getFloat32(i * 4, le); out = a; }
  else if ((kind === 'i' || kind === 'u') && size === 8) { const a = new BigInt64Array(count); for (let i = 0; i < count; i++) a[i] = kind === 'i' ? dv.getBigInt64(i * 8, le) : BigInt.asIntN(64, dv.getBigUint64(i * 8, le)); out = a; }
  else if ((kind === 'i' || kind === 'u') && size === 4) { const a = new Int32Array(count); for (let i = 0; i < count; i++) a[i] = kind === 'i' ? dv.getInt32(i * 4, le) : dv.getUint32(i * 4, le); out = a; }
  else if ((kind === 'i' || kind === 'u') && size === 2) { const a = new Int32Array(count); for (let i = 0; i < count; i++) a[i] = kind === 'i' ? dv.getInt16(i * 2, le) : dv.getUint16(i * 2, le); out = a; }
  else if ((kind === 'i' || kind === 'u' || kind === 'b') && size === 1) { const a = new Int32Array(count); for (let i = 0; i < count; i++) a[i] = kind === 'i' ? dv.getInt8(i) : dv.getUint8(i); out = a; }
  else throw new PickleError(`unsupported array type ${descr}`);
  if (fortran && shape.length > 1) {
    // convert column-major to row-major
    const Ctor = out.constructor as new (n: number) => typeof out;
    const c = new Ctor(count);
    const nd = shape.length;
    const idx = new Array<number>(nd).fill(0);
    for (let i = 0; i < count; i++) {
      // i enumerates C order; compute Fortran offset
      let rem = i;
      for (let d = nd - 1; d >= 0; d--) { idx[d] = rem % shape[d]!; rem = Math.floor(rem / shape[d]!); }
      let off = 0, stride = 1;
      for (let d = 0; d < nd; d++) { off += idx[d]! * stride; stride *= shape[d]!; }
      (c as unknown as number[])[i] = (out as unknown as number[])[off]!;
    }
    out = c;
  }
  return out;
}

export function readPickle(buf: Uint8Array): unknown {
  let p = 0;
  const stack: unknown[] = [];
  /** Stack heights at each MARK (Python's metastack): marks never sit among the values. */
  const marks: number[] = [];
  const floor = (): number => (marks.length ? marks[marks.length - 1]! : 0);
  const memo = new Map<number, unknown>();
  const need = (n: number): void => {
    if (!Number.isSafeInteger(n) || n < 0) throw new PickleError(`malformed pickle (a length of ${n} at byte ${p})`);
    if (p + n > buf.length) throw new PickleError('the file ends in the middle of its data (truncated)');
  };
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u8 = (): number => { need(1); return buf[p++]!; };
  const u16 = (): number => { need(2); const v = dv.getUint16(p, true); p += 2; return v; };
  const i32 = (): number => { need(4); const v = dv.getInt32(p, true); p += 4; return v; };
  const u32 = (): number => { need(4); const v = dv.getUint32(p, true); p += 4; return v; };
  const u64 = (): number => { need(8); const v = Number(dv.getBigUint64(p, true)); p += 8; return v; };
  const bytes = (n: number): Uint8Array => { need(n); const b = buf.subarray(p, p + n); p += n; return b; };
  const line = (): string => { const s = p; while (p < buf.length && buf[p] !== 0x0a) p++; need(1); const t = latin1Decode(buf.subarray(s, p)); p++; return t; };
  const utf8 = (b: Uint8Array): string => new TextDecoder('utf-8').decode(b);
  const popMark = (): unknown[] => {
    const k = marks.pop();
    if (k === undefined) throw new PickleError('malformed pickle (no mark)');
    return stack.splice(k);
  };
  const pop = (): unknown => { if (stack.length <= floor()) throw new PickleError('malformed pickle (stack underflow)'); return stack.pop(); };
  const top = (): unknown => { if (stack.length <= floor()) throw new PickleError('malformed pickle (empty stack)'); return stack[stack.length - 1]; };
  const pushAll = (target: unknown, items: unknown[], what: string): void => {
    if (!Array.isArray(target)) throw new PickleError(`malformed pickle (${what} on a non-list)`);
    for (const item of items) target.push(item);
  };
  const key = (k: unknown): unknown => (k instanceof Uint8Array ? latin1Decode(k) : k);
  const setItem = (d: unknown, k: unknown, v: unknown): void => {
    if (d instanceof Map) d.set(key(k), v);
    else if (isPyObject(d)) { if (!(d.state instanceof Map)) d.state = new Map(); (d.state as Map<unknown, unknown>).set(key(k), v); }
    else throw new PickleError('malformed pickle (SETITEM on a non-dict)');
  };
  const text = (x: unknown): string => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean' || x === null) return String(x);
    if (x instanceof Uint8Array) return latin1Decode(x);
    throw new PickleError('malformed pickle (a name or text is not a string)');
  };
  const call = (fn: unknown, rawArgs: unknown): unknown => {
    if (!isGlobal(fn)) throw new PickleError('malformed pickle (call of a non-class)');
    const args = Array.isArray(rawArgs) ? rawArgs : [];
    const full = `${fn.module}.${fn.name}`;
    if (/^numpy\.(_?core\.)?multiarray\._reconstruct$/.test(full)) return { kind: 'ndarray', dtype: '', shape: [], data: null } as NdArray;
    if (full === 'numpy.dtype') return { kind: 'dtype', descr: text(args[0]), order: '|' } as DType;
    if (full === '_codecs.encode') return latin1(text(args[0]));
    if (/^copy_?reg\._reconstructor$/.test(full)) {
      const cls = args[0];
      if (!isGlobal(cls)) throw new PickleError('malformed pickle (_reconstructor of a non-class)');
      return { kind: 'object', module: cls.module, name: cls.name, args: [], state: null } as PyObject;
    }
    if (/^numpy\.(_?core\.)?multiarray\.scalar$/.test(full)) {
      const dt = args[0];
      if (!isDType(dt)) throw new PickleError('malformed numpy scalar (no dtype)');
      const raw = args[1] instanceof Uint8Array ? args[1] : latin1(text(args[1]));
      const a = decodeNumeric((dt.order === '>' ? '>' : '<') + dt.descr, [1], raw, false);
      const v = a![0]!;
      return typeof v === 'bigint' ? Number(v) : v;
    }
    return { kind: 'object', module: fn.module, name: fn.name, args, state: null } as PyObject;
  };
  const build = (obj: unknown, state: unknown): void => {
    if (isNdArray(obj)) {
      const st = state as unknown[];
      if (!Array.isArray(st) || st.length < 5) throw new PickleError('malformed numpy array state');
      if (!Array.isArray(st[1])) throw new PickleError('malformed numpy array state (its shape is not a tuple)');
      const shape = st[1] as number[];
      shapeCount(shape);
      const dt = st[2];
      if (!isDType(dt)) throw new PickleError('malformed numpy array state (no dtype)');
      const fortran = Boolean(st[3]);
      const descrBase = dt.descr;
      const order = dt.order === '>' ? '>' : dt.order === '|' && /^[uib]1$|^O/.test(descrBase) ? '|' : '<';
      obj.dtype = order + descrBase;
      obj.shape = shape;
      obj.fortran = fortran;
      if (descrBase.startsWith('O')) { obj.objects = Array.isArray(st[4]) ? st[4] : [st[4]]; obj.data = null; return; }
      const raw = st[4] instanceof Uint8Array ? st[4] : latin1(text(st[4]));
      obj.data = decodeNumeric(obj.dtype, shape, raw, fortran);
      return;
    }
    if (isDType(obj)) {
      const st = state as unknown[];
      if (Array.isArray(st) && typeof st[1] === 'string') obj.order = st[1];
      return;
    }
    if (isPyObject(obj)) {
      if (Array.isArray(state) && state.length === 2 && (state[0] instanceof Map || state[0] === null)) {
        const m = new Map<unknown, unknown>(state[0] instanceof Map ? state[0] : []);
        if (state[1] instanceof Map) for (const [k, v] of state[1]) m.set(k, v);
        obj.state = m;
      } else obj.state = state;
      return;
    }
    if (obj instanceof Map && state instanceof Map) { for (const [k, v] of state) obj.set(k, v); return; }
    throw new PickleError('malformed pickle (BUILD on an unsupported value)');
  };

  if (buf.length === 0) throw new PickleError('the file is empty');
  if (![0x80, 0x28, 0x7d, 0x5d, 0x63, 0x29].includes(buf[0]!)) {
    const kind = buf[0] === 0x89 && buf[1] === 0x50 ? ' (it is a PNG image)' : buf[0] === 0xff && buf[1] === 0xd8 ? ' (it is a JPEG image)' : '';
    throw new PickleError(`this is not a Python pickle${kind}`);
  }
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME
      case 0x2e: { // STOP
        if (stack.length !== 1) return stack[stack.length - 1];
        return stack[0];
      }
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x30: if (stack.length > floor()) stack.pop(); else popMark(); break; // POP (a mark when no value is above it)
      case 0x31: popMark(); break;
      case 0x32: stack.push(top()); break;
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x49: { const s = line(); stack.push(s === '01' ? true : s === '00' ? false : Number(s)); break; } // INT
      case 0x4c: stack.push(Number(line().replace(/L$/, ''))); break; // LONG (text)
      case 0x8a: case 0x8b: { // LONG1 / LONG4
        const n = op === 0x8a ? u8() : u32();
        if (n > MAX_LONG_BYTES) throw new PickleError(`an integer of ${n} bytes at byte ${p} (damaged file)`);
        const b = bytes(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(Number(v));
        break;
      }
      case 0x47: { need(8); const v = dv.getFloat64(p, false); p += 8; stack.push(v); break; } // BINFLOAT
      case 0x46: stack.push(Number(line())); break; // FLOAT
      case 0x4e: stack.push(null); break;
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x55: stack.push(latin1Decode(bytes(u8()))); break; // SHORT_BINSTRING (py2 str)
      case 0x54: stack.push(latin1Decode(bytes(i32()))); break; // BINSTRING
      case 0x53: { const s = line(); stack.push(s.slice(1, -1)); break; } // STRING (repr)
      case 0x56: stack.push(line()); break; // UNICODE (raw-unicode-escape; ASCII assumed)
      case 0x58: stack.push(utf8(bytes(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(utf8(bytes(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8(bytes(u64()))); break; // BINUNICODE8
      case 0x42: stack.push(bytes(u32()).slice()); break; // BINBYTES
      case 0x43: stack.push(bytes(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: case 0x96: stack.push(bytes(u64()).slice()); break; // BINBYTES8 / BYTEARRAY8
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([pop()]); break;
      case 0x86: { const b = pop(), a = pop(); stack.push([a, b]); break; }
      case 0x87: { const c = pop(), b = pop(), a = pop(); stack.push([a, b, c]); break; }
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const v = pop(); const l = top(); if (!Array.isArray(l)) throw new PickleError('malformed pickle (APPEND)'); l.push(v); break; }
      case 0x65: { const items = popMark(); pushAll(top(), items, 'APPENDS'); break; }
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x64: { const items = popMark(); const m = new Map(); for (let i = 0; i + 1 < items.length; i += 2) m.set(key(items[i]), items[i + 1]); stack.push(m); break; }
      case 0x73: { const v = pop(), k = pop(); setItem(top(), k, v); break; }
      case 0x75: { const items = popMark(); const d = top(); for (let i = 0; i + 1 < items.length; i += 2) setItem(d, items[i], items[i + 1]); break; }
      case 0x8f: stack.push([]); break; // EMPTY_SET (as list)
      case 0x90: { const items = popMark(); pushAll(top(), items, 'ADDITEMS'); break; }
      case 0x91: stack.push(popMark()); break;
      case 0x63: { const module = line(); const name = line(); stack.push({ kind: 'global', module, name } as Global); break; }
      case 0x93: { const name = text(pop()), module = text(pop()); stack.push({ kind: 'global', module, name } as Global); break; }
      case 0x52: { const args = pop(); const fn = pop(); stack.push(call(fn, args)); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); stack.push(call(cls, args)); break; } // NEWOBJ
      case 0x92: { pop(); const args = pop(); const cls = pop(); stack.push(call(cls, args)); break; } // NEWOBJ_EX
      case 0x62: { const st = pop(); build(top(), st); break; }
      case 0x70: memo.set(Number(line()), top()); break; // PUT
      case 0x71: memo.set(u8(), top()); break;
      case 0x72: memo.set(u32(), top()); break;
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x67: { const k = Number(line()); if (!memo.has(k)) throw new PickleError('malformed pickle (GET)'); stack.push(memo.get(k)); break; }
      case 0x68: { const k = u8(); if (!memo.has(k)) throw new PickleError('malformed pickle (BINGET)'); stack.push(memo.get(k)); break; }
      case 0x6a: { const k = u32(); if (!memo.has(k)) throw new PickleError('malformed pickle (LONG_BINGET)'); stack.push(memo.get(k)); break; }
      default:
        throw new PickleError(p === 1 ? 'this is not a Python pickle' : `unsupported pickle opcode 0x${op.toString(16)} at byte ${p - 1}`);
    }
  }
}
