import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OBJLoader } from 'three/examples/jsm/loaders/OBJLoader.js';
// @ts-expect-error gltf-validator ships no types
import * as validator from 'gltf-validator';
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import { HeadTuning, readHeadTuningExport } from '@engine/avatar/trainer/head-tuning';
import { createNodeDevice } from '@engine/gpu/node-device';
import { readAvatarBundle } from '@engine/export/avatar-bundle';
import { avatarBinBytes, fixtureMaps } from '@engine/export/avatar-bundle-fixture';
import { HeadPoser, poseBundle } from '@engine/export/avatar-bundle-pose';
import { PLYLoader } from 'three/examples/jsm/loaders/PLYLoader.js';
import type { Avatar } from '@shared/model/avatar';
import type { AvatarWithFiles } from '@shared/model/avatar-files';
import type { Job } from '@shared/model/job';
import type { ExportRecord } from '@shared/model/export';
import { orbitCamera } from '@engine/view/orbit-camera';
import { StudioHost } from '../../host/studio-host';
import { JOB_TEST_TIMEOUT, waitForJob } from '../../testing/job-wait';
import { folderState, REPO_ROOT, runCliWhileAdvancing, spawnWhileAdvancing } from '../../testing/run-cli';
import { openHeadFor } from '@engine/avatar/open-head/stored-space';
import { encodePng } from '../training/report-images';
import { craftTrackedCapture } from '../training/test-capture';
import { craftAvatar } from './test-avatar';
import { VideoFrameRenderer } from '@engine/avatar/render/avatar-frame-renderer';

let host: StudioHost;
let projectId: string, otherProject: string;
let media: string, out: string, root: string;
let baked: string, plain: string, flameAvatar: string;
let hostClosed = false;

async function call<T>(method: string, params: unknown): Promise<T> {
  const r = await host.dispatch(method, params);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.result as T;
}
async function runExport(params: unknown): Promise<Job & { result: { path: string; size: number; frames?: number } }> {
  const job = await waitForJob(host, (await call<Job>('exports.create', params)).id);
  expect(job.status, JSON.stringify(job.error)).toBe('completed');
  return job as Job & { result: { path: string; size: number; frames?: number } };
}
const abs = (rel: string, base = root) => path.join(base, ...rel.split('/'));
const same = (a: string, b: string) => expect(fs.readFileSync(a).equals(fs.readFileSync(b)), `${a} = ${b}`).toBe(true);

beforeAll(async () => {
  const tmp = process.env.TMPDIR ?? '/tmp';
  host = StudioHost.open({ libraryDir: fs.mkdtempSync(path.join(tmp, 'data-export-lib-')), frontDoor: 'cli' });
  projectId = host.services.projects.create('Data export').id;
  otherProject = host.services.projects.create('Imports').id;
  media = fs.mkdtempSync(path.join(tmp, 'data-export-media-'));
  out = fs.mkdtempSync(path.join(tmp, 'data-export-out-'));
  const capture = await craftTrackedCapture(host, projectId, media, { frames: 6 });
  root = host.services.projects.folderOf(projectId);
  baked = craftAvatar(host, projectId, capture.id).avatarId;
  plain = craftAvatar(host, projectId, capture.id).avatarId;
  // A FLAME-bound avatar (Gaussians on FLAME's 9 976 triangles): its bundle names FLAME and never holds its weights.
  flameAvatar = 'f1a3e000000000000000000000000001';
  fs.mkdirSync(path.join(root, 'avatars', flameAvatar), { recursive: true });
  fs.writeFileSync(path.join(root, 'avatars', flameAvatar, 'avatar.bin'), avatarBinBytes(40, 9976));
  host.services.library.db
    .prepare('INSERT INTO avatars (id, project_id, name, version, head_model, checkpoint_blob_id, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(flameAvatar, projectId, 'FLAME avatar', 3, 'flame', null, JSON.stringify({ captureId: capture.id, gaussians: 40 }), Date.now());
  // The baked avatar: learnt-looking correctives and a bake folder (files the maps export copies byte for byte).
  const info = await call<AvatarWithFiles>('avatars.get', { id: baked });
  const model = openHeadFor(JSON.parse(fs.readFileSync(abs(info.files.expressionSpace!), 'utf8')));
  const fit = JSON.parse(fs.readFileSync(abs(info.files.fits[0]!.path), 'utf8'));
  fit.frames.find((f: { idx: number }) => f.idx === 3).jaw = [0.3, 0, 0];
  fs.writeFileSync(abs(info.files.fits[0]!.path), JSON.stringify(fit));
  const tuning = new HeadTuning(model, fit.frames.map((f: { expression: number[] }) => ({ expression: f.expression })));
  tuning.correctives.expression?.forEach((_, i, a) => (a[i] = ((i % 13) - 6) * 2e-4));
  tuning.correctives.pose?.forEach((_, i, a) => (a[i] = ((i % 7) - 3) * 1e-3));
  const dir = path.dirname(abs(info.files.avatar));
  fs.writeFileSync(path.join(dir, 'head-tuning.bin'), tuning.toBytes());
  fs.mkdirSync(path.join(dir, 'bake'));
  fs.writeFileSync(path.join(dir, 'bake', 'maps.bin'), fixtureMaps(16));
  fs.copyFileSync(path.join(dir, 'avatar.bin'), path.join(dir, 'bake', 'baked-avatar.bin'));
  for (const [k, v] of [['colour', 200], ['opacity', 100], ['visibility', 255]] as const)
    fs.writeFileSync(path.join(dir, 'bake', `${k}.png`), encodePng(new Uint8Array(16 * 16 * 4).fill(v), 16, 16));
  fs.writeFileSync(path.join(dir, 'bake', 'report.json'), JSON.stringify({ heldOut: null }));
}, JOB_TEST_TIMEOUT); // in-process crafting, as slow as the machine's load makes it
afterAll(async () => {
  if (!hostClosed) await host.close();
  for (const d of [host.services.library.dir, media, out]) fs.rmSync(d, { recursive: true, force: true });
});

/** PSNR (dB) of two RGBA8 images over RGB; Infinity when identical. */
function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0, n = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue;
    se += (a[i]! - b[i]!) ** 2;
    n++;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / n));
}

