/**
 * Static export cost and size (src/main/services/export): poses an avatar (CPU `deformReference`), encodes it as a
 * 3DGS .ply and as a .glb (KHR_gaussian_splatting), and writes each atomically (temp + fsync + rename) into a temp
 * folder. Medians over --repeats runs, seconds; sizes in bytes.
 *
 * Inputs: a trained avatar (`--avatar avatar.bin` or a trainer `--checkpoint checkpoint.bin`) with its capture's
 * `--space tracking/expression-space.json` and `--fit tracking/<cam>/fit.json` (then `--frame N`, default the first
 * tracked frame); without them a synthetic avatar: the canonical open head, UV `--uv` N² Gaussians, SH degree `--sh`.
 * Usage: node bench/run.mjs export -- [--checkpoint F | --avatar F] [--space F] [--fit F] [--frame N] [--repeats 3].
 * Last stdout line: JSON.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { canonicalFace } from '../../native/engine/avatar/open-head/build';
import { initFromUvLayout } from '../../native/engine/avatar/binding/init';
import { readCheckpoint } from '../../native/engine/avatar/trainer/checkpoint';
import { finiteSplats } from '../../native/engine/export/splat-cloud';
import { writeSplatPly } from '../../native/engine/export/splat-ply';
import { writeSplatGlb } from '../../native/engine/export/splat-gltf';
import { poseAvatar, type FitFileLike } from '../../src/main/services/export/pose-avatar';
import { writeExportFile } from '../../src/main/services/export/write-export';
import { openHeadFor, type StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';
import { serializeBound } from '@engine/avatar/binding/avatar-file';

const { values: o } = parseArgs({
  options: {
    avatar: { type: 'string' },
    checkpoint: { type: 'string' },
    space: { type: 'string' },
    fit: { type: 'string' },
    frame: { type: 'string' },
    uv: { type: 'string', default: '128' },
    sh: { type: 'string', default: '1' },
    repeats: { type: 'string', default: '3' },
  },
});
const log = (s: string) => process.stderr.write(`${s}\n`);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const time = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const r = f();
  return [r, (performance.now() - t) / 1000];
};

let avatarBin: Uint8Array, space: StoredExpressionSpace, fit: FitFileLike | null = null, source: string;
if (o.avatar || o.checkpoint) {
  if (!o.space) throw new Error('--space is needed with a trained avatar');
  space = JSON.parse(fs.readFileSync(o.space, 'utf8'));
  fit = o.fit ? JSON.parse(fs.readFileSync(o.fit, 'utf8')) : null;
  if (o.avatar) avatarBin = new Uint8Array(fs.readFileSync(o.avatar));
  else {
    const buf = fs.readFileSync(o.checkpoint!);
    const ck = readCheckpoint(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    avatarBin = serializeBound(ck.bound);
    log(`checkpoint at step ${ck.step}`);
  }
  source = o.avatar ?? o.checkpoint!;
} else {
  space = { mean: [...canonicalFace()], basis: [], count: 0, sigma: [], varianceKept: 1, range: [] };
  const model = openHeadFor(space);
  const init = initFromUvLayout({ vertices: model.evaluate({}), triangles: model.triangles }, model.uv!, { resolution: Number(o.uv), shDegree: Number(o.sh) as 0 | 1 | 2 | 3 });
  avatarBin = serializeBound(init.data);
  source = `synthetic open head, UV ${o.uv}²`;
}
const frame = o.frame !== undefined ? Number(o.frame) : (fit?.frames[0]?.idx ?? null);
const choice = frame !== null && fit ? { frame } : ({ neutral: true } as const);
const repeats = Number(o.repeats);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-export-'));
const poseT: number[] = [];
let cloud = finiteSplats(poseAvatar(avatarBin, space, fit, choice).cloud);
for (let i = 0; i < repeats; i++) {
  const [posed, t] = time(() => finiteSplats(poseAvatar(avatarBin, space, fit, choice).cloud));
  cloud = posed;
  poseT.push(t);
}
const formats: Record<string, { bytes: number; encodeSeconds: number; writeSeconds: number }> = {};
for (const [name, encode] of [
  ['ply', () => writeSplatPly(cloud)],
  ['gltf', () => writeSplatGlb(cloud)],
] as const) {
  const enc: number[] = [], wr: number[] = [];
  let size = 0;
  for (let i = 0; i < repeats; i++) {
    const [bytes, te] = time(encode);
    const [, tw] = time(() => writeExportFile(path.join(dir, `avatar.${name}`), bytes));
    enc.push(te);
    wr.push(tw);
    size = bytes.length;
  }
  formats[name] = { bytes: size, encodeSeconds: median(enc), writeSeconds: median(wr) };
  log(`${name}: ${(size / 1e6).toFixed(2)} MB, encode ${formats[name].encodeSeconds.toFixed(3)} s, write ${formats[name].writeSeconds.toFixed(3)} s`);
}
fs.rmSync(dir, { recursive: true, force: true });
const result = { source, frame: 'frame' in choice ? frame : null, gaussians: cloud.count, dropped: cloud.dropped, shDegree: cloud.shDegree, poseSeconds: median(poseT), formats, repeats, loadavg: os.loadavg()[0] };
process.stdout.write(`${JSON.stringify(result)}\n`);
