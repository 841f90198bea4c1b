import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FlameError, loadFlame, readNpz } from './flame';
import { latin1Decode, PickleError, readPickle, type NdArray, type PyObject } from './pickle';
import { flameNpz, flamePickle, npy, PickleWriter, syntheticFlame, writePickle } from './test-files';

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
      expect(err).toBeInstanceOf(FlameError);
      expect((err as FlameError).subject).toBe('model');
      expect((err as FlameError).message).toMatch(re);
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

  it('says which input a refusal is about, with the facts only (the caller adds what the user can do)', () => {
    const refusal = (f: () => unknown): FlameError => {
      try { f(); } catch (e) { if (e instanceof FlameError) return e; throw e; }
      throw new Error('no refusal');
    };
    const photo = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const model = refusal(() => loadFlame(photo, 'photo.png'));
    const embedding = refusal(() => loadFlame(flamePickle(), 'generic_model.pkl', { landmarkEmbedding: { bytes: photo, name: 'photo.png' } }));
    const options = refusal(() => loadFlame(flamePickle(), 'generic_model.pkl', { shapeCount: 1.5 }));
    expect([model.subject, embedding.subject, options.subject]).toEqual(['model', 'embedding', 'options']);
    expect(embedding.message).toMatch(/"photo\.png" could not be read as a landmark embedding/);
    for (const e of [model, embedding, options]) expect(e.message).not.toMatch(/Choose|Settings/);
  });

  const expectBad = (bytes: Uint8Array, re: RegExp, name = 'generic_model.pkl') => {
    let err: unknown;
    try { loadFlame(bytes, name); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(FlameError);
    expect((err as FlameError).message).toMatch(re);
    expect((err as Error).cause).toBeUndefined(); // a foreseen refusal, not a wrapped TypeError / RangeError
  };
  /** The synthetic pickle with one part of its tree changed. */
  const edited = (edit: (tree: Map<string, unknown>) => void) => {
    const tree = readPickle(flamePickle()) as Map<string, unknown>;
    edit(tree);
    return writePickle(tree);
  };

  it('damaged lengths, shapes and indices are refused before anything loops or allocates for them', () => {
    // a negative BINSTRING length used to move the reader backwards onto the same opcode: an endless loop
    expect(() => readPickle(Uint8Array.of(0x80, 2, 0x54, 0xfb, 0xff, 0xff, 0xff, 0x2e))).toThrow(PickleError);
    expect(() => readPickle(Uint8Array.of(0x80, 2, 0x54, 0xfb, 0xff, 0xff, 0xff, 0x2e))).toThrow(/a length of -5/);
    // a mark where a value is expected, and a LONG4 of 2^31 bytes
    expect(() => readPickle(Uint8Array.of(0x80, 2, 0x28, 0x85, 0x2e))).toThrow(/stack underflow/);
    expect(() => readPickle(Uint8Array.of(0x80, 2, 0x8b, 0, 0, 0, 0x80, 0x2e))).toThrow(/an integer of 2147483648 bytes/);
    // csc_matrix pointers of -2^31 used to run a 2^31-step loop; a _shape of 5 × 2^31 allocated 80 GB
    const csc = (tree: Map<string, unknown>) => (tree.get('J_regressor') as PyObject).state as Map<string, unknown>;
    expectBad(edited((t) => { (csc(t).get('indptr') as NdArray).data = Int32Array.of(-(2 ** 31), 1, 2, 3, 4, 5, 6); }), /J_regressor" sparse matrix has inconsistent indices/);
    expectBad(edited((t) => { csc(t).set('_shape', [5, 2 ** 31]); }), /J_regressor" is 5 × 2147483648, not joints × vertices \(5 × 6\)/);
    expectBad(edited((t) => { (t.get('v_template') as NdArray).shape = [-2, 3]; }), /an array has an invalid shape \(-2, 3\)/);
    expectBad(edited((t) => { (t.get('posedirs') as NdArray).shape = [6, 3, 12]; (t.get('posedirs') as NdArray).data = new Float64Array(216); }), /"posedirs" is 6 × 3 × 12, not V × 3 × 36/);
    expectBad(edited((t) => { (t.get('kintree_table') as NdArray).data = Float64Array.of(-1, 0, 3, 1, 1, 0, 1, 2, 3, 4); }), /not a joint tree \(joint 2's parent is 3\)/);
    expectBad(edited((t) => { (t.get('v_template') as NdArray).data![4] = Number.NaN; }), /"v_template" holds a value that is not a finite number/);
    // an .npz entry claiming 4 GB from a few hundred stored bytes is refused from the directory, before inflating
    const npz = Buffer.from(flameNpz());
    const dir = npz.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    npz.writeUInt32LE(0xfffffffe, dir + 24);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => readNpz(new Uint8Array(npz))).toThrow(/claims 4294967294 bytes from \d+ stored/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    expectBad(new Uint8Array(npz), /could not be read as a FLAME model: the \.npz entry .* claims 4294967294 bytes/, 'flame.npz');
    expect(() => readNpz(zipSync({ 'a.npy': npy([2], [1, 2]) }, { level: 0 }))).not.toThrow();
  });

  it('reads py2 str bytes 0x80–0x9F as themselves (not as windows-1252, which TextDecoder("latin1") is by the spec)', () => {
    expect([...latin1Decode(Uint8Array.of(0x80, 0x8d, 0x9f, 0xa0, 0xff))].map((c) => c.charCodeAt(0))).toEqual([0x80, 0x8d, 0x9f, 0xa0, 0xff]);
  });
});
