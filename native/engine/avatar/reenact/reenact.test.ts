import { describe, expect, it } from 'vitest';
import { gaussian, makeRandom } from '../math';
import { canonicalFace, createOpenHead, FACE_VERTEX_COUNT } from '../open-head/build';
import { learnExpressionSpace, similarityAlign } from '../open-head/expression-space';
import { proceduralExpressionBasis } from '../open-head/procedural-expressions';
import { calibrateDriver } from './calibration';
import { mirrorPartners } from './landmark-frame';
import { retarget, type AvatarExpressionSpace } from './retarget';
import { Reenactor } from './reenactor';
import { syntheticDriverLandmarks } from './synthetic-driver';

const N = FACE_VERTEX_COUNT;
const face = canonicalFace();
const gen = proceduralExpressionBasis(face);
const E = gen.count;
/** The avatar's space = the generating basis itself (so the true coefficients are known exactly). */
const exactSpace: AvatarExpressionSpace = { mean: face, basis: gen.basis, count: E, range: gen.range };
const avatarHead = createOpenHead({ face, expression: gen });

function neutralCalibration(head = avatarHead, seed = 3) {
  const rand = makeRandom(seed);
  const frames = Array.from({ length: 12 }, () => ({
    landmarks: syntheticDriverLandmarks(head, { rotation: [0.02 * gaussian(rand), 0.02 * gaussian(rand), 0.01 * gaussian(rand)], centre: [320 + rand(), 240 + rand()] }),
  }));
  return calibrateDriver(frames);
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

describe('reenactment: retargeting', () => {
  it('calibration recovers the neutral face at the canonical size, still head, pixel scale', () => {
    const cal = neutralCalibration();
    expect(cal.frames).toBe(12);
    expect(maxAbsDiff(cal.neutral, face)).toBeLessThan(2e-4);
    expect(cal.spreadMm).toBeLessThan(0.05);
    expect(cal.metresPerPixel).toBeCloseTo(1 / 2000, 6);
    expect(cal.irisNeutral).not.toBeNull();
  });

  it('self-reenactment recovers the expression coefficients, under head motion', () => {
    const cal = neutralCalibration();
    const rand = makeRandom(11);
    let worst = 0;
    for (let t = 0; t < 10; t++) {
      const c = Array.from({ length: E }, () => -0.4 + 1.6 * rand());
      const lm = syntheticDriverLandmarks(avatarHead, { expression: c, rotation: [0.3 * gaussian(rand), 0.4 * gaussian(rand), 0.1 * gaussian(rand)], centre: [300 + 40 * rand(), 250 + 30 * rand()], pixelsPerMetre: 1800 + 400 * rand() });
      const p = retarget({ landmarks: lm }, cal, exactSpace);
      worst = Math.max(worst, maxAbsDiff(p.expression, c));
      expect(p.residualMm).toBeLessThan(0.2);
    }
    // the similarity alignment absorbs a little of each expression's rigid part (e.g. the mouth opening shifts the centroid)
    expect(worst).toBeLessThan(0.06);
  });

  it('self-reenactment through a PCA space learned from synthetic footage reproduces the expressed face', () => {
    const rand = makeRandom(7);
    const frames = Array.from({ length: 80 }, () => ({
      landmarks: syntheticDriverLandmarks(avatarHead, { expression: Array.from({ length: E }, () => 0.4 * gaussian(rand)), rotation: [0.2 * gaussian(rand), 0.3 * gaussian(rand), 0.05 * gaussian(rand)] }),
    }));
    const space = learnExpressionSpace(frames, { components: 10 });
    const cal = neutralCalibration();
    const c = [0.8, 0.5, -0.3, 0.2, 0.4, 0.6, 0];
    // this footage's expressions are symmetric about the neutral face (its lips may even overlap), so its mean face is
    // the neutral: coefficient 0 is the avatar's rest here, not the space's recorded most-closed-mouth `rest`
    const p = retarget({ landmarks: syntheticDriverLandmarks(avatarHead, { expression: c, rotation: [0.1, -0.25, 0.05] }) }, cal, space, { clamp: false, avatarNeutral: new Float32Array(space.count) });
    // the avatar's expressed face (mean + Σ c_k b_k) against the true one (face + Σ c_k g_k), up to a similarity
    // (PCA components carry no rigid part), relative to the size of the expression
    const want = new Float64Array(N * 3), got = new Float64Array(N * 3);
    for (let i = 0; i < N * 3; i++) {
      want[i] = face[i]!; got[i] = space.mean[i]!;
      for (let e = 0; e < E; e++) want[i]! += c[e]! * gen.basis[e * N * 3 + i]!;
      for (let k = 0; k < space.count; k++) got[i]! += p.expression[k]! * space.basis[k * N * 3 + i]!;
    }
    const sim = similarityAlign(got, want, null, N);
    let err = 0, norm = 0;
    for (let i = 0; i < N; i++)
      for (let k = 0; k < 3; k++) {
        const g = sim.s * (sim.R[k * 3]! * got[i * 3]! + sim.R[k * 3 + 1]! * got[i * 3 + 1]! + sim.R[k * 3 + 2]! * got[i * 3 + 2]!) + sim.t[k]!;
        err += (g - want[i * 3 + k]!) ** 2; norm += (want[i * 3 + k]! - face[i * 3 + k]!) ** 2;
      }
    expect(Math.sqrt(err / norm)).toBeLessThan(0.1);
  });

  it('a different-shaped driver with the same expression gives close coefficients (affine transfer)', () => {
    // wider, shorter, deeper face with a non-affine bump; "the same expression" = the avatar's displacements mapped by the shape change
    const L = [1.12, 0.93, 1.06];
    const bump = (x: number, y: number) => 0.002 * Math.sin(40 * y) * Math.cos(25 * x);
    const driverFace = Float32Array.from(face, (v, i) => v * L[i % 3]! + (i % 3 === 2 ? bump(face[i - 2]!, face[i - 1]!) : 0));
    const driverBasis = Float32Array.from(gen.basis, (v, i) => v * L[i % 3]!);
    const driverHead = createOpenHead({ face: driverFace, expression: { basis: driverBasis, count: E, range: gen.range } });
    const cal = neutralCalibration(driverHead, 5);
    const rand = makeRandom(21);
    let worst = 0, worstPlain = 0;
    for (let t = 0; t < 6; t++) {
      const c = Array.from({ length: E }, () => -0.3 + 1.4 * rand());
      const frame = { landmarks: syntheticDriverLandmarks(driverHead, { expression: c, rotation: [0.2 * gaussian(rand), 0.3 * gaussian(rand), 0.05 * gaussian(rand)], pixelsPerMetre: 1500 }) };
      worst = Math.max(worst, maxAbsDiff(retarget(frame, cal, exactSpace).expression, c));
      worstPlain = Math.max(worstPlain, maxAbsDiff(retarget(frame, cal, exactSpace, { transfer: 'none' }).expression, c));
    }
    expect(worst).toBeLessThan(0.1);
    expect(worst).toBeLessThan(worstPlain);
  });

  it('clamps to the range seen in training; intensity scales; the avatar neutral offsets', () => {
    const cal = neutralCalibration();
    const c = [3, -2, 2.5, 0, 0, 0, 0];
    const frame = { landmarks: syntheticDriverLandmarks(avatarHead, { expression: c }) };
    const p = retarget(frame, cal, exactSpace);
    expect(p.expression[0]).toBeCloseTo(1.5, 6);
    expect(p.expression[1]).toBeCloseTo(-0.5, 6);
    expect(p.expression[2]).toBeCloseTo(1.5, 6);
    expect(p.clamped).toBe(3);
    for (let k = 0; k < E; k++) { expect(p.expression[k]!).toBeGreaterThanOrEqual(gen.range[k * 2]! - 1e-6); expect(p.expression[k]!).toBeLessThanOrEqual(gen.range[k * 2 + 1]! + 1e-6); }
    const free = retarget(frame, cal, exactSpace, { clamp: false });
    expect(free.expression[0]!).toBeGreaterThan(2.8);
    const half = retarget({ landmarks: syntheticDriverLandmarks(avatarHead, { expression: [0.8] }) }, cal, exactSpace, { intensity: 0.5, avatarNeutral: [0, 0.1] });
    expect(half.expression[0]!).toBeCloseTo(0.4, 1);
    expect(half.expression[1]!).toBeCloseTo(0.1, 1);
  });

  it('follows the head pose relative to the neutral (or not), and the eyes from the irises', () => {
    const cal = neutralCalibration();
    const c = [0.5, 0.3, 0, 0, 0, 0, 0];
    const frame = { landmarks: syntheticDriverLandmarks(avatarHead, { expression: c, rotation: [0, 0.3, 0], shift: [0.02, -0.01, 0] }) };
    const p = retarget(frame, cal, exactSpace);
    // (the calibration frames jitter by ~0.02 rad, so the neutral's orientation is known to ~0.01)
    expect(maxAbsDiff(p.rotation, [0, 0.3, 0])).toBeLessThan(0.02);
    // the face centroid moves with the rotation too; the shift dominates in x and y
    const still = retarget({ landmarks: syntheticDriverLandmarks(avatarHead, { expression: c, rotation: [0, 0.3, 0] }) }, cal, exactSpace);
    expect(p.translation[0] - still.translation[0]).toBeCloseTo(0.02, 3);
    expect(p.translation[1] - still.translation[1]).toBeCloseTo(-0.01, 3);
    expect(maxAbsDiff(p.expression, still.expression)).toBeLessThan(1e-3);
    const closer = retarget({ landmarks: syntheticDriverLandmarks(avatarHead, { pixelsPerMetre: 2000 * 1.25 }) }, cal, exactSpace, { distance: 0.6 });
    expect(closer.translation[2]).toBeCloseTo(0.6 * (1 - 1 / 1.25), 3);
    const off = retarget(frame, cal, exactSpace, { followPose: false });
    expect(off.rotation).toEqual([0, 0, 0]);
    expect(off.translation).toEqual([0, 0, 0]);
    expect(maxAbsDiff(off.expression, p.expression)).toBe(0);
    const gaze = retarget({ landmarks: syntheticDriverLandmarks(avatarHead, { eyes: [0.1, 0.2, 0, 0.1, 0.2, 0] }) }, cal, exactSpace);
    for (const k of [0, 1, 3, 4]) expect(gaze.eyes[k]).toBeCloseTo([0.1, 0.2, 0, 0.1, 0.2][k]!, 1);
  });

  it('mirror: a one-sided expression and the head turn come out on the other side', () => {
    const table = mirrorPartners();
    expect(table[33]).toBe(263); // right eye outer corner ↔ left eye outer corner
    for (let i = 0; i < table.length; i++) expect(table[table[i]!]).toBe(i);
    const cal = neutralCalibration();
    const frame = { landmarks: syntheticDriverLandmarks(avatarHead, { expression: [0, 0, 0, 0, 0, 0.8, 0], rotation: [0, 0.25, 0.1], eyes: [0, 0.15, 0, 0, 0.15, 0] }) };
    const plain = retarget(frame, cal, exactSpace);
    const mirrored = retarget(frame, cal, exactSpace, { mirror: true });
    expect(plain.expression[5]).toBeCloseTo(0.8, 1);
    expect(mirrored.expression[6]).toBeCloseTo(0.8, 1); // blinkRight → blinkLeft
    expect(Math.abs(mirrored.expression[5]!)).toBeLessThan(0.05);
    expect(mirrored.rotation[1]).toBeCloseTo(-0.25, 2);
    expect(mirrored.rotation[2]).toBeCloseTo(-0.1, 2);
    expect(mirrored.eyes[1]).toBeCloseTo(-0.15, 1);
  });
});

describe('reenactment: Reenactor', () => {
  it('calibrates on the first frames, drives, holds over lost frames, and smoothing lowers jitter', () => {
    const truth = (f: number) => (f < 10 ? 0 : f < 45 ? 0.5 : 0.5 + 0.4 * Math.sin((f - 45) / 6));
    const run = (smoothing: number) => {
      const rand = makeRandom(9);
      const r = new Reenactor(exactSpace, { autoCalibrate: true, calibrationFrames: 10, smoothing });
      const out: number[] = [];
      const phases: string[] = [];
      for (let f = 0; f < 90; f++) {
        const lm = syntheticDriverLandmarks(avatarHead, { expression: [truth(f)] });
        for (let i = 0; i < lm.length; i++) lm[i]! += 0.8 * gaussian(rand);
        const step = r.step(f === 60 ? null : { landmarks: lm }, f / 30);
        phases.push(step.phase);
        if (f === 60) expect(step.tracked).toBe(false);
        out.push(step.params.expression[0]!);
      }
      return { out, phases };
    };
    const raw = run(0), smooth = run(0.6);
    expect(raw.phases[0]).toBe('calibrating');
    expect(raw.phases[8]).toBe('calibrating');
    expect(raw.phases[9]).toBe('driving');
    expect(raw.out[5]).toBe(0);
    expect(raw.out[60]).toBe(raw.out[59]);
    const sd = (x: number[]) => Math.sqrt(x.slice(25, 45).reduce((s, v) => s + (v - 0.5) ** 2, 0) / 20);
    const meanErr = (x: number[]) => x.slice(46).reduce((s, v, i) => s + Math.abs(v - truth(i + 46)), 0) / (x.length - 46);
    expect(sd(smooth.out)).toBeLessThan(0.5 * sd(raw.out));
    expect(meanErr(raw.out)).toBeLessThan(0.05);
    expect(meanErr(smooth.out)).toBeLessThan(0.1);
  });
});
