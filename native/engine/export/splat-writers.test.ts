import { describe, expect, it } from 'vitest';
import { PLYLoader } from 'three/examples/jsm/loaders/PLYLoader.js';
// @ts-expect-error gltf-validator ships no types
import * as validator from 'gltf-validator';
import { rng } from '../reference/test-scenes';
import { finiteSplats, type SplatCloud } from './splat-cloud';
import { plyPropertyNames, writeSplatPly } from './splat-ply';
import { writeSplatGlb } from './splat-gltf';

function randomCloud(seed: number, count: number, shDegree: number): SplatCloud {
  const r = rng(seed);
  const K3 = (shDegree + 1) ** 2 * 3;
  const f = (len: number, g: () => number) => Float32Array.from({ length: len }, g);
  return {
    count,
    shDegree,
    means: f(count * 3, () => (r() - 0.5) * 0.3),
    logScales: f(count * 3, () => -5 + r()),
    rotations: f(count * 4, () => r() * 2 - 1),
    opacities: f(count, () => r() * 6 - 3),
    sh: f(count * K3, () => r() - 0.5),
  };
}

describe('finiteSplats', () => {
  it('drops non-finite Gaussians and normalises quaternions (zero → identity)', () => {
    const c = randomCloud(1, 5, 0);
    (c.means as Float32Array)[1 * 3] = NaN;
    (c.rotations as Float32Array).set([0, 0, 0, 0], 2 * 4);
    const f = finiteSplats(c);
    expect(f.count).toBe(4);
    expect(f.dropped).toBe(1);
    expect(Array.from(f.rotations).slice(4, 8)).toEqual([1, 0, 0, 0]); // old index 2 → new 1
    for (let i = 0; i < 4; i++) expect(Math.hypot(...Array.from(f.rotations).slice(i * 4, i * 4 + 4))).toBeCloseTo(1, 6);
    expect(f.means[3]).toBe(c.means[2 * 3]);
  });
});

describe('3DGS .ply', () => {
  it('is read by three.js PLYLoader with the right count and values (SH degree 2)', () => {
    const cloud = finiteSplats(randomCloud(2, 257, 2));
    const bytes = writeSplatPly(cloud, 'test');
    const names = plyPropertyNames(2);
    expect(names.filter((n) => n.startsWith('f_rest_')).length).toBe(24);
    const loader = new PLYLoader();
    loader.setCustomPropertyNameMapping({
      fdc: ['f_dc_0', 'f_dc_1', 'f_dc_2'],
      rest: names.filter((n) => n.startsWith('f_rest_')),
      opacity: ['opacity'],
      scale: ['scale_0', 'scale_1', 'scale_2'],
      rot: ['rot_0', 'rot_1', 'rot_2', 'rot_3'],
    });
    const geo = loader.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const pos = geo.getAttribute('position');
    expect(pos.count).toBe(257);
    const K = 9;
    for (const i of [0, 100, 256]) {
      for (let a = 0; a < 3; a++) {
        expect(pos.array[i * 3 + a]).toBe(cloud.means[i * 3 + a]);
        expect(geo.getAttribute('fdc').array[i * 3 + a]).toBe(cloud.sh[i * K * 3 + a]);
        expect(geo.getAttribute('scale').array[i * 3 + a]).toBe(cloud.logScales[i * 3 + a]);
      }
      for (let a = 0; a < 4; a++) expect(geo.getAttribute('rot').array[i * 4 + a]).toBe(cloud.rotations[i * 4 + a]); // w, x, y, z
      expect(geo.getAttribute('opacity').array[i]).toBe(cloud.opacities[i]);
      // f_rest is channel-major: f_rest_{c·(K−1) + k−1} = sh[i][k][c]
      const rest = geo.getAttribute('rest').array;
      expect(rest[i * 24 + 0 * 8 + 0]).toBe(cloud.sh[(i * K + 1) * 3 + 0]);
      expect(rest[i * 24 + 1 * 8 + 4]).toBe(cloud.sh[(i * K + 5) * 3 + 1]);
      expect(rest[i * 24 + 2 * 8 + 7]).toBe(cloud.sh[(i * K + 8) * 3 + 2]);
    }
  });
});

