/**
 * A small seeded fuzz harness for the parsers of outside data (calibration files, FLAME .pkl/.npz, images, the web
 * mode envelope, avatar bundles, upload names). No dependency: a seeded PRNG (mulberry32), mutators over valid seed
 * inputs, and a runner that classifies every case and measures its time and memory.
 *
 * - **Cases are reproducible from one number.** Case `i` of a run with seed `S` uses the case seed
 *   `caseSeed(S, i)`; `generateCase(seeds, mutators, caseSeed)` rebuilds exactly that input (which seed input, which
 *   mutations, which bytes). A crash report names the case seed and the mutations applied.
 * - **Outcomes.** `ok`: the parser returned (and the target's `check` of the result passed); `typed`: it threw its
 *   own documented error type (by default a StudioError with a code other than INTERNAL); `crash`: anything else — a
 *   TypeError / RangeError / plain Error, a result that fails `check`, a broken invariant after the case (`after`), a
 *   case slower than `maxCaseMs`, or a case that grew memory by more than `maxCaseMiB`.
 * - **Hangs.** A synchronous parser stuck in a loop cannot be interrupted from its own thread, and running every case
 *   in a worker_threads Worker would cost a message round trip and a structured clone per case and could not load
 *   the studio's TypeScript modules under Vitest (the worker has no Vite transform). So cases run in this thread and
 *   each one's time is bounded: a case that returns after more than `maxCaseMs` is a crash ("slow"), and a case that
 *   does not return at all is caught by a watchdog — a tiny plain-JS Worker that watches a SharedArrayBuffer where
 *   the runner writes the running case's start time and description. When a case has run for `hangMs`, the watchdog
 *   writes `FUZZ HANG <target> case seed … mutation …` to stderr (and to `hangReportFile` when given, which
 *   bench/fuzz reads back) and kills the process, so a hang fails the test run at once with its reproducer instead
 *   of blocking CI until its global timeout.
 * - **Memory.** `process.memoryUsage()` before and after every case (the largest of the RSS, heap and ArrayBuffer
 *   deltas is the case's growth) and the process's peak RSS (`resourceUsage().maxRSS`) over the whole run. A parser
 *   must refuse a huge declared count before allocating for it; a case that grows memory by more than `maxCaseMiB`
 *   is a crash ("memory"), and tests assert the run's peak growth stays under a generous cap.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ERROR_CODES, StudioError } from '@shared/api/errors';

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: a fast 32-bit PRNG with a good enough spread for fuzzing, fully determined by its seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** A uniform u32. */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** [0, 1) */
  next(): number {
    return this.u32() / 4294967296;
  }
  /** An integer in [0, n) (0 when n ≤ 0). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.next() * n);
  }
  /** An integer in [a, b]. */
  range(a: number, b: number): number {
    return a + this.int(b - a + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
  /** A size biased towards small values (most mutations should be small, a few large). */
  size(max: number): number {
    const r = this.next();
    return Math.max(1, Math.min(max, r < 0.6 ? this.range(1, 8) : r < 0.9 ? this.range(1, 64) : this.range(1, 1024)));
  }
}

/** The seed of case `index` in a run seeded with `runSeed` (splitmix-style hash, so neighbouring cases differ). */
export function caseSeed(runSeed: number, index: number): number {
  let z = (Math.imul(runSeed >>> 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Mutators

/** One mutation: returns the mutated input and a short label (`bitflip@12`), or null when it does not apply. */
export interface Mutator<T> {
  name: string;
  /** Relative frequency (default 1). */
  weight?: number;
  apply(input: T, rng: Rng): { value: T; label: string } | null;
}

/** Bytes worth writing where a parser reads a byte. */
export const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff] as const;
/** Values worth writing where a parser reads a count, a length or an offset. */
export const INTERESTING_U32 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff] as const;

/** A header field a format documents: where it is and how wide. */
export interface Field {
  offset: number;
  size: 1 | 2 | 4 | 8;
  littleEndian: boolean;
  label?: string;
}

export interface ByteMutatorOptions {
  /** Offsets where the format has structure (chunk starts, section boundaries): truncations are aimed there too. */
  offsets?: (input: Uint8Array) => number[];
  /** The format's known header fields (lengths, counts, offsets, sizes): absurd values are written into them. */
  fields?: (input: Uint8Array) => Field[];
}

const splice = (a: Uint8Array, at: number, del: number, ins: Uint8Array = new Uint8Array(0)): Uint8Array => {
  const out = new Uint8Array(a.length - del + ins.length);
  out.set(a.subarray(0, at), 0);
  out.set(ins, at);
  out.set(a.subarray(at + del), at + ins.length);
  return out;
};

function writeField(buf: Uint8Array, f: Field, value: number): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (f.offset < 0 || f.offset + f.size > buf.length) return;
  if (f.size === 1) dv.setUint8(f.offset, value & 0xff);
  else if (f.size === 2) dv.setUint16(f.offset, value & 0xffff, f.littleEndian);
  else if (f.size === 4) dv.setUint32(f.offset, value >>> 0, f.littleEndian);
  else dv.setBigUint64(f.offset, BigInt.asUintN(64, BigInt(Math.trunc(value))), f.littleEndian);
}

function readField(buf: Uint8Array, f: Field): number {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (f.offset < 0 || f.offset + f.size > buf.length) return 0;
  if (f.size === 1) return dv.getUint8(f.offset);
  if (f.size === 2) return dv.getUint16(f.offset, f.littleEndian);
  if (f.size === 4) return dv.getUint32(f.offset, f.littleEndian);
  return Number(dv.getBigUint64(f.offset, f.littleEndian));
}

/** An absurd value for a count/length/offset field: the interesting constants, the input's length ± 1, the field's own value ± 1, 2^53 + 1 for wide fields. */
function absurdFieldValue(rng: Rng, input: Uint8Array, f: Field): number {
  const own = readField(input, f);
  const choices = [...INTERESTING_U32, input.length, input.length + 1, input.length - 1, own + 1, own - 1, own * 2, own + input.length];
  if (f.size === 8) choices.push(2 ** 53 + 1, 2 ** 63, 2 ** 64 - 1);
  return rng.pick(choices);
}

/** The generic byte mutators: bit flips, interesting bytes and words, truncations, chunk insertion/deletion/duplication, absurd header fields. */
export function byteMutators(o: ByteMutatorOptions = {}): Mutator<Uint8Array>[] {
  const list: Mutator<Uint8Array>[] = [
    {
      name: 'bitflip',
      weight: 3,
      apply: (a, rng) => {
        if (!a.length) return null;
        const out = a.slice();
        const n = rng.pick([1, 1, 1, 2, 4, 8]);
        const at: number[] = [];
        for (let i = 0; i < n; i++) {
          const p = rng.int(out.length);
          out[p]! ^= 1 << rng.int(8);
          at.push(p);
        }
        return { value: out, label: `bitflip@${at.join(',')}` };
      },
    },
    {
      name: 'byte',
      weight: 3,
      apply: (a, rng) => {
        if (!a.length) return null;
        const out = a.slice();
        const p = rng.int(out.length);
        const v = rng.chance(0.7) ? rng.pick(INTERESTING_BYTES) : (out[p]! + rng.pick([1, -1])) & 0xff;
        out[p] = v;
        return { value: out, label: `byte@${p}=0x${v.toString(16)}` };
      },
    },
    {
      name: 'word',
      weight: 2,
      apply: (a, rng) => {
        const size = rng.pick([2, 4, 8] as const);
        if (a.length < size) return null;
        const f: Field = { offset: rng.int(a.length - size + 1), size, littleEndian: rng.chance(0.5) };
        const out = a.slice();
        const v = absurdFieldValue(rng, a, f);
        writeField(out, f, v);
        return { value: out, label: `u${size * 8}${f.littleEndian ? 'le' : 'be'}@${f.offset}=${v}` };
      },
    },
    {
      name: 'truncate',
      weight: 2,
      apply: (a, rng) => {
        if (!a.length) return null;
        const at = rng.chance(0.3) ? a.length - rng.size(a.length) : rng.int(a.length);
        return { value: a.slice(0, Math.max(0, at)), label: `truncate@${Math.max(0, at)}` };
      },
    },
    {
      name: 'insert',
      apply: (a, rng) => {
        const at = rng.int(a.length + 1);
        const n = rng.size(4096);
        const chunk = rng.chance(0.5) || !a.length ? rng.bytes(n) : (() => { const s = rng.int(a.length); return a.slice(s, s + n); })();
        return { value: splice(a, at, 0, chunk), label: `insert@${at}+${chunk.length}` };
      },
    },
    {
      name: 'delete',
      apply: (a, rng) => {
        if (!a.length) return null;
        const at = rng.int(a.length);
        const n = Math.min(a.length - at, rng.size(a.length));
        return { value: splice(a, at, n), label: `delete@${at}-${n}` };
      },
    },
    {
      name: 'duplicate',
      apply: (a, rng) => {
        if (!a.length) return null;
        const s = rng.int(a.length);
        const chunk = a.slice(s, s + rng.size(a.length));
        const at = rng.chance(0.5) ? s + chunk.length : rng.int(a.length + 1);
        const times = rng.pick([1, 1, 2, 16]);
        let out = a;
        for (let i = 0; i < times; i++) out = splice(out, at, 0, chunk);
        return { value: out, label: `dup@${s}+${chunk.length}x${times}->${at}` };
      },
    },
    {
      name: 'garbage',
      weight: 0.2,
      apply: (a, rng) => {
        const n = rng.chance(0.5) ? a.length : rng.size(4096);
        return { value: rng.bytes(n), label: `garbage(${n})` };
      },
    },
  ];
  if (o.offsets) {
    const offsets = o.offsets;
    list.push({
      name: 'truncate-structural',
      weight: 2,
      apply: (a, rng) => {
        const offs = offsets(a).filter((x) => x >= 0 && x <= a.length);
        if (!offs.length) return null;
        const at = rng.pick(offs) + rng.pick([0, 0, 0, 1, -1, 4, 8]);
        const cut = Math.max(0, Math.min(a.length, at));
        return { value: a.slice(0, cut), label: `truncate-structural@${cut}` };
      },
    });
  }
  if (o.fields) {
    const fields = o.fields;
    list.push({
      name: 'field',
      weight: 4,
      apply: (a, rng) => {
        const fs_ = fields(a).filter((f) => f.offset >= 0 && f.offset + f.size <= a.length);
        if (!fs_.length) return null;
        const f = rng.pick(fs_);
        const v = absurdFieldValue(rng, a, f);
        const out = a.slice();
        writeField(out, f, v);
        return { value: out, label: `field ${f.label ?? ''}@${f.offset}=${v}` };
      },
    });
  }
  return list;
}

// ---------------------------------------------------------------------------------------------------------------
// Value-tree mutators (JSON documents, unpickled structures)

/**
 * Text a JSON document cannot hold as a value but a hostile file can: spliced in verbatim where the marker string
 * stands after `JSON.stringify` (`stringifyWithRaw`).
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Strings worth putting where a parser expects a name or an id. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '.',
  '..',
  '../../x',
  '/abs',
  'C:\\abs',
  'bake/../../x',
  'bake/',
  'a/b/c',
  'x\u0000y',
  '\u202Egpj.exe',
  '__proto__',
  'constructor',
  'NaN',
  '-1',
  '1e999',
  '\uD800',
  'é'.repeat(300),
  '💥'.repeat(300),
  'x'.repeat(5000),
];

/** Numbers worth putting where a parser expects a count, a size, an offset or an index. */
export const ABSURD_NUMBERS: readonly number[] = [0, -0, -1, 0.5, 1.5, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 + 2, 1e308, -1e308, 5e-324, 1e16];

/** A replacement value: absurd numbers, wrong types, hostile strings, JSON's unrepresentables (NaN, ±1e999, deep nesting, huge arrays). */
export function absurdValue(rng: Rng, current?: unknown): unknown {
  const r = rng.next();
  if (typeof current === 'number' && r < 0.35) return rng.chance(0.25) ? current + rng.pick([1, -1]) : rng.pick(ABSURD_NUMBERS);
  if (typeof current === 'string' && r < 0.3) return rng.pick(HOSTILE_STRINGS);
  const k = rng.next();
  if (k < 0.25) return rng.pick(ABSURD_NUMBERS);
  if (k < 0.4) return rng.pick(HOSTILE_STRINGS);
  if (k < 0.5) return rng.pick([null, true, false]);
  if (k < 0.6) return rng.pick([[], {}]);
  if (k < 0.68) return typeof current === 'string' ? current.length : String(current);
  if (k < 0.76) return [current, current];
  if (k < 0.84) return { [rng.pick(HOSTILE_STRINGS)]: current };
  if (k < 0.97) return new RawJson(rng.pick(['NaN', 'Infinity', '1e999', '-1e999', '-0', '1e-400', '123456789012345678901234567890']));
  // rarer and costly: deep nesting and long arrays
  if (k < 0.985) {
    const d = rng.pick([100, 5000, 20_000]);
    return new RawJson('['.repeat(d) + ']'.repeat(d));
  }
  return new RawJson(`[${new Array(rng.pick([1000, 20_000])).fill('0').join(',')}]`);
}

type Container = Record<string, unknown> | unknown[] | Map<unknown, unknown>;
const isContainer = (v: unknown): v is Container => v instanceof Map || Array.isArray(v) || (typeof v === 'object' && v !== null && !(v instanceof RawJson) && !ArrayBuffer.isView(v));

/** Every (parent, key) slot in a value tree, depth-first, up to `limit` (typed arrays are leaves). */
export function slots(root: unknown, limit = 4000): { parent: Container; key: unknown; path: string }[] {
  const out: { parent: Container; key: unknown; path: string }[] = [];
  const walk = (v: unknown, path: string, depth: number): void => {
    if (out.length >= limit || depth > 64 || !isContainer(v)) return;
    if (v instanceof Map) for (const [k, x] of v) { out.push({ parent: v, key: k, path: `${path}.${String(k)}` }); walk(x, `${path}.${String(k)}`, depth + 1); }
    else if (Array.isArray(v)) {
      // a long array contributes its first 32 and last 8 elements (a huge one would otherwise drown the rest)
      const n = v.length;
      for (let i = 0; i < n; i = i === 31 && n > 40 ? n - 8 : i + 1) { out.push({ parent: v, key: i, path: `${path}[${i}]` }); walk(v[i], `${path}[${i}]`, depth + 1); }
    } else for (const k of Object.keys(v)) { out.push({ parent: v, key: k, path: `${path}.${k}` }); walk((v as Record<string, unknown>)[k], `${path}.${k}`, depth + 1); }
  };
  walk(root, '$', 0);
  return out;
}

const getSlot = (p: Container, k: unknown): unknown => (p instanceof Map ? p.get(k) : (p as Record<string, unknown>)[k as string]);
const setSlot = (p: Container, k: unknown, v: unknown): void => {
  if (p instanceof Map) p.set(k, v);
  else (p as Record<string, unknown>)[k as string] = v;
};

/** A deep copy of a value tree (plain objects, arrays, Maps; typed arrays copied; class instances keep their fields, not their prototype). */
export function cloneTree<T>(v: T, depth = 0): T {
  // Mutations reach depth 64 at most (`slots`); deeper subtrees (a previous mutation's deep nesting) are shared.
  if (depth > 80) return v;
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, cloneTree(x, depth + 1)])) as T;
  if (Array.isArray(v)) return v.map((x) => cloneTree(x, depth + 1)) as T;
  if (ArrayBuffer.isView(v)) return (v as unknown as Uint8Array).slice() as unknown as T;
  if (v instanceof RawJson) return v;
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cloneTree(x, depth + 1)])) as T;
  return v;
}

