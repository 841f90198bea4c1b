/**
 * Avatar bundle and mesh-sequence cost (native/engine/export/avatar-bundle*.ts, mesh-*.ts): packs an avatar's files
 * into a bundle, reads + validates it back, poses it per tracked frame as the web player does (`poseBundle`: head
 * vertices, and world Gaussians on the CPU reference), and encodes one OBJ frame and the morph-target glTF of the
 * first `--gltf-frames` frames. Medians over --repeats runs, seconds; sizes in bytes. Nothing is written.
 *
 * Inputs: a studio avatar folder `--avatar-dir <project>/avatars/<id>` (avatar.bin, meta.json, head-tuning.bin and
 * bake/ when present) with its capture's `--space …/tracking/expression-space.json` and `--fit …/tracking/<cam>/fit.json`;
 * without them the engine's synthetic fixture (procedural expressions, 300 Gaussians, 4 frames).
 * Usage: node bench/run.mjs avatar-bundle -- [--avatar-dir D --space F --fit F] [--repeats 3] [--gltf-frames 100].
 * Last stdout line: JSON.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BUNDLE_BAKE_FILES, readAvatarBundle, writeAvatarBundle, type AvatarBundleInput } from '../../native/engine/export/avatar-bundle';
import { fixtureBundleInput } from '../../native/engine/export/avatar-bundle-fixture';
import { bundlePoser, poseBundle } from '../../native/engine/export/avatar-bundle-pose';
import { writeMeshObj } from '../../native/engine/export/mesh-obj';
import { writeMeshSequenceGlb } from '../../native/engine/export/mesh-gltf';

const { values: o } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    'avatar-dir': { type: 'string' },
    space: { type: 'string' },
    fit: { type: 'string' },
    repeats: { type: 'string', default: '3' },
    'gltf-frames': { type: 'string', default: '100' },
  },
});
const log = (s: string) => process.stderr.write(`${s}\n`);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const time = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const r = f();
  return [r, (performance.now() - t) / 1000];
};
const repeats = Number(o.repeats);

let input: AvatarBundleInput, source: string;
if (o['avatar-dir']) {
  if (!o.space || !o.fit) throw new Error('--space and --fit are needed with --avatar-dir');
  const dir = o['avatar-dir'];
  const opt = (f: string) => (fs.existsSync(path.join(dir, f)) ? new Uint8Array(fs.readFileSync(path.join(dir, f))) : null);
  const motion = new Uint8Array(fs.readFileSync(o.fit));
  const bake = fs.existsSync(path.join(dir, 'bake', 'maps.bin')) ? Object.fromEntries(BUNDLE_BAKE_FILES.map((f) => [f, opt(`bake/${f}`)]).filter(([, b]) => b)) : null;
  input = {
    metadata: { name: path.basename(dir), avatarVersion: 1, created: new Date().toISOString(), generator: 'bench', studioVersion: '0', source: {} },
    head: { kind: 'open-head', expressionSpace: new Uint8Array(fs.readFileSync(o.space)), shape: JSON.parse(new TextDecoder().decode(motion)).shape ?? [] },
    avatar: new Uint8Array(fs.readFileSync(path.join(dir, 'avatar.bin'))),
    meta: opt('meta.json'),
    headTuning: opt('head-tuning.bin'),
    motion,
    bake,
  };
  source = dir;
} else {
  input = fixtureBundleInput({ bake: true });
  source = 'synthetic fixture';
}

const packT: number[] = [], readT: number[] = [];
let bytes = writeAvatarBundle(input);
for (let i = 0; i < repeats; i++) {
  const [b, t] = time(() => writeAvatarBundle(input));
  bytes = b;
  packT.push(t);
}
let bundle = readAvatarBundle(bytes);
for (let i = 0; i < repeats; i++) {
  const [b, t] = time(() => readAvatarBundle(bytes));
  bundle = b;
  readT.push(t);
}
const [, firstPoserT] = time(() => bundlePoser(bundle));
const frames = bundle.motion?.frames ?? [];
const sample = frames.filter((_, i) => i % Math.max(1, Math.floor(frames.length / 20)) === 0);
const vertT: number[] = [], gaussT: number[] = [];
for (const f of sample) {
  vertT.push(time(() => bundlePoser(bundle).vertices({ frame: f.idx }))[1]);
  gaussT.push(time(() => poseBundle(bundle, { frame: f.idx }))[1]);
}
const poser = bundlePoser(bundle);
const mesh = bundle.headMesh!;
const base = { triangles: mesh.triangles, uv: mesh.uv, uvTriangles: mesh.uvTriangles };
const objT: number[] = [];
let objBytes = 0;
for (let i = 0; i < repeats; i++) {
  const v = poser.vertices({ frame: frames[0]!.idx }).vertices;
  const [b, t] = time(() => writeMeshObj({ ...base, vertices: v }));
  objBytes = b.length;
  objT.push(t);
}
const G = Math.min(frames.length, Number(o['gltf-frames']));
const seq = frames.slice(0, G).map((f, i) => ({ name: `frame ${f.idx}`, time: i / 25, vertices: poser.vertices({ frame: f.idx }).vertices }));
const [glb, glbT] = time(() => writeMeshSequenceGlb({ mesh: { ...base, vertices: poser.vertices({ neutral: true }).vertices }, frames: seq }));
const sections = Object.fromEntries(bundle.manifest.sections.map((s) => [s.name, s.length]));
const result = {
  source,
  gaussians: bundle.gaussians.count,
  frames: frames.length,
  correctives: !!bundle.correctives,
  bake: !!bundle.manifest.bake,
  bundleBytes: bytes.length,
  sections,
  packSeconds: median(packT),
  readValidateSeconds: median(readT),
  poserBuildSeconds: firstPoserT,
  poseVerticesSecondsPerFrame: median(vertT),
  poseGaussiansSecondsPerFrame: median(gaussT),
  objFrameBytes: objBytes,
  objEncodeSecondsPerFrame: median(objT),
  gltfFrames: G,
  gltfBytes: glb.length,
  gltfEncodeSeconds: glbT,
  repeats,
  loadavg: os.loadavg()[0],
};
log(`bundle ${(bytes.length / 1e6).toFixed(2)} MB, pack ${result.packSeconds.toFixed(3)} s, read ${result.readValidateSeconds.toFixed(3)} s, pose ${(result.poseGaussiansSecondsPerFrame * 1000).toFixed(1)} ms/frame`);
process.stdout.write(`${JSON.stringify(result)}\n`);
