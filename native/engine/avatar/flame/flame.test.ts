import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../../src/shared/api/errors';
import { loadFlame } from './flame';

/** A tiny protocol-2 pickle writer producing what Python 2 wrote for FLAME's generic_model.pkl. */
class PickleWriter {
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
function syntheticFlame() {
  const V = 6;
  const vTemplate = [0, 0, 0.1, 0.05, 0, 0, -0.05, 0, 0, 0, 0.05, 0, 0, -0.05, 0.02, 0, -0.1, 0.03];
  const shapedirs = new Array(V * 3 * 4).fill(0).map((_, i) => ((i * 37) % 11) / 1000 - 0.005);
  const posedirs = new Array(V * 3 * 36).fill(0).map((_, i) => ((i * 13) % 7) / 1e4);
  const weights = [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0.5, 0.5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0.5, 0.5];
  const jreg = [[0, 1, 0.5], [0, 2, 0.5], [1, 3, 1], [2, 5, 1], [3, 1, 1], [4, 2, 1]]; // (row, col, value)
  const f = [0, 1, 2, 0, 2, 3, 0, 3, 1, 4, 5, 1];
  return { V, vTemplate, shapedirs, posedirs, weights, jreg, f, kintree: [4294967295, 0, 1, 1, 1, 0, 1, 2, 3, 4] };
}

function flamePickle(m = syntheticFlame()): Uint8Array {
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

function npy(shape: number[], values: ArrayLike<number>, descr: '<f8' | '<i4' = '<f8'): Uint8Array {
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

function flameNpz(m = syntheticFlame()): Uint8Array {
  const dense = new Array(5 * m.V).fill(0);
  for (const [r, c, v] of m.jreg) dense[r! * m.V + c!] = v!;
  return zipSync({
    'v_template.npy': npy([m.V, 3], m.vTemplate), 'shapedirs.npy': npy([m.V, 3, 4], m.shapedirs), 'posedirs.npy': npy([m.V, 3, 36], m.posedirs),
    'weights.npy': npy([m.V, 5], m.weights), 'J_regressor.npy': npy([5, m.V], dense), 'kintree_table.npy': npy([2, 5], [-1, 0, 1, 1, 1, 0, 1, 2, 3, 4], '<i4'),
    'f.npy': npy([m.f.length / 3, 3], m.f, '<i4'),
  });
}

/** Reference FLAME forward (straight from the published formulation) for the synthetic model. */
function referenceFlame(m: ReturnType<typeof syntheticFlame>, beta: number[], pose: number[]): number[] {
  const V = m.V;
  const vs = m.vTemplate.map((x, i) => x + [0, 1, 2, 3].reduce((s, k) => s + m.shapedirs[i * 4 + k]! * beta[k]!, 0));
  const Jr = Array.from({ length: 5 }, () => [0, 0, 0]);
  for (const [r, c, v] of m.jreg) for (let k = 0; k < 3; k++) Jr[r!]![k]! += v! * vs[c! * 3 + k]!;
  const rod = (a: number[]): number[] => {
    const th = Math.hypot(a[0]!, a[1]!, a[2]!) || 1e-12, [x, y, z] = a.map((q) => q / th) as [number, number, number], c = Math.cos(th), s = Math.sin(th), t = 1 - c;
    return [c + x * x * t, x * y * t - z * s, x * z * t + y * s, y * x * t + z * s, c + y * y * t, y * z * t - x * s, z * x * t - y * s, z * y * t + x * s, c + z * z * t];
  };
  const Rs = [0, 1, 2, 3, 4].map((j) => rod(pose.slice(j * 3, j * 3 + 3)));
  const feat: number[] = [];
  for (let j = 1; j < 5; j++) for (let k = 0; k < 9; k++) feat.push(Rs[j]![k]! - (k % 4 === 0 ? 1 : 0));
  const vp = vs.map((x, i) => x + feat.reduce((s, fv, p) => s + m.posedirs[i * 36 + p]! * fv, 0));
  const parents = [-1, 0, 1, 1, 1];
  const G: { R: number[]; t: number[] }[] = [];
  const mul = (a: number[], b: number[]) => [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!));
  const mv = (a: number[], v: number[]) => [0, 1, 2].map((i) => a[i * 3]! * v[0]! + a[i * 3 + 1]! * v[1]! + a[i * 3 + 2]! * v[2]!);
  for (let j = 0; j < 5; j++) {
    const p = parents[j]!;
    if (p < 0) G.push({ R: Rs[0]!, t: Jr[0]! });
    else { const rel = Jr[j]!.map((x, k) => x - Jr[p]![k]!); G.push({ R: mul(G[p]!.R, Rs[j]!), t: mv(G[p]!.R, rel).map((x, k) => x + G[p]!.t[k]!) }); }
  }
  const out: number[] = [];
  for (let v = 0; v < V; v++) {
    const p = [0, 0, 0];
    for (let j = 0; j < 5; j++) {
      const w = m.weights[v * 5 + j]!;
      if (!w) continue;
      const rest = vp.slice(v * 3, v * 3 + 3).map((x, k) => x - Jr[j]![k]!);
      const q = mv(G[j]!.R, rest).map((x, k) => x + G[j]!.t[k]!);
      for (let k = 0; k < 3; k++) p[k]! += w * q[k]!;
    }
    out.push(...p);
  }
  return out;
}

describe('FLAME loader', () => {
  const m = syntheticFlame();
  const beta = [0.3, -0.2, 0.5, 1.0]; // 2 shape (first 300 → all 4 here are "shape" unless split), see below
  const pose = [0.1, 0.2, -0.1, 0.05, -0.1, 0.02, 0.2, 0, 0, 0.1, 0.1, 0, -0.1, 0.05, 0];

  it('reads a protocol-2 pickle (numpy arrays, chumpy Ch, scipy csc_matrix) and evaluates FLAME exactly', () => {
    const model = loadFlame(flamePickle(), 'generic_model.pkl');
    expect(model.vertexCount).toBe(6);
    expect(model.triangles.length).toBe(12);
    // fewer than 300 components: all are shape; ask for a split through options
    const split = loadFlame(flamePickle(), 'generic_model.pkl', { shapeCount: 2 });
    expect(split.shapeCount).toBe(2);
    const ref = referenceFlame(m, beta, pose);
    const got = model.evaluate({ shape: beta, jointRotations: pose });
    for (let i = 0; i < ref.length; i++) expect(got[i]).toBeCloseTo(ref[i]!, 6);
  });

  it('reads the same model from an .npz', () => {
    const model = loadFlame(flameNpz(), 'flame.npz');
    const ref = referenceFlame(m, beta, pose);
    const got = model.evaluate({ shape: beta, jointRotations: pose });
    for (let i = 0; i < ref.length; i++) expect(got[i]).toBeCloseTo(ref[i]!, 6);
  });

  it('rejects missing, truncated and wrong files with clear messages', () => {
    const expectBad = (bytes: Uint8Array, name: string, re: RegExp) => {
      let err: unknown;
      try { loadFlame(bytes, name); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(StudioError);
      expect((err as StudioError).code).toBe('BAD_REQUEST');
      expect((err as StudioError).message).toMatch(re);
    };
    const pkl = flamePickle();
    expectBad(new Uint8Array(0), 'empty.pkl', /empty/);
    for (const cut of [1, 50, Math.floor(pkl.length / 2), pkl.length - 2]) expectBad(pkl.subarray(0, cut), 'generic_model.pkl', /truncated|could not be read|not a FLAME/);
    expectBad(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'photo.png', /not a Python pickle/);
    const other = new PickleWriter().byte(0x7d).str('hello').int(3).byte(0x73).bytes();
    expectBad(other, 'other.pkl', /not a FLAME model: it lacks v_template/);
    expectBad(new PickleWriter().int(7).bytes(), 'seven.pkl', /not a FLAME model/);
    const npz = flameNpz();
    expectBad(npz.subarray(0, npz.length - 30), 'flame.npz', /could not be read/);
  });
});