export interface TreeMutatorOptions {
  /** Slots to aim at more often (a path regex: `\.sections\[\d+\]\.offset$`), with absurd values of their own. */
  targets?: { path: RegExp; values?: (rng: Rng, current: unknown) => unknown }[];
}

/**
 * Mutates a value tree in place-free fashion (returns a mutated deep copy): replaces a value (absurd numbers, wrong
 * types, hostile strings, JSON's unrepresentables), deletes a key or an element, duplicates an element, adds an
 * unknown key, or aims at the format's known fields (`targets`).
 */
export function mutateTree(root: unknown, rng: Rng, o: TreeMutatorOptions = {}): { value: unknown; label: string } {
  const tree = cloneTree(root);
  const all = slots(tree);
  if (!all.length) return { value: absurdValue(rng, tree), label: 'replace $' };
  if (o.targets?.length && rng.chance(0.5)) {
    const t = rng.pick(o.targets);
    const hits = all.filter((s) => t.path.test(s.path));
    if (hits.length) {
      const s = rng.pick(hits);
      const cur = getSlot(s.parent, s.key);
      const v = t.values ? t.values(rng, cur) : absurdValue(rng, cur);
      setSlot(s.parent, s.key, v);
      return { value: tree, label: `set ${s.path}=${describeValue(v)}` };
    }
  }
  const s = rng.pick(all);
  const cur = getSlot(s.parent, s.key);
  const op = rng.int(10);
  if (op < 6) {
    const v = absurdValue(rng, cur);
    setSlot(s.parent, s.key, v);
    return { value: tree, label: `set ${s.path}=${describeValue(v)}` };
  }
  if (op === 6) {
    if (s.parent instanceof Map) s.parent.delete(s.key);
    else if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
    else delete (s.parent as Record<string, unknown>)[s.key as string];
    return { value: tree, label: `delete ${s.path}` };
  }
  if (op === 7 && Array.isArray(s.parent)) {
    const times = rng.pick([1, 2, 100]);
    for (let i = 0; i < times; i++) s.parent.splice(s.key as number, 0, cloneTree(cur));
    return { value: tree, label: `duplicate ${s.path} x${times}` };
  }
  if (op === 8 && isContainer(cur) && !Array.isArray(cur)) {
    const k = rng.pick(HOSTILE_STRINGS);
    setSlot(cur, k, absurdValue(rng));
    return { value: tree, label: `add ${s.path}.${JSON.stringify(k).slice(0, 20)}` };
  }
  const v = rng.pick([null, [], {}, '', 0, -1]);
  setSlot(s.parent, s.key, v);
  return { value: tree, label: `set ${s.path}=${describeValue(v)}` };
}

