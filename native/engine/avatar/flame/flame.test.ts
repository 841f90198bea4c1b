import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../../src/shared/api/errors';
import { loadFlame } from './flame';
import { flameNpz, flamePickle, npy, PickleWriter, syntheticFlame } from './test-files';

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
