/**
 * HeadTuning on the CPU: prior/temporal and corrective-regulariser gradients vs central differences; the chain from
 * dL/d(world vertices) to the per-frame parameters recovers perturbed tracked parameters from target vertices
 * (geometric loss); the correctives recover a known expression/jaw corrective; NaN gradients are skipped;
 * state bytes round-trip; the export and `readHeadTuningExport` agree.
 */
import { describe, expect, it } from 'vitest';
import { composeRotation, HeadPosing, type Correctives } from '../lbs-backward';
import { gaussian, makeRandom, rotationAngleBetween } from '../math';
import { posedVertices, rigidRotation, type FrameHeadParams, type PreparedFrame } from './frames';
import { readCheckpoint, writeCheckpoint, type CheckpointData } from './checkpoint';
import { HeadTuning, readHeadTuningExport } from './head-tuning';
import { openHeadWithExpressions, randomHeadParams } from './test-fixtures';

const model = openHeadWithExpressions();
const V = model.vertexCount, E = model.expressionCount;
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function perturbed(head: FrameHeadParams, seed: number): FrameHeadParams {
  const r = makeRandom(seed);
  const rot = composeRotation([0.02 * gaussian(r), 0.02 * gaussian(r), 0.02 * gaussian(r)], rigidRotation(head.rotation));
  return {
    ...head,
    rotation: rot,
    translation: Array.from(head.translation!, (x) => x + 0.003 * gaussian(r)),
    expression: Float32Array.from(head.expression!, (x) => x + 0.15 * gaussian(r)),
    jointRotations: Float32Array.from(head.jointRotations!, (x, i) => (i === 6 ? x + 0.02 : x)),
  };
}

/** Geometric loss ½·k·Σ|p − p*|² of frame f's current vertices: its gradient k·(p − p*). */
function geometricGradient(ht: HeadTuning, f: number, target: ArrayLike<number>, k: number): { g: Float32Array; loss: number } {
  const p = ht.vertices(f);
  const g = new Float32Array(p.length);
  let loss = 0;
  for (let i = 0; i < p.length; i++) {
    const d = p[i]! - target[i]!;
    g[i] = k * d;
    loss += 0.5 * k * d * d;
  }
  return { g, loss };
}

