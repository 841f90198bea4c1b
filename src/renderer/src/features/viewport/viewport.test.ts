import { describe, expect, it } from 'vitest';
import { PerspectiveCamera, Vector3 } from 'three';
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import type { BoundGaussianData } from '@engine/avatar/binding/bound-gaussians';
import { makeRandom } from '@engine/avatar/math';
import { canonicalFace } from '@engine/avatar/open-head/build';
import { deformReference } from '@engine/reference/binding';
import { serializeBound } from '@engine/avatar/binding/avatar-file';
import { engineCamera, openCvView, projectPoint, renderSize } from '@engine/view/camera-math';
import { gaussianCentres } from './centres';
import { bounds, HeadRig, type FitFile } from '@engine/avatar/head-rig';

function randomBound(n: number, triangles: number, shDegree: 0 | 1, seed = 3): BoundGaussianData {
  const r = makeRandom(seed);
  const K = (shDegree + 1) ** 2;
  const f = (len: number, s = 1) => Float32Array.from({ length: len }, () => (r() - 0.5) * s);
  const bary = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const a = r(), b = r() * (1 - a);
    bary.set([a, b], i * 2);
  }
  return { count: n, shDegree, triangle: Uint32Array.from({ length: n }, () => Math.floor(r() * triangles)), barycentric: bary, offset: f(n, 0.004), rotations: f(n * 4), logScales: f(n * 3), opacities: f(n), sh: f(n * K * 3) };
}

// A space like tracking's expression-space.json: the canonical face as the subject's mean, two made-up components.
function space(count = 2) {
  const mean = Array.from(canonicalFace());
  const basis = new Array(mean.length * count).fill(0);
  for (let i = 0; i < mean.length; i++) for (let k = 0; k < count; k++) basis[i * count + k] = 0.002 * Math.sin(i * (k + 1));
  return { mean, basis, count, sigma: [1, 0.5], varianceKept: 0.9, range: [-1, 2, -0.5, 0.5] };
}

describe('avatar.bin', () => {
  it('reads what the training worker writes, byte for byte', () => {
    for (const deg of [0, 1] as const) {
      const data = randomBound(37, 100, deg);
      const back = parseAvatarBin(serializeBound(data));
      expect(back.count).toBe(37);
      expect(back.shDegree).toBe(deg);
      for (const k of ['triangle', 'barycentric', 'offset', 'rotations', 'logScales', 'opacities', 'sh'] as const) expect(Array.from(back[k])).toEqual(Array.from(data[k]));
    }
    const empty = parseAvatarBin(serializeBound(randomBound(0, 1, 0)));
    expect(empty.count).toBe(0);
  });
  it('refuses bad files with a message', () => {
    const good = serializeBound(randomBound(5, 10, 0));
    expect(() => parseAvatarBin(new Uint8Array([1, 2, 3]))).toThrow(/not an avatar file/);
    expect(() => parseAvatarBin(good.slice(0, good.length - 8))).toThrow(/outside the file/);
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(4, 1 << 30, true);
    expect(() => parseAvatarBin(bad)).toThrow(/header claims/);
  });
});

describe('viewport camera', () => {
  it('the engine camera projects world points where three.js draws them (OpenCV axes, rows top down)', () => {
    const cam = new PerspectiveCamera(30, 640 / 400, 0.01, 100);
    cam.position.set(0.3, 0.2, 0.5);
    cam.lookAt(0, 0.01, 0);
    cam.updateMatrixWorld();
    const ecam = engineCamera({ fov: cam.fov, viewGl: cam.matrixWorldInverse.elements }, 640, 400);
    const r = makeRandom(9);
    for (let i = 0; i < 20; i++) {
      const p: [number, number, number] = [(r() - 0.5) * 0.2, (r() - 0.5) * 0.2, (r() - 0.5) * 0.2];
      const ndc = new Vector3(...p).project(cam);
      const uv = projectPoint(ecam, p)!;
      expect(uv[0]).toBeCloseTo(((ndc.x + 1) / 2) * 640, 3);
      expect(uv[1]).toBeCloseTo(((1 - ndc.y) / 2) * 400, 3);
    }
    // A point above the target is above the image centre; a point to the right is right of it.
    const c = ecam.cx, m = ecam.cy;
    expect(projectPoint(ecam, [0, 0.05, 0])![1]).toBeLessThan(m);
    const right = new Vector3(1, 0, 0).applyQuaternion(cam.quaternion).multiplyScalar(0.05);
    expect(projectPoint(ecam, [right.x, 0.01 + right.y, right.z])![0]).toBeGreaterThan(c);
    // Behind the camera: nothing.
    expect(projectPoint(ecam, [0.6, 0.4, 1])).toBeNull();
  });
  it('openCvView negates the camera y and z rows; renderSize caps the long side', () => {
    const gl = Float32Array.from({ length: 16 }, (_, i) => i + 1);
    const cv = openCvView(gl);
    for (let c = 0; c < 4; c++) expect([cv[c * 4], cv[c * 4 + 1], cv[c * 4 + 2], cv[c * 4 + 3]]).toEqual([gl[c * 4], -gl[c * 4 + 1], -gl[c * 4 + 2], gl[c * 4 + 3]]);
    expect(renderSize(800, 600, 2, 480)).toEqual({ width: 480, height: 360 });
    expect(renderSize(300, 200, 1, 480)).toEqual({ width: 300, height: 200 });
  });
});

