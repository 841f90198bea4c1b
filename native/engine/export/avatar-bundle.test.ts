import { describe, expect, it } from 'vitest';
import { parseAvatarBin } from '../avatar/binding/avatar-file';
import { createOpenHead } from '../avatar/open-head/build';
import { HeadPosing } from '../avatar/lbs-backward';
import { deformReference } from '../reference/binding';
import { AvatarBundleError, BUNDLE_VERSION, readAvatarBundle, writeAvatarBundle } from './avatar-bundle';
import { fixtureBundleInput } from './avatar-bundle-fixture';
import { poseBundle } from './avatar-bundle-pose';

const expectBundleError = (f: () => unknown, reason: string, message: RegExp) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(AvatarBundleError);
    expect((err as AvatarBundleError).reason).toBe(reason);
    expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected an AvatarBundleError');
};

describe('avatar bundle', () => {
  const input = fixtureBundleInput({ bake: true });
  const bytes = writeAvatarBundle(input);

  it('round trip: every section byte-equal to its input, sections 8-byte aligned, manifest complete', () => {
    const b = readAvatarBundle(bytes);
    expect(b.version).toBe(BUNDLE_VERSION);
    const eq = (a: Uint8Array, c: Uint8Array) => expect(Buffer.from(a).equals(Buffer.from(c))).toBe(true);
    eq(b.section('avatar.bin'), input.avatar);
    eq(b.section('expression-space.json'), (input.head as { expressionSpace: Uint8Array }).expressionSpace);
    eq(b.section('head-tuning.bin'), input.headTuning!);
    eq(b.section('motion.json'), input.motion!);
    eq(b.section('meta.json'), input.meta!);
    eq(b.section('bake/maps.bin'), input.bake!['maps.bin']!);
    eq(b.section('bake/report.json'), input.bake!['report.json']!);
    expect(b.has('bake/colour.png')).toBe(false);
    expect(b.manifest.bake).toEqual({ maps: 'bake/maps.bin', files: ['bake/maps.bin', 'bake/baked-avatar.bin', 'bake/report.json'], mapSize: 8, levels: 2, steps: 10 });
    expect(b.bakedMaps?.visibility[5]).toBe(2);
    expect(b.manifest.motion).toMatchObject({ frames: 4, fps: 25, firstFrame: 10, lastFrame: 13 });
    expect(b.manifest.head).toMatchObject({ kind: 'open-head', shape: [0.1, -0.2, 0.05], vertexCount: 1344, triangleCount: 2668 });
    expect(b.gaussians.count).toBe(300);
    expect(b.bakedGaussians?.shDegree).toBe(0);
    const dataStart = Math.ceil((16 + new DataView(bytes.buffer).getUint32(12, true)) / 8) * 8;
    for (const s of b.manifest.sections) expect((dataStart + s.offset) % 8).toBe(0);
    expect(bytes.length % 8).toBe(0);
    // The head section: neutral vertices at the subject's shape, UVs and skinning.
    const model = createOpenHead({ face: b.expressionSpace!.mean, expression: { basis: b.expressionSpace!.basis, count: b.expressionSpace!.count, range: b.expressionSpace!.range } });
    expect(Array.from(b.headMesh!.vertices)).toEqual(Array.from(model.evaluate({ shape: [0.1, -0.2, 0.05] })));
    expect(b.headMesh!.uvTriangles.length).toBe(b.headMesh!.triangles.length);
    expect(b.headMesh!.skinWeights.length).toBe(1344 * 5);
    expect(b.headMesh!.expressionDirs.length).toBe(1344 * 3 * b.expressionSpace!.count);
  });

  it('refuses a wrong signature, a truncated file, a damaged section and an unknown version (named with the supported ones)', () => {
    const bad = bytes.slice();
    bad[0] = 0x58;
    expectBundleError(() => readAvatarBundle(bad), 'magic', /not an avatar bundle/);
    expectBundleError(() => readAvatarBundle(bytes.subarray(0, 10)), 'truncated', /truncated/);
    expectBundleError(() => readAvatarBundle(bytes.subarray(0, 200)), 'truncated', /truncated: its manifest claims/);
    expectBundleError(() => readAvatarBundle(bytes.subarray(0, bytes.length - 100)), 'truncated', /truncated: section \S+ needs bytes up to/);
    const flipped = bytes.slice();
    flipped[bytes.length - 300] ^= 1;
    expectBundleError(() => readAvatarBundle(flipped), 'corrupt', /damaged: section .* fails its CRC-32/);
    const v7 = bytes.slice();
    new DataView(v7.buffer).setUint32(8, 7, true);
    expectBundleError(() => readAvatarBundle(v7), 'version', /format version 7; this studio reads version 1\. Update Avatar Studio/);
    // a damaged file that starts with the signature is damaged, not "a newer version"
    expectBundleError(() => readAvatarBundle(new TextEncoder().encode('AVBUNDLE this is not a bundle')), 'truncated', /truncated: its manifest claims/);
    const garbled = bytes.slice();
    garbled.fill(0x41, 16, 40);
    new DataView(garbled.buffer).setUint32(8, 0x41414141, true);
    expect(() => readAvatarBundle(garbled)).toThrow(/manifest|damaged/);
    expect(() => readAvatarBundle(garbled)).not.toThrow(/Update Avatar Studio/);
    expect(() => writeAvatarBundle({ ...input, avatar: input.avatar.subarray(0, 50) })).toThrow(/avatar\.bin/);
    expect(() => writeAvatarBundle({ ...input, bake: { 'maps.bin': new Uint8Array(100) } })).toThrow(/baked maps \(bake\/maps\.bin\) cannot be read/);
  });

  it('poseBundle: a frame poses jaw/eyes/expression with the correctives like HeadPosing + deformReference; expressions clamp; unknown frame named', () => {
    const b = readAvatarBundle(bytes);
    const posed = poseBundle(b, { frame: 12 });
    expect(posed.pose).toMatchObject({ frame: 12, rotation: [3.1, 0.02, 0], translation: [0, 0, 1.2] });
    const model = createOpenHead({ face: b.expressionSpace!.mean, expression: { basis: b.expressionSpace!.basis, count: b.expressionSpace!.count, range: b.expressionSpace!.range } });
    const f = b.motion!.frames[2]!;
    const joints = new Float64Array(15);
    joints.set(f.jaw, 6);
    joints.set(f.eyes, 9);
    const st = new HeadPosing(model).forward({ shape: [0.1, -0.2, 0.05], expression: f.expression, jointRotations: joints, rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0] }, b.correctives);
    const want = deformReference(parseAvatarBin(input.avatar), Float32Array.from(st.skinned), model.triangles);
    expect(Array.from(posed.cloud.means)).toEqual(Array.from(want.means));
    // The correctives matter: without them the vertices differ.
    const plain = model.evaluate({ shape: [0.1, -0.2, 0.05], expression: f.expression, jointRotations: joints });
    let diff = 0;
    for (let i = 0; i < plain.length; i++) diff = Math.max(diff, Math.abs(plain[i]! - posed.vertices[i]!));
    expect(diff).toBeGreaterThan(1e-5);
    const big = poseBundle(b, { expression: [100] });
    expect(big.pose.expression[0]).toBe(model.expressionRange[1]);
    expect(() => poseBundle(b, { frame: 99 })).toThrow(/Frame 99 has no tracked fit \(tracked frames: 10–13\)/);
    expect(poseBundle(b, { neutral: true }, { gaussians: 'baked' }).cloud.count).toBe(300);
  });

  it('a FLAME bundle carries the note and refuses to pose without the model', () => {
    const flame = writeAvatarBundle({ ...input, head: { kind: 'flame', model: { name: 'FLAME 2020', identifier: 'generic_model.pkl', vertexCount: 5023, shapeCount: 300, expressionCount: 100 }, shape: [] }, headTuning: null, motion: null, bake: null });
    const b = readAvatarBundle(flame);
    expect(b.manifest.head.kind).toBe('flame');
    expect(b.has('expression-space.json')).toBe(false);
    expect(() => poseBundle(b, { neutral: true })).toThrow(/FLAME.*not included.*FLAME 2020: generic_model\.pkl/);
  });
});