export function describeValue(v: unknown): string {
  if (v instanceof RawJson) return v.text.length > 24 ? `raw(${v.text.slice(0, 12)}…${v.text.length})` : `raw(${v.text})`;
  if (typeof v === 'string') return v.length > 24 ? `"${v.slice(0, 12)}…"(${v.length})` : JSON.stringify(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (Array.isArray(v)) return `[${v.length}]`;
  if (v && typeof v === 'object') return '{…}';
  return String(v);
}

/** JSON.stringify that splices RawJson values in verbatim (NaN, 1e999, deep nesting…). */
export function stringifyWithRaw(v: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(v, (_k, x: unknown) => {
    if (x instanceof RawJson) {
      raws.push(x.text);
      return `\u0001RAW${raws.length - 1}\u0001`;
    }
    return x;
  });
  if (text === undefined) return 'null';
  return raws.length ? text.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i: string) => raws[Number(i)]!) : text;
}

/**
 * Mutators for a JSON document: tree mutations (values, types, counts, deletions) re-serialised — `targets` aim at
 * the format's known fields — and, less often, byte mutations of the text itself.
 */
export function jsonMutators(o: TreeMutatorOptions & { bytes?: boolean } = {}): Mutator<Uint8Array>[] {
  const dec = new TextDecoder();
  const enc = new TextEncoder();
  const list: Mutator<Uint8Array>[] = [
    {
      name: 'json-tree',
      weight: 6,
      apply: (a, rng) => {
        if (nestingDepth(a) > 200) return null; // a previous mutation nested it deeply: re-serialising would overflow the stack
        let doc: unknown;
        try {
          doc = JSON.parse(dec.decode(a));
        } catch {
          return null;
        }
        const m = mutateTree(doc, rng, o);
        return { value: enc.encode(stringifyWithRaw(m.value)), label: m.label };
      },
    },
  ];
  if (o.bytes !== false) list.push(...byteMutators().map((m) => ({ ...m, weight: (m.weight ?? 1) * 0.08 })));
  return list;
}