// Each test waits on export jobs while they advance (testing/job-wait.ts): no speed budget per test.
describe('data exports: bundle, import, maps, mesh sequences', { timeout: JOB_TEST_TIMEOUT }, () => {
  let bundleFile: string;
  let imported: Avatar;

  it('bundle → avatars.import into another project: every file bit-exact, renders identical (engine on the Node WebGPU device, PSNR ≥ 50 dB)', async () => {
    const job = await runExport({ avatarId: baked, format: 'bundle' });
    expect(job.result.path).toMatch(/^exports\/crafted-avatar-v1-bundle\.avatar$/);
    bundleFile = abs(job.result.path);
    const b = readAvatarBundle(new Uint8Array(fs.readFileSync(bundleFile)));
    expect(b.manifest.metadata).toMatchObject({ name: 'Crafted avatar', avatarVersion: 1, generator: 'Avatar Studio' });
    expect(b.manifest.bake?.files).toHaveLength(6);
    expect(b.manifest.motion?.frames).toBe(6);

    imported = await call<Avatar>('avatars.import', { projectId: otherProject, path: bundleFile });
    expect(imported).toMatchObject({ projectId: otherProject, name: 'Crafted avatar', headModel: 'open-head', captureId: null, gaussians: b.gaussians.count });
    const src = await call<AvatarWithFiles>('avatars.get', { id: baked });
    const dst = await call<AvatarWithFiles>('avatars.get', { id: imported.id });
    const otherRoot = host.services.projects.folderOf(otherProject);
    same(abs(src.files.avatar), abs(dst.files.avatar, otherRoot));
    same(abs(src.files.headTuning!), abs(dst.files.headTuning!, otherRoot));
    same(abs(src.files.expressionSpace!), abs(dst.files.expressionSpace!, otherRoot));
    same(abs(src.files.fits[0]!.path), abs(dst.files.fits[0]!.path, otherRoot));
    expect(dst.files.bake).not.toBeNull();
    for (const k of ['maps', 'bakedAvatar', 'colour', 'opacity', 'visibility', 'report'] as const) same(abs(src.files.bake![k]), abs(dst.files.bake![k], otherRoot));

    // Render both at the jaw-open frame with the engine, through each avatar's own files.
    const engine = await createNodeDevice({ label: 'bundle-roundtrip' });
    try {
      const renderOf = async (info: AvatarWithFiles, base: string) => {
        const space = JSON.parse(fs.readFileSync(abs(info.files.expressionSpace!, base), 'utf8'));
        const fit = JSON.parse(fs.readFileSync(abs(info.files.fits[0]!.path, base), 'utf8'));
        const model = openHeadFor(space);
        const poser = new HeadPoser({ model, shape: fit.shape, correctives: readHeadTuningExport(new Uint8Array(fs.readFileSync(abs(info.files.headTuning!, base)))).correctives, frames: fit.frames });
        const data = parseAvatarBin(new Uint8Array(fs.readFileSync(abs(info.files.avatar, base))));
        const r = new VideoFrameRenderer(engine, data, model.triangles, model.vertexCount);
        try {
          return await r.render(poser.vertices({ frame: 3 }).vertices, orbitCamera({ target: [0, 0.02, 0], distance: 0.55, yaw: 0.4, pitch: 0.1 }, 30, 64, 64), { over: [0, 0, 0] });
        } finally {
          r.destroy();
        }
      };
      const a = await renderOf(src, root), c = await renderOf(dst, otherRoot);
      let lit = 0;
      for (let i = 0; i < a.length; i += 4) if (a[i]! + a[i + 1]! + a[i + 2]! > 30) lit++;
      expect(lit, 'the head covers part of the frame').toBeGreaterThan(200);
      expect(psnr(a, c)).toBeGreaterThanOrEqual(50);
    } finally {
      engine.destroy();
    }
  });

  it('the studio’s .ply and the bundle’s poseBundle (the web player’s posing) agree at a frame, correctives included', async () => {
    const job = await runExport({ avatarId: baked, format: 'ply', frame: 3, path: path.join(out, 'f3.ply') });
    const bytes = fs.readFileSync(path.join(out, 'f3.ply'));
    const geo = new PLYLoader().parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const b = readAvatarBundle(new Uint8Array(fs.readFileSync(bundleFile)));
    expect(b.correctives?.pose, 'jaw pose correctives (the crafted capture has no expression components)').not.toBeNull();
    const means = poseBundle(b, { frame: 3 }).cloud.means;
    const pos = geo.getAttribute('position').array;
    expect(pos.length).toBe(means.length);
    for (let i = 0; i < pos.length; i += 31) expect(pos[i]).toBe(Math.fround(means[i]!));
    expect(job.result.size).toBe(bytes.length);
  });

  it('import refuses an unknown bundle version (named) and a damaged file, leaving no partial avatar folder', async () => {
    const bytes = new Uint8Array(fs.readFileSync(bundleFile));
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(8, 9, true);
    const v9 = path.join(out, 'v9.avatar');
    fs.writeFileSync(v9, bytes);
    const before = fs.readdirSync(path.join(host.services.projects.folderOf(otherProject), 'avatars')).sort();
    await expect(call('avatars.import', { projectId: otherProject, path: v9 })).rejects.toThrow(/v9\.avatar cannot be imported: This avatar bundle is format version 9; this studio reads version 1/);
    const cut = path.join(out, 'cut.avatar');
    fs.writeFileSync(cut, fs.readFileSync(bundleFile).subarray(0, 5000));
    await expect(call('avatars.import', { projectId: otherProject, path: cut })).rejects.toThrow(/truncated/);
    await expect(call('avatars.import', { projectId: otherProject, path: path.join(out, 'nope.avatar') })).rejects.toThrow(/nope\.avatar does not exist/);
    expect(fs.readdirSync(path.join(host.services.projects.folderOf(otherProject), 'avatars')).sort()).toEqual(before);
    expect((await call<Avatar[]>('avatars.list', { projectId: otherProject })).length).toBe(1);
  });

  it('a FLAME-bound avatar: its bundle names the FLAME model to supply (no weights) and imports; meshes are refused with the reason', async () => {
    const file = path.join(out, 'flame.avatar');
    await runExport({ avatarId: flameAvatar, format: 'bundle', path: file });
    const b = readAvatarBundle(new Uint8Array(fs.readFileSync(file)));
    expect(b.manifest.head).toMatchObject({ kind: 'flame', model: { name: 'FLAME', vertexCount: 5023 } });
    expect((b.manifest.head as { note: string }).note).toMatch(/weights are not included.*Supply the FLAME model/);
    expect(b.has('expression-space.json')).toBe(false);
    const a = await call<Avatar>('avatars.import', { projectId: otherProject, path: file });
    expect(a).toMatchObject({ headModel: 'flame', name: 'FLAME avatar' });
    await expect(call('exports.create', { avatarId: flameAvatar, format: 'mesh-gltf' })).rejects.toThrow(/needs the FLAME model to pose it.*export a bundle/);
  });

  it('maps: the bake’s colour / opacity / visibility PNGs into a folder; refused with the reason for an avatar without a bake', async () => {
    const target = path.join(out, 'maps');
    const job = await runExport({ avatarId: baked, format: 'maps', path: target });
    expect(fs.readdirSync(target).sort()).toEqual(['colour.png', 'opacity.png', 'visibility.png']);
    expect(job.result.frames).toBe(3);
    const info = await call<AvatarWithFiles>('avatars.get', { id: baked });
    same(path.join(target, 'colour.png'), abs(info.files.bake!.colour));
    await expect(call('exports.create', { avatarId: plain, format: 'maps' })).rejects.toThrow(/no bake yet, so there are no texture maps to export\. Bake the avatar first/);
    await expect(call('exports.create', { avatarId: plain, format: 'bundle', frame: 2 })).rejects.toThrow(/holds the whole avatar/);
  });

  it('mesh-obj: one OBJ per tracked frame (read by three.js OBJLoader, jaw open at frame 3); mesh-gltf every 2nd frame passes the Khronos validator', async () => {
    const job = await runExport({ avatarId: baked, format: 'mesh-obj' });
    const dir = abs(job.result.path);
    const names = fs.readdirSync(dir).sort();
    expect(names).toEqual([0, 1, 2, 3, 4, 5].map((i) => `frame-00000${i}.obj`));
    const load = (n: string) => {
      const obj = new OBJLoader().parse(fs.readFileSync(path.join(dir, n), 'utf8'));
      return (obj.children[0] as unknown as { geometry: { getAttribute(n: string): { array: ArrayLike<number>; count: number } } }).geometry;
    };
    const g0 = load(names[0]!), g3 = load(names[3]!);
    expect(g3.getAttribute('uv').count).toBe(g3.getAttribute('position').count);
    let moved = 0;
    for (let i = 0; i < g0.getAttribute('position').array.length; i++) moved = Math.max(moved, Math.abs(g0.getAttribute('position').array[i]! - g3.getAttribute('position').array[i]!));
    expect(moved, 'the jaw opens at frame 3').toBeGreaterThan(0.003);

    const glb = await runExport({ avatarId: baked, format: 'mesh-gltf', frameStep: 2, path: path.join(out, 'seq.glb') });
    expect(glb.result.frames).toBe(3);
    const report = await validator.validateBytes(new Uint8Array(fs.readFileSync(path.join(out, 'seq.glb'))), { maxIssues: 50 });
    const bad = (report.issues.messages as { code: string; severity: number }[]).filter((m) => m.severity <= 1);
    expect(bad, JSON.stringify(bad)).toEqual([]);
    expect(report.info.animationCount).toBe(1);
    // Re-export in one click: same format, frame step and file.
    const rec = (await call<ExportRecord[]>('exports.list', { projectId })).find((e) => e.format === 'mesh-gltf')!;
    expect(rec.settings).toMatchObject({ frames: 3, frameStep: 2 });
    const before = fs.readFileSync(path.join(out, 'seq.glb'));
    fs.rmSync(path.join(out, 'seq.glb'));
    const again = await waitForJob(host, (await call<Job>('exports.repeat', { id: rec.id })).id);
    expect(again.status).toBe('completed');
    expect(fs.readFileSync(path.join(out, 'seq.glb')).equals(before)).toBe(true);
    await expect(call('exports.create', { avatarId: baked, format: 'mesh-obj', path: path.join(out, 'seq.glb') })).rejects.toThrow(/is a file; a mesh-obj export writes a folder/);
  });

  it('a folder export into a read-only or full location: clear message, no partial folder (private mount namespace)', async () => {
    const probe = spawnSync('unshare', ['-rm', 'true']);
    expect(probe.status, 'unshare (util-linux) is needed to mount a read-only / tiny tmpfs').toBe(0);
    const script = path.join(REPO_ROOT, 'src/main/services/export/folder-refusal-scenario.ts');
    // Two small writes, printed at the end: STALL_MS (not a speed budget) ends a hang.
    const r = await spawnWhileAdvancing(['unshare', '-rm', process.execPath, '--import', 'tsx', script, out], { what: 'the folder refusal scenario' });
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(seen.readOnly.code).toBe('LIBRARY_READ_ONLY');
    expect(seen.readOnly.message).toMatch(/is read-only: the export was not written/);
    expect(seen.readOnly.left).toEqual([]);
    expect(seen.full.code).toBe('DISK_FULL');
    expect(seen.full.message).toMatch(/is full: the export was not written \(no partial file is left\)/);
    expect(seen.full.left).toEqual(['filler.bin']);
  });

  it('CLI: export --format bundle --out FILE, then import-avatar FILE --project P', async () => {
    await host.close();
    hostClosed = true;
    const lib = host.services.library.dir;
    const file = path.join(out, 'cli', 'head.avatar');
    const ex = await runCliWhileAdvancing(['--library', lib, '--json', 'export', baked, '--format', 'bundle', '--out', file], {}, { watch: () => folderState(lib) });
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.json.export).toMatchObject({ path: file, size: fs.statSync(file).size });
    const im = await runCliWhileAdvancing(['--library', lib, '--json', 'import-avatar', file, '--project', otherProject, '--name', 'From CLI'], {}, { watch: () => folderState(lib) });
    expect(im.code, im.stderr).toBe(0);
    expect(im.json.avatar).toMatchObject({ name: 'From CLI', projectId: otherProject, version: 3 });
  });
});