describe('HeadTuning (CPU)', () => {
  const truth = Array.from({ length: 6 }, (_, i) => randomHeadParams(model, 40 + i));

  it('prior + temporal gradient matches central differences', () => {
    const heads = truth.map((h, i) => perturbed(h, 70 + i));
    const ht = new HeadTuning(model, heads, { prior: { weight: 0.3 }, temporal: { times: [0, 1, 2, 4, 5, 6], weight: 0.7 }, correctives: false });
    const r = makeRandom(2);
    const f = 1;
    // Give neighbours non-zero corrections so the temporal term couples them.
    for (const g of [0, 1, 2]) {
      const x = ht.delta(g);
      for (let i = 0; i < x.length; i++) x[i] = 0.01 * gaussian(r);
      (ht as unknown as { x: Float64Array[] }).x[g]!.set(x);
    }
    const x0 = ht.delta(f);
    const { grad } = ht.frameRegulariser(f, x0);
    const h = 1e-6;
    for (const i of [0, 1, 2, 3, 5, 6, 6 + E - 1, 6 + E + 6, 6 + E + 10, 6 + E + 2]) {
      const xp = Float64Array.from(x0), xm = Float64Array.from(x0);
      xp[i]! += h; xm[i]! -= h;
      const fd = (ht.frameRegulariser(f, xp).value - ht.frameRegulariser(f, xm).value) / (2 * h);
      expect(Math.abs(grad[i]! - fd), `entry ${i}`).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
    }
    // Entry 6 + E + 2 (root joint z) is not learnt: zero gradient.
    expect(grad[6 + E + 2]).toBe(0);
  });

  it('corrective regulariser gradient matches central differences', () => {
    const ht = new HeadTuning(model, truth, { correctiveRegularisers: { l2: 3, laplacian: 50 }, correctives: { poseJoints: [2, 3] } });
    const r = makeRandom(4);
    const c = ht.correctives;
    for (const a of [c.expression!, c.pose!]) for (let i = 0; i < a.length; i++) a[i] = 0.01 * gaussian(r);
    const reg = ht.correctiveRegulariser();
    const hh = 2 ** -14;
    for (let n = 0; n < 10; n++) {
      const which = n % 2 ? 'pose' : 'expression';
      const a = c[which]!, g = reg[which]!;
      const i = Math.floor(r() * a.length);
      const old = a[i]!;
      a[i] = old + hh;
      const vp = ht.correctiveRegulariser().value;
      a[i] = old - hh;
      const vm = ht.correctiveRegulariser().value;
      a[i] = old;
      const fd = (vp - vm) / (2 * hh);
      expect(Math.abs(g[i]! - fd), `${which}[${i}]`).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
    }
  });

  it('recovers perturbed rigid pose, translation, expression and jaw from target vertices', () => {
    const heads = truth.map((h, i) => perturbed(h, 80 + i));
    const targets = truth.map((h) => posedVertices(model, h));
    const ht = new HeadTuning(model, heads, {
      correctives: false,
      learningRates: { rotation: 2e-3, translation: 3e-4, expression: 0.01, joints: 2e-3 },
      prior: { weight: 1e-6 },
    });
    const err = () => {
      let rot = 0, tr = 0, ex = 0, jaw = 0;
      truth.forEach((g, f) => {
        const p = ht.poseInput(f);
        rot += rotationAngleBetween(p.rotation, rigidRotation(g.rotation)) / truth.length;
        tr += Math.hypot(...[0, 1, 2].map((k) => p.translation[k]! - g.translation![k]!)) / truth.length;
        for (let e = 0; e < E; e++) ex += (p.expression![e]! - g.expression![e]!) ** 2 / (E * truth.length);
        jaw += Math.abs(p.jointRotations![6]! - g.jointRotations![6]!) / truth.length;
      });
      return { rot, tr, ex: Math.sqrt(ex), jaw };
    };
    const e0 = err();
    let l0 = 0, l1 = 0;
    for (let it = 0; it < 150; it++)
      truth.forEach((_, f) => {
        const { g, loss } = geometricGradient(ht, f, targets[f]!, 1);
        if (it === 0) l0 += loss;
        if (it === 149) l1 += loss;
        expect(ht.applyGradient(f, g)).toBe(true);
      });
    const e1 = err();
    console.info(`[head tuning CPU] geometric recovery: rot ${(e0.rot * 57.3).toFixed(3)}° → ${(e1.rot * 57.3).toFixed(3)}°, trans ${(e0.tr * 1e3).toFixed(2)} → ${(e1.tr * 1e3).toFixed(2)} mm, expr RMS ${e0.ex.toFixed(3)} → ${e1.ex.toFixed(3)}, jaw ${(e0.jaw * 57.3).toFixed(3)}° → ${(e1.jaw * 57.3).toFixed(3)}°; loss ${l0.toExponential(2)} → ${l1.toExponential(2)}`);
    expect(e1.rot).toBeLessThan(0.2 * e0.rot);
    expect(e1.tr).toBeLessThan(0.2 * e0.tr);
    expect(e1.ex).toBeLessThan(0.3 * e0.ex);
    expect(e1.jaw).toBeLessThan(0.3 * e0.jaw);
    expect(l1).toBeLessThan(0.01 * l0);
  });

  it('learns a known expression + jaw corrective (tracked parameters exact, correctives only)', () => {
    // Ground truth correctives: smooth fields (a function of the rest position) on the face, zero elsewhere.
    const tmpl = model.data.vTemplate;
    const field = (c: number, k: number) => Float32Array.from({ length: V * 3 * c }, (_, i) => {
      const v = Math.floor(i / (3 * c)), a = Math.floor(i / c) % 3, col = i % c;
      if (v >= 468) return 0;
      return 0.002 * Math.sin(40 * tmpl[v * 3 + ((a + col + k) % 3)]! + col + a);
    });
    const gtCorr: Correctives = { expression: field(E, 0), pose: field(9, 1), poseJoints: [2] };
    const posing = new HeadPosing(model);
    const frames = Array.from({ length: 8 }, (_, i) => randomHeadParams(model, 500 + i));
    frames.forEach((h, i) => (h.jointRotations = Float32Array.from(h.jointRotations!, (x, k) => (k === 6 ? 0.05 + 0.03 * i : x)))); // vary the jaw
    const targets = frames.map((h) => posing.forward({ ...h, rotation: rigidRotation(h.rotation), translation: h.translation! }, gtCorr).vertices);
    const ht = new HeadTuning(model, frames, { frames: false, learningRates: { correctives: 1e-4 }, correctiveRegularisers: { l2: 0, laplacian: 1e-3 } });
    const rms = () => {
      let s = 0;
      frames.forEach((_, f) => { const p = ht.vertices(f); for (let i = 0; i < p.length; i++) s += (p[i]! - targets[f]![i]!) ** 2; });
      return Math.sqrt(s / (frames.length * V));
    };
    const r0 = rms();
    for (let it = 0; it < 30; it++) frames.forEach((_, f) => ht.applyGradient(f, geometricGradient(ht, f, targets[f]!, 1).g));
    const r1 = rms();
    console.info(`[head tuning CPU] corrective recovery: vertex RMS ${(r0 * 1e3).toFixed(3)} → ${(r1 * 1e3).toFixed(3)} mm over ${frames.length} frames`);
    expect(r1).toBeLessThan(0.35 * r0);
    // Clamp: every entry stays within the bound.
    const { maxExpression, maxPose } = ht.regularisers;
    for (const x of ht.correctives.expression!) expect(Math.abs(x)).toBeLessThanOrEqual(maxExpression + 1e-9);
    for (const x of ht.correctives.pose!) expect(Math.abs(x)).toBeLessThanOrEqual(maxPose + 1e-9);
  });

  it('skips non-finite gradients; passes untuned frames through; posed() equals posedVertices with zero correctives', () => {
    const ht = new HeadTuning(model, truth);
    const g = new Float32Array(V * 3);
    g[7] = Number.NaN;
    const before = ht.toBytes();
    expect(ht.applyGradient(0, g)).toBe(false);
    expect(ht.timing.skipped).toBe(1);
    expect(sameBytes(ht.toBytes(), before)).toBe(true);
    const prepared = { vertices: new Float32Array(V * 3).fill(0.5) } as PreparedFrame;
    expect(ht.vertices(truth.length, prepared)).toBe(prepared.vertices);
    expect(HeadTuning.passThrough(model).vertices(0, prepared)).toBe(prepared.vertices);
    const a = ht.posed(truth[2]!), b = posedVertices(model, truth[2]!);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-6);
    expect(() => new HeadTuning(model, truth, { correctives: { poseJoints: [0] } })).toThrow(/pose-corrective joint 0/);
  });

  it('state bytes round-trip; export and readHeadTuningExport agree', () => {
    const heads = truth.map((h, i) => perturbed(h, 90 + i));
    const a = new HeadTuning(model, heads, { temporal: { times: [0, 1, 2, 3, 4, 5], weight: 1e-4 } });
    const r = makeRandom(6);
    for (let it = 0; it < 3; it++)
      heads.forEach((_, f) => a.applyGradient(f, Float32Array.from({ length: V * 3 }, () => 1e-3 * gaussian(r))));
    const bytes = a.toBytes();
    const b = new HeadTuning(model, truth, { temporal: { times: [0, 1, 2, 3, 4, 5], weight: 1e-4 } });
    b.restore(bytes);
    expect(sameBytes(b.toBytes(), bytes)).toBe(true);
    // Same next update on both.
    const g = Float32Array.from({ length: V * 3 }, () => 1e-3 * gaussian(r));
    a.applyGradient(2, g);
    b.applyGradient(2, g);
    expect(sameBytes(b.toBytes(), a.toBytes())).toBe(true);
    const ex = a.export(), rd = readHeadTuningExport(a.toBytes());
    expect(rd.frames.length).toBe(heads.length);
    rd.frames.forEach((f, i) => {
      const e = ex.frames[i]!;
      for (const k of ['rotation', 'translation', 'expression', 'jointRotations'] as const)
        for (let j = 0; j < e[k]!.length; j++) expect(f[k]![j]).toBeCloseTo(e[k]![j]!, 12);
    });
    const f32 = (x: Float32Array | null) => new Uint8Array(x!.buffer, x!.byteOffset, x!.byteLength);
    expect(sameBytes(f32(rd.correctives.expression), f32(ex.correctives.expression))).toBe(true);
    expect(sameBytes(f32(rd.correctives.pose), f32(ex.correctives.pose))).toBe(true);
    expect(rd.correctives.poseJoints).toEqual([2]);
    const wrong = new HeadTuning(model, truth.slice(0, 3));
    expect(() => wrong.restore(bytes)).toThrow(/6 frames/);
    expect(() => b.restore(bytes.slice(0, 100))).toThrow(/size|short/);
  });

  it('travels in the trainer checkpoint as a trailing section', () => {
    const e = () => new Float32Array(0);
    const base: CheckpointData = {
      step: 5,
      bound: { count: 0, shDegree: 0, triangle: new Uint32Array(0), barycentric: e(), offset: e(), rotations: e(), logScales: e(), opacities: e(), sh: e() },
      moments: Object.fromEntries(['means', 'logScales', 'rotations', 'opacities', 'sh'].map((k) => [k, { m: e(), v: e() }])),
      stats: e(),
    };
    expect(readCheckpoint(writeCheckpoint(base)).headTuning).toBeUndefined();
    const ht = new HeadTuning(model, truth.slice(0, 2), { correctives: false });
    const bytes = ht.toBytes().slice(0, ht.toBytes().byteLength); // any length; pad to 4 is handled
    const odd = new Uint8Array(bytes.byteLength + 3);
    odd.set(bytes);
    for (const b of [bytes, odd]) {
      const back = readCheckpoint(writeCheckpoint({ ...base, headTuning: b })).headTuning!;
      expect(sameBytes(back, b)).toBe(true);
    }
    const buf = writeCheckpoint({ ...base, headTuning: bytes });
    expect(() => readCheckpoint(buf.slice(0, buf.byteLength - 4))).toThrow(/trailing section|size/);
  });
});
