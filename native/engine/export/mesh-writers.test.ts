import { describe, expect, it } from 'vitest';
import { OBJLoader } from 'three/examples/jsm/loaders/OBJLoader.js';
// @ts-expect-error gltf-validator ships no types
import * as validator from 'gltf-validator';
import { readAvatarBundle, writeAvatarBundle } from './avatar-bundle';
import { fixtureBundleInput } from './avatar-bundle-fixture';
import { bundlePoser } from './avatar-bundle-pose';
import { writeMeshObj } from './mesh-obj';
import { writeMeshSequenceGlb } from './mesh-gltf';

const bundle = readAvatarBundle(writeAvatarBundle(fixtureBundleInput({ correctives: false })));
const mesh = bundle.headMesh!;
const poser = bundlePoser(bundle);

describe('mesh sequence writers', () => {
  it('OBJ: three.js OBJLoader reads the posed triangles with their UVs (v flipped to OBJ’s bottom-up)', () => {
    const { vertices } = poser.vertices({ frame: 12 });
    const text = new TextDecoder().decode(writeMeshObj({ vertices, triangles: mesh.triangles, uv: mesh.uv, uvTriangles: mesh.uvTriangles }, 'frame 12'));
    const obj = new OBJLoader().parse(text);
    const geo = (obj.children[0] as unknown as { geometry: { getAttribute(n: string): { array: ArrayLike<number>; count: number } } }).geometry;
    const pos = geo.getAttribute('position'), uv = geo.getAttribute('uv');
    expect(pos.count).toBe(mesh.triangles.length);
    for (const c of [0, 1001, 5000, mesh.triangles.length - 1]) {
      const v = mesh.triangles[c]!, t = mesh.uvTriangles[c]!;
      for (let a = 0; a < 3; a++) expect(pos.array[c * 3 + a]).toBeCloseTo(vertices[v * 3 + a]!, 5);
      expect(uv.array[c * 2]).toBeCloseTo(mesh.uv[t * 2]!, 5);
      expect(uv.array[c * 2 + 1]).toBeCloseTo(1 - mesh.uv[t * 2 + 1]!, 5);
    }
  });

  it('glTF: morph target per frame + animation pass the Khronos validator with no error or warning; neutral + target = posed frame', async () => {
    const frames = bundle.motion!.frames.map((f, i) => ({ name: `frame ${f.idx}`, time: i / 25, vertices: poser.vertices({ frame: f.idx }).vertices }));
    const neutral = poser.vertices({ neutral: true }).vertices;
    const glb = writeMeshSequenceGlb({ mesh: { vertices: neutral, triangles: mesh.triangles, uv: mesh.uv, uvTriangles: mesh.uvTriangles }, frames });
    const report = await validator.validateBytes(glb, { maxIssues: 50 });
    const bad = (report.issues.messages as { code: string; severity: number }[]).filter((m) => m.severity <= 1);
    expect(bad, JSON.stringify(bad)).toEqual([]);
    expect(report.info.animationCount).toBe(1);
    expect(report.info.morphTargetCount ?? frames.length).toBe(frames.length);
    // Read back: JSON chunk + BIN chunk, target 2 of one corner.
    const dv = new DataView(glb.buffer, glb.byteOffset);
    const jsonLen = dv.getUint32(12, true);
    const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLen)));
    const bin = glb.subarray(20 + jsonLen + 8);
    const read = (acc: number, i: number, comps: number) => {
      const a = json.accessors[acc], bv = json.bufferViews[a.bufferView];
      return Array.from({ length: comps }, (_, k) => new DataView(bin.buffer, bin.byteOffset + bv.byteOffset).getFloat32((i * comps + k) * 4, true));
    };
    const prim = json.meshes[0].primitives[0];
    const idxView = json.bufferViews[json.accessors[prim.indices].bufferView];
    const corner = 777;
    const gi = new DataView(bin.buffer, bin.byteOffset + idxView.byteOffset).getUint32(corner * 4, true);
    const p = read(prim.attributes.POSITION, gi, 3), d = read(prim.targets[2].POSITION, gi, 3);
    const v = mesh.triangles[corner]!;
    for (let a = 0; a < 3; a++) expect(p[a]! + d[a]!).toBeCloseTo(frames[2]!.vertices[v * 3 + a]!, 6);
    expect(json.meshes[0].extras.targetNames[2]).toBe('frame 12');
  });
});