describe('viewport head', () => {
  const fit: FitFile = {
    headModel: 'open-head',
    shape: [],
    intrinsics: { fx: 500, fy: 500, cx: 256, cy: 256 },
    frames: [
      // frontal: R = diag(1, −1, −1) is the axis-angle (π, 0, 0)
      { idx: 0, rotation: [Math.PI, 0, 0], translation: [0.01, 0.02, 0.6], expression: [5, -5], jaw: [0.2, 0, 0], eyes: [0, 0, 0, 0, 0, 0] },
      { idx: 1, rotation: [Math.PI, 0, 0], translation: [0.03, 0.02, 0.6], expression: [0, 0], jaw: [0, 0, 0], eyes: [0, 0, 0, 0, 0, 0] },
    ],
  };
  it('a frontal fitted pose maps back to the model frame (upright, not mirrored), offset by t − t̄', () => {
    const rig = new HeadRig(space(), fit);
    const s = rig.fromFit(fit.frames[0]!);
    expect(s.expression).toEqual([2, -0.5]); // clamped to the stored range
    const held = rig.vertices(s, false);
    const posed = rig.vertices(s, true);
    // t − t̄ = (−0.01, 0, 0) in the camera frame → (−0.01, 0, 0) in the model frame.
    for (let i = 0; i < held.length; i += 3) {
      expect(posed[i]).toBeCloseTo(held[i] - 0.01, 5);
      expect(posed[i + 1]).toBeCloseTo(held[i + 1], 5);
      expect(posed[i + 2]).toBeCloseTo(held[i + 2], 5);
    }
    // Upright and facing +z: the forehead (landmark 10) above the chin (152), the nose tip (1) in front.
    const y = (v: number) => held[v * 3 + 1], z = (v: number) => held[v * 3 + 2];
    expect(y(10)).toBeGreaterThan(y(152));
    expect(z(1)).toBeGreaterThan(bounds(held).centre[2]);
    // The jaw opens the mouth: the lower lip (14) moves down relative to neutral.
    const neutral = rig.vertices(rig.neutral(), false);
    expect(held[14 * 3 + 1]).toBeLessThan(neutral[14 * 3 + 1] - 0.002);
  });
  it('poses with the run’s learnt correctives (head-tuning.bin) exactly as the trainer does', () => {
    const plain = new HeadRig(space(), fit);
    const V = plain.model.vertexCount, E = plain.expressionCount;
    const zero = new HeadRig(space(), fit, { expression: new Float32Array(V * 3 * E), pose: null, poseJoints: [] });
    const state = { ...plain.neutral(), expression: [1, ...new Array(E - 1).fill(0)] };
    const a = plain.vertices(state, false), b = zero.vertices(state, false);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 6);
    const dE = new Float32Array(V * 3 * E);
    dE[(14 * 3 + 1) * E + 0] = 0.01; // lower lip up 1 cm per unit of expression 0
    const tuned = new HeadRig(space(), fit, { expression: dE, pose: null, poseJoints: [] }).vertices(state, false);
    expect(tuned[14 * 3 + 1] - a[14 * 3 + 1]).toBeCloseTo(0.01, 6);
    expect(() => new HeadRig(space(), fit, { expression: new Float32Array(5), pose: null, poseJoints: [] })).toThrow(/does not fit this head/);
  });
  it('Gaussian centres match the CPU deform reference', () => {
    const rig = new HeadRig(space(), fit);
    const v = rig.vertices(rig.fromFit(fit.frames[0]!), true);
    const T = rig.model.triangles.length / 3;
    const data = randomBound(500, T, 0, 11);
    const mine = gaussianCentres(data, v, rig.model.triangles);
    const ref = deformReference(data, v, rig.model.triangles).means;
    for (let i = 0; i < mine.length; i++) {
      if (Number.isNaN(ref[i])) expect(mine[i]).toBeNaN();
      else expect(mine[i]).toBeCloseTo(ref[i], 5);
    }
  });
});