/** The deepest bracket nesting in a JSON text (strings ignored). */
function nestingDepth(a: Uint8Array): number {
  let depth = 0, max = 0, inString = false;
  for (let i = 0; i < a.length; i++) {
    const c = a[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Picks one mutator by weight. */
function pickMutator<T>(rng: Rng, mutators: readonly Mutator<T>[]): Mutator<T> {
  const total = mutators.reduce((s, m) => s + (m.weight ?? 1), 0);
  let r = rng.next() * total;
  for (const m of mutators) {
    r -= m.weight ?? 1;
    if (r < 0) return m;
  }
  return mutators[mutators.length - 1]!;
}

export interface FuzzCase<T> {
  seed: number;
  seedIndex: number;
  input: T;
  /** The mutations applied, in order (`seed#1: bitflip@12 + truncate@300`). */
  mutation: string;
}

/** Rebuilds case `seed` exactly: picks a seed input and applies 1–4 mutations (more rarely up to 8). */
export function generateCase<T>(seeds: readonly T[], mutators: readonly Mutator<T>[], seed: number): FuzzCase<T> {
  const rng = new Rng(seed);
  const seedIndex = rng.int(seeds.length);
  let input: T = seeds[seedIndex] as T;
  const n = rng.chance(0.6) ? 1 : rng.chance(0.8) ? rng.range(2, 4) : rng.range(5, 8);
  const labels: string[] = [];
  for (let i = 0, tries = 0; i < n && tries < n * 4; tries++) {
    const m = pickMutator(rng, mutators);
    let r: { value: T; label: string } | null;
    try {
      r = m.apply(input, rng);
    } catch {
      r = null; // a mutator that cannot work on this input (e.g. nesting too deep to re-serialise) is skipped
    }
    if (!r) continue;
    input = r.value;
    labels.push(r.label);
    i++;
  }
  return { seed, seedIndex, input, mutation: `seed#${seedIndex}: ${labels.join(' + ') || '(unchanged)'}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Classification

export type Outcome = 'ok' | 'typed' | 'crash';

/** The default "typed" test: a StudioError with one of the contract's codes, INTERNAL excepted (that code means an unexpected failure). */
export function isTypedStudioError(err: unknown): boolean {
  return err instanceof StudioError && (ERROR_CODES as readonly string[]).includes(err.code) && err.code !== 'INTERNAL';
}

/** `classify` for a parser whose documented errors are instances of `types` (and StudioErrors). */
export function typedBy(...types: (abstract new (...args: never[]) => Error)[]): (err: unknown) => boolean {
  return (err) => isTypedStudioError(err) || types.some((t) => err instanceof t);
}

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const frame = err.stack?.split('\n').find((l) => l.trim().startsWith('at '))?.trim() ?? '';
    const code = err instanceof StudioError ? ` [${err.code}]` : '';
    const cause = (err as { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? ` (cause: ${cause.name}: ${cause.message.slice(0, 200)})` : '';
    return `${err.name}${code}: ${err.message.slice(0, 400)}${causeText}${frame ? ` ${frame}` : ''}`;
  }
  return `non-Error thrown: ${typeof err} ${String(err).slice(0, 200)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Hang watchdog

const WATCHDOG_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const state = new Float64Array(workerData.sab, 0, 2);
const text = new Uint8Array(workerData.sab, 16);
const timer = setInterval(() => {
  const started = state[0];
  if (started > 0 && Date.now() - started > state[1]) {
    clearInterval(timer);
    let n = text.indexOf(0);
    if (n < 0) n = text.length;
    const msg = 'FUZZ HANG ' + Buffer.from(text.subarray(0, n)).toString('utf8') + ' (no return after ' + Math.round(Date.now() - started) + ' ms)';
    try { fs.writeSync(2, '\\n' + msg + '\\n'); } catch {}
    if (workerData.reportFile) { try { fs.writeFileSync(workerData.reportFile, msg); } catch {} }
    process.kill(process.pid, 'SIGKILL');
  }
}, 50);
parentPort.postMessage('ready');
`;

/** Watches the running case from another thread; see the module comment. */
class Watchdog {
  private readonly sab = new SharedArrayBuffer(16 + 2048);
  private readonly state = new Float64Array(this.sab, 0, 2);
  private readonly text = new Uint8Array(this.sab, 16);
  private readonly enc = new TextEncoder();
  private readonly worker: Worker;
  constructor(hangMs: number, reportFile?: string) {
    this.state[1] = hangMs;
    // execArgv: [] — the watchdog is plain CommonJS and must not inherit loaders or `--input-type=module`
    this.worker = new Worker(WATCHDOG_SOURCE, { eval: true, execArgv: [], workerData: { sab: this.sab, reportFile } });
    this.worker.unref();
  }
  /** Resolves once the watchdog is watching (a worker only starts while this thread's event loop turns, so the first case must wait for it). */
  ready(): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, 10_000);
      this.worker.once('message', () => {
        clearTimeout(t);
        resolve();
      });
      this.worker.once('error', (err) => {
        clearTimeout(t);
        process.stderr.write(`fuzz: the hang watchdog could not start (${err.message}); a hang will not be caught\n`);
        resolve();
      });
    });
  }
  start(description: string): void {
    const r = this.enc.encodeInto(description.slice(0, 1000), this.text);
    this.text.fill(0, r.written, Math.min(this.text.length, r.written + 1));
    this.state[0] = Date.now();
  }
  stop(): void {
    this.state[0] = 0;
  }
  async close(): Promise<void> {
    this.stop();
    await this.worker.terminate();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The runner

export interface FuzzOptions<T, R> {
  iterations: number;
  /** Run seed: the same seed gives the same cases. */
  seed: number;
  /** How inputs are mutated (default: `byteMutators()`, for byte inputs). */
  mutators?: readonly Mutator<T>[];
  /** True when the error is the parser's own documented failure (default: a StudioError with a code, INTERNAL excepted). */
  classify?: (err: unknown) => boolean;
  /** Invariants of a successful parse; throwing makes the case a crash (a parser that accepts garbage silently). */
  check?: (result: R, c: FuzzCase<T>) => void | Promise<void>;
  /** Runs after every case (e.g. "the library is intact"); throwing makes the case a crash. */
  after?: (c: FuzzCase<T>, outcome: Outcome) => void | Promise<void>;
  /** A case taking longer than this is a crash (default 2000 ms). */
  maxCaseMs?: number;
  /** A case that has not returned after this long kills the process with its reproducer on stderr (default 30 s). */
  hangMs?: number;
  /** A case growing memory by more than this is a crash (default 256 MiB). */
  maxCaseMiB?: number;
  /** Stop early after this long (ms), even before `iterations`. */
  timeBudgetMs?: number;
  /** Crash cases kept in the report (default 20). */
  keepCrashes?: number;
  /** Where the watchdog writes a hang's reproducer (bench/fuzz reads it when a target's process dies). */
  hangReportFile?: string;
  /** Called with every crash as it happens (e.g. to save the input). */
  onCrash?: (c: FuzzCase<T>, crash: FuzzCrash) => void;
}

export interface FuzzCrash {
  /** Case seed: `generateCase(seeds, mutators, seed)` rebuilds the input. */
  seed: number;
  index: number;
  mutation: string;
  kind: 'exception' | 'check' | 'after' | 'slow' | 'memory';
  error: string;
  ms: number;
}

export interface FuzzReport {
  name: string;
  seed: number;
  iterations: number;
  ok: number;
  typed: number;
  crashes: number;
  maxCaseMs: number;
  meanCaseMs: number;
  /** Largest memory growth of one case (max of the RSS, heap and ArrayBuffer deltas), MiB. */
  maxCaseMiB: number;
  /** Peak RSS over the run minus RSS at its start, MiB (the process's peak when the run raised it, else the largest sampled). */
  rssGrowthMiB: number;
  /** RSS at the end minus RSS at the start, MiB. */
  rssEndGrowthMiB: number;
  elapsedMs: number;
  firstCrash: FuzzCrash | null;
  crashCases: FuzzCrash[];
  /** The typed errors seen, by first 60 characters of the message, with counts (the 12 most frequent). */
  typedMessages: Record<string, number>;
  /** Distinct crashes (by kind and the start of the error, numbers blanked), each with its count and first case (up to 12). */
  distinctCrashes: { signature: string; count: number; seed: number; mutation: string }[];
}

/**
 * What tells one crash from another: its kind and the start of its error (up to a ' — ', after which checks put the
 * case's details), numbers and quoted text blanked.
 */
export function crashSignature(k: Pick<FuzzCrash, 'kind' | 'error'>): string {
  return `${k.kind}: ${k.error.split(' — ')[0]!.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/\d+/g, '#').slice(0, 90)}`;
}

const MiB = 1024 * 1024;

/**
 * Runs `iterations` mutated cases of `seedInputs` through `parse` and reports the outcomes. Never throws for a
 * crash (tests assert on the report; `assertClean` formats it).
 */
export async function fuzz<T, R>(name: string, seedInputs: readonly T[], parse: (input: T, c: FuzzCase<T>) => R | Promise<R>, o: FuzzOptions<T, R>): Promise<FuzzReport> {
  const classify = o.classify ?? isTypedStudioError;
  const mutators = o.mutators ?? (byteMutators() as unknown as Mutator<T>[]);
  const maxCaseMs = o.maxCaseMs ?? 2000;
  const maxCaseMiB = o.maxCaseMiB ?? 256;
  const keep = o.keepCrashes ?? 20;
  const dog = new Watchdog(o.hangMs ?? 30_000, o.hangReportFile);
  await dog.ready();
  const report: FuzzReport = {
    name, seed: o.seed, iterations: 0, ok: 0, typed: 0, crashes: 0, maxCaseMs: 0, meanCaseMs: 0, maxCaseMiB: 0, rssGrowthMiB: 0, rssEndGrowthMiB: 0, elapsedMs: 0, firstCrash: null, crashCases: [], typedMessages: {}, distinctCrashes: [],
  };
  const signatures = new Map<string, { signature: string; count: number; seed: number; mutation: string }>();
  const typedCounts = new Map<string, number>();
  const rss0 = process.memoryUsage.rss();
  const peak0 = process.resourceUsage().maxRSS * 1024;
  let sampledPeak = rss0;
  const t0 = performance.now();
  let totalMs = 0;
  const crash = (c: FuzzCase<T>, index: number, kind: FuzzCrash['kind'], error: string, ms: number) => {
    const k: FuzzCrash = { seed: c.seed, index, mutation: c.mutation, kind, error, ms: Math.round(ms * 10) / 10 };
    report.crashes++;
    report.firstCrash ??= k;
    const sig = crashSignature(k);
    const seen = signatures.get(sig);
    if (seen) seen.count++;
    else signatures.set(sig, { signature: sig, count: 1, seed: k.seed, mutation: k.mutation });
    // keep the first case of every distinct crash, then the first ones
    if (report.crashCases.length < keep && (!seen || report.crashCases.length < keep / 2)) report.crashCases.push(k);
    o.onCrash?.(c, k);
  };
  try {
    for (let i = 0; i < o.iterations; i++) {
      if (o.timeBudgetMs !== undefined && performance.now() - t0 > o.timeBudgetMs) break;
      const seed = caseSeed(o.seed, i);
      dog.start(`${name} case ${i} seed ${seed} (mutation being generated)`);
      const c = generateCase(seedInputs, mutators, seed);
      dog.start(`${name} case ${i} seed ${seed} ${c.mutation}`);
      const m0 = process.memoryUsage();
      const c0 = performance.now();
      let outcome: Outcome;
      let result: R | undefined;
      let thrown: unknown;
      let threw = false;
      try {
        result = await parse(c.input, c);
      } catch (err) {
        threw = true;
        thrown = err;
      }
      const ms = performance.now() - c0;
      const m1 = process.memoryUsage();
      sampledPeak = Math.max(sampledPeak, m1.rss);
      const grew = Math.max(m1.rss - m0.rss, m1.heapUsed - m0.heapUsed, m1.arrayBuffers - m0.arrayBuffers) / MiB;
      report.iterations++;
      totalMs += ms;
      report.maxCaseMs = Math.max(report.maxCaseMs, ms);
      report.maxCaseMiB = Math.max(report.maxCaseMiB, grew);
      if (threw && classify(thrown)) {
        outcome = 'typed';
        const key = (thrown as Error).message.slice(0, 60);
        typedCounts.set(key, (typedCounts.get(key) ?? 0) + 1);
      } else if (threw) {
        outcome = 'crash';
        crash(c, i, 'exception', describeError(thrown), ms);
      } else {
        outcome = 'ok';
        if (o.check) {
          try {
            await o.check(result as R, c);
          } catch (err) {
            outcome = 'crash';
            crash(c, i, 'check', `accepted but invalid: ${describeError(err)}`, ms);
          }
        }
      }
      if (outcome !== 'crash' && ms > maxCaseMs) {
        outcome = 'crash';
        crash(c, i, 'slow', `took ${ms.toFixed(0)} ms (limit ${maxCaseMs} ms)`, ms);
      }
      if (outcome !== 'crash' && grew > maxCaseMiB) {
        outcome = 'crash';
        crash(c, i, 'memory', `grew memory by ${grew.toFixed(0)} MiB (limit ${maxCaseMiB} MiB)`, ms);
      }
      if (o.after) {
        try {
          await o.after(c, outcome);
        } catch (err) {
          if (outcome === 'crash') report.crashes--; // count the case once (ok/typed are counted below)
          outcome = 'crash';
          crash(c, i, 'after', describeError(err), ms);
        }
      }
      if (outcome === 'ok') report.ok++;
      else if (outcome === 'typed') report.typed++;
      dog.stop();
    }
  } finally {
    await dog.close();
  }
  report.elapsedMs = Math.round(performance.now() - t0);
  report.meanCaseMs = report.iterations ? Math.round((totalMs / report.iterations) * 100) / 100 : 0;
  report.maxCaseMs = Math.round(report.maxCaseMs * 10) / 10;
  report.maxCaseMiB = Math.round(report.maxCaseMiB * 10) / 10;
  const rss1 = process.memoryUsage.rss();
  const peak1 = process.resourceUsage().maxRSS * 1024;
  // The process's peak RSS counts when this run raised it (then the peak happened during the run); otherwise (an
  // earlier test in the same process peaked higher) the largest RSS sampled after a case stands in for it.
  const peak = peak1 > peak0 ? Math.max(peak1, sampledPeak) : sampledPeak;
  report.rssGrowthMiB = Math.round((Math.max(0, peak - rss0) / MiB) * 10) / 10;
  report.rssEndGrowthMiB = Math.round(((rss1 - rss0) / MiB) * 10) / 10;
  report.typedMessages = Object.fromEntries([...typedCounts].sort((a, b) => b[1] - a[1]).slice(0, 12));
  report.distinctCrashes = [...signatures.values()].sort((a, b) => b.count - a.count).slice(0, 12);
  return report;
}

/** A human summary of a report's crashes (for a test's failure message). */
export function formatCrashes(r: FuzzReport): string {
  if (!r.crashes) return `${r.name}: no crashes`;
  const lines = r.crashCases.map((k) => `  case ${k.index} (seed ${k.seed}) [${k.kind}] ${k.mutation}\n      → ${k.error}`);
  return `${r.name}: ${r.crashes} crash(es) in ${r.iterations} cases (run seed ${r.seed}); reproduce one with generateCase(seeds, mutators, <seed>):\n${lines.join('\n')}`;
}

/** The JSON-friendly summary bench/fuzz prints per target. */
export function summarize(r: FuzzReport): Record<string, unknown> {
  return {
    iterations: r.iterations,
    ok: r.ok,
    typed: r.typed,
    crashes: r.crashes,
    maxCaseMs: r.maxCaseMs,
    meanCaseMs: r.meanCaseMs,
    maxCaseMiB: r.maxCaseMiB,
    rssGrowthMiB: r.rssGrowthMiB,
    elapsedMs: r.elapsedMs,
    ...(r.firstCrash ? { firstCrash: { seed: r.firstCrash.seed, index: r.firstCrash.index, mutation: r.firstCrash.mutation, kind: r.firstCrash.kind, error: r.firstCrash.error } } : {}),
    ...(r.distinctCrashes.length > 1 ? { distinctCrashes: r.distinctCrashes.map((d) => ({ signature: d.signature, count: d.count, seed: d.seed })) } : {}),
  };
}

/** Writes a crash's input next to the report (bench/fuzz `--save DIR`). */
export function saveInput(dir: string, name: string, c: FuzzCase<unknown>): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = `${dir}/${name}-${c.seed}.bin`;
  const v = c.input;
  fs.writeFileSync(file, v instanceof Uint8Array ? v : typeof v === 'string' ? v : JSON.stringify(v));
  return file;
}