describe('glTF 2.0 + KHR_gaussian_splatting', () => {
  it('passes the Khronos glTF validator (only the unknown-extension notice) and carries the values', async () => {
    const cloud = finiteSplats(randomCloud(3, 300, 1));
    const glb = writeSplatGlb(cloud, { extras: { frame: 3 } });
    const report = await validator.validateBytes(glb, { maxIssues: 100 });
    const issues = report.issues.messages as { code: string; severity: number; pointer?: string }[];
    // The validator predates the extension: it knows neither KHR_gaussian_splatting (UNSUPPORTED_EXTENSION, info)
    // nor the attribute semantics the extension defines ("KHR_gaussian_splatting:…"; core glTF allows only its own
    // names or "_" prefixes). Those are the extension's own notices; nothing else may be reported.
    const own = (m: { code: string; pointer?: string }) =>
      m.code === 'UNSUPPORTED_EXTENSION' || (m.code === 'MESH_PRIMITIVE_INVALID_ATTRIBUTE' && /\/attributes\/KHR_gaussian_splatting:[A-Z0-9_]+$/.test(m.pointer ?? ''));
    const others = issues.filter((m) => m.severity <= 1 && !own(m));
    expect(others, JSON.stringify(others)).toEqual([]);
    expect(issues.filter((m) => m.code === 'MESH_PRIMITIVE_INVALID_ATTRIBUTE').length).toBe(3 + 4);
    expect(report.issues.numErrors).toBe(7);
    // The same file with those semantics renamed to application-specific ("_") names: no errors or warnings at all,
    // so every accessor, buffer view and chunk is valid glTF.
    const renamed = await validator.validateBytes(renameSemantics(glb), { maxIssues: 100 });
    const rest = (renamed.issues.messages as { code: string; severity: number }[]).filter((m) => m.severity <= 1);
    expect(rest, JSON.stringify(rest)).toEqual([]);

    // Read back independently of the writer's code paths: JSON chunk + accessors.
    const view = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
    const jsonLen = view.getUint32(12, true);
    const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLen)));
    const binStart = 20 + jsonLen + 8;
    const prim = json.meshes[0].primitives[0];
    expect(prim.mode).toBe(0);
    expect(json.extensionsUsed).toEqual(['KHR_gaussian_splatting']);
    const read = (semantic: string) => {
      const acc = json.accessors[prim.attributes[semantic]];
      const bv = json.bufferViews[acc.bufferView];
      return new Float32Array(glb.slice(binStart + bv.byteOffset, binStart + bv.byteOffset + bv.byteLength).buffer);
    };
    expect(Object.keys(prim.attributes).filter((k) => k.includes('SH_DEGREE')).length).toBe(4);
    const rot = read('KHR_gaussian_splatting:ROTATION'), opa = read('KHR_gaussian_splatting:OPACITY');
    const sh11 = read('KHR_gaussian_splatting:SH_DEGREE_1_COEF_1');
    for (const i of [0, 299]) {
      expect(rot[i * 4 + 3]).toBe(cloud.rotations[i * 4]); // w last
      expect(rot[i * 4]).toBe(cloud.rotations[i * 4 + 1]);
      expect(opa[i]).toBeCloseTo(1 / (1 + Math.exp(-cloud.opacities[i])), 6);
      expect(sh11[i * 3 + 2]).toBe(cloud.sh[(i * 4 + 2) * 3 + 2]);
    }
  });
});

/** Rewrites a GLB's JSON chunk with "KHR_gaussian_splatting:X" attribute names as "_KHR_GS_X". */
function renameSemantics(glb: Uint8Array): Uint8Array {
  const view = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  const jsonLen = view.getUint32(12, true);
  const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLen)));
  const prim = json.meshes[0].primitives[0];
  prim.attributes = Object.fromEntries(Object.entries(prim.attributes).map(([k, v]) => [k.replace('KHR_gaussian_splatting:', '_KHR_GS_'), v]));
  const bytes = new TextEncoder().encode(JSON.stringify(json));
  const padded = (bytes.length + 3) & ~3;
  const bin = glb.subarray(20 + jsonLen);
  const out = new Uint8Array(20 + padded + bin.length);
  const o = new DataView(out.buffer);
  o.setUint32(0, 0x46546c67, true);
  o.setUint32(4, 2, true);
  o.setUint32(8, out.length, true);
  o.setUint32(12, padded, true);
  o.setUint32(16, 0x4e4f534a, true);
  out.set(bytes, 20);
  out.fill(0x20, 20 + bytes.length, 20 + padded);
  out.set(bin, 20 + padded);
  return out;
}
