import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLYLoader } from 'three/examples/jsm/loaders/PLYLoader.js';
// @ts-expect-error gltf-validator ships no types
import * as validator from 'gltf-validator';
import { gunzipSync } from 'fflate';
import type { BoundGaussianData } from '@engine/avatar/binding/bound-gaussians';
import type { Job } from '@shared/model/job';
import type { ExportRecord } from '@shared/model/export';
import { StudioHost } from '../../host/studio-host';
import { JOB_TEST_TIMEOUT, waitForJob } from '../../testing/job-wait';
import { folderState, readOnlyMountWrapper, REPO_ROOT, runCli, runCliWhileAdvancing, spawnWhileAdvancing } from '../../testing/run-cli';
import { openHeadFor, type StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';
import { craftTrackedCapture } from '../training/test-capture';
import { captureTrackingDir } from '../training/training-types';
import { craftAvatar } from './test-avatar';

let host: StudioHost;
let projectId: string;
let media: string;
let out: string;
let avatar: { avatarId: string; data: BoundGaussianData };
let root: string;
let fitPath: string;

async function call<T>(method: string, params: unknown): Promise<T> {
  const r = await host.dispatch(method, params);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.result as T;
}
async function runExport(params: unknown, method = 'exports.create'): Promise<Job> {
  const job = await call<Job>(method, params);
  return waitForJob(host, job.id);
}

beforeAll(async () => {
  const tmp = process.env.TMPDIR ?? '/tmp';
  host = StudioHost.open({ libraryDir: fs.mkdtempSync(path.join(tmp, 'export-lib-')), frontDoor: 'cli' });
  projectId = host.services.projects.create('Export').id;
  media = fs.mkdtempSync(path.join(tmp, 'export-media-'));
  out = fs.mkdtempSync(path.join(tmp, 'export-out-'));
  const capture = await craftTrackedCapture(host, projectId, media, { frames: 6 });
  root = host.services.projects.folderOf(projectId);
  // Frame 3 opens the jaw, so a frame export differs from the neutral head.
  const camDir = path.join(root, captureTrackingDir(capture.id), capture.cameras[0]!.id.split(':').at(-1)!);
  fitPath = path.join(camDir, 'fit.json');
  const fit = JSON.parse(fs.readFileSync(fitPath, 'utf8'));
  fit.frames.find((f: { idx: number }) => f.idx === 3).jaw = [0.3, 0, 0];
  fs.writeFileSync(fitPath, JSON.stringify(fit));
  avatar = craftAvatar(host, projectId, capture.id);
}, JOB_TEST_TIMEOUT); // in-process crafting, as slow as the machine's load makes it
let hostClosed = false;
afterAll(async () => {
  if (!hostClosed) await host.close();
  for (const d of [host.services.library.dir, media, out]) fs.rmSync(d, { recursive: true, force: true });
});

describe('exports', () => {
  it('ply at a tracked frame: a job writes exports/…ply, read back by three.js PLYLoader; means on the posed mesh; recorded with its settings', async () => {
    const job = await runExport({ avatarId: avatar.avatarId, format: 'ply', frame: 3 });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const r = job.result as { exportId: string; path: string; size: number; gaussians: number; dropped: number };
    expect(r.path).toMatch(/^exports\/crafted-avatar-v1-frame3\.ply$/);
    const bytes = fs.readFileSync(path.join(root, r.path));
    expect(bytes.length).toBe(r.size);
    expect(r.gaussians + r.dropped).toBe(avatar.data.count);
    expect(r.dropped).toBe(0);
    const loader = new PLYLoader();
    loader.setCustomPropertyNameMapping({ fdc: ['f_dc_0', 'f_dc_1', 'f_dc_2'], opacity: ['opacity'], rot: ['rot_0', 'rot_1', 'rot_2', 'rot_3'] });
    const geo = loader.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const pos = geo.getAttribute('position').array;
    expect(geo.getAttribute('position').count).toBe(avatar.data.count);
    // Independent of the export code: posed vertices with the jaw open, μ = Σ b·v + d·n̂.
    const space = JSON.parse(fs.readFileSync(path.join(root, 'captures', fs.readdirSync(path.join(root, 'captures'))[0]!, 'tracking', 'expression-space.json'), 'utf8')) as StoredExpressionSpace;
    const model = openHeadFor(space);
    const joints = new Float64Array(15);
    joints[6] = 0.3;
    const v = model.evaluate({ jointRotations: joints });
    const d = avatar.data;
    let moved = 0;
    const neutral = model.evaluate({});
    for (let i = 0; i < d.count; i += 97) {
      const t = d.triangle[i];
      const [a, b, c] = [0, 1, 2].map((k) => model.triangles[t * 3 + k]).map((k) => [v[k * 3], v[k * 3 + 1], v[k * 3 + 2]]);
      const e0 = a.map((_, k) => b[k] - a[k]), e1 = a.map((_, k) => c[k] - a[k]);
      const n = [e0[1] * e1[2] - e0[2] * e1[1], e0[2] * e1[0] - e0[0] * e1[2], e0[0] * e1[1] - e0[1] * e1[0]];
      const nl = Math.hypot(...n);
      const b0 = d.barycentric[i * 2], b1 = d.barycentric[i * 2 + 1];
      for (let k = 0; k < 3; k++) expect(pos[i * 3 + k]).toBeCloseTo(b0 * a[k] + b1 * b[k] + (1 - b0 - b1) * c[k] + d.offset[i] * (n[k] / nl), 5);
      expect(geo.getAttribute('opacity').array[i]).toBe(d.opacities[i]);
      expect(geo.getAttribute('fdc').array[i * 3 + 1]).toBe(d.sh[i * 3 + 1]);
      const q = Array.from(geo.getAttribute('rot').array.slice(i * 4, i * 4 + 4));
      expect(Math.hypot(...q)).toBeCloseTo(1, 5);
      if (Math.abs(neutral[model.triangles[t * 3] * 3 + 1] - v[model.triangles[t * 3] * 3 + 1]) > 1e-4) moved++;
    }
    expect(moved, 'some sampled Gaussians sit on the opened jaw').toBeGreaterThan(0);

    const list = await call<ExportRecord[]>('exports.list', { projectId });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: r.exportId, avatarId: avatar.avatarId, format: 'ply', path: r.path, size: r.size, settings: { frame: 3, expression: null, gaussians: r.gaussians } });
  }, JOB_TEST_TIMEOUT);

  it('glTF (neutral, to a chosen path) passes the Khronos validator apart from the extension’s own notices; re-export in one call', async () => {
    const target = path.join(out, 'sub', 'head.glb');
    const job = await runExport({ avatarId: avatar.avatarId, format: 'gltf', path: target, expression: [] });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const glb = new Uint8Array(fs.readFileSync(target));
    const report = await validator.validateBytes(glb, { maxIssues: 50 });
    const issues = report.issues.messages as { code: string; severity: number; pointer?: string }[];
    const foreign = issues.filter((m) => m.severity <= 1 && m.code !== 'UNSUPPORTED_EXTENSION' && !(m.code === 'MESH_PRIMITIVE_INVALID_ATTRIBUTE' && /\/attributes\/KHR_gaussian_splatting:/.test(m.pointer ?? '')));
    expect(foreign, JSON.stringify(foreign)).toEqual([]);
    expect(report.info.extensionsUsed ?? ['KHR_gaussian_splatting']).toContain('KHR_gaussian_splatting');
    const rec = (await call<ExportRecord[]>('exports.list', { projectId })).find((e) => e.format === 'gltf')!;
    expect(rec.path).toBe(target);
    fs.rmSync(target);
    const again = await runExport({ id: rec.id }, 'exports.repeat');
    expect(again.status).toBe('completed');
    expect(fs.readFileSync(target).equals(Buffer.from(glb))).toBe(true);
    expect(await call<ExportRecord[]>('exports.list', { projectId })).toHaveLength(3);
  }, JOB_TEST_TIMEOUT);

  it('.spz (neutral, default name): gzip of the NGSP header with the posed Gaussian count, far smaller than the .ply', async () => {
    const job = await runExport({ avatarId: avatar.avatarId, format: 'spz' });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const r = job.result as { path: string; size: number; gaussians: number };
    expect(path.basename(r.path)).toMatch(/-neutral\.spz$/);
    const raw = gunzipSync(new Uint8Array(fs.readFileSync(path.join(root, r.path))));
    const view = new DataView(raw.buffer, raw.byteOffset);
    expect([view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true)]).toEqual([0x5053474e, 2, r.gaussians]);
    const ply = (await call<ExportRecord[]>('exports.list', { projectId })).find((e) => e.format === 'ply')!;
    expect(r.size).toBeLessThan(ply.size! / 3);
  }, JOB_TEST_TIMEOUT);

  it('refuses bad requests with clear messages', async () => {
    await expect(call('exports.create', { avatarId: avatar.avatarId, format: 'ply', video: { sequence: 'turntable' } })).rejects.toThrow(/Video settings apply to mp4 and png-sequence/);
    await expect(call('exports.create', { avatarId: avatar.avatarId, format: 'ply', frame: 99 })).rejects.toThrow(/Frame 99 has no tracked fit \(tracked frames: 0–5\)/);
    await expect(call('exports.create', { avatarId: avatar.avatarId, format: 'ply', path: 'relative.ply' })).rejects.toThrow(/must be absolute/);
    await expect(call('exports.create', { avatarId: 'nope', format: 'ply' })).rejects.toThrow(/no longer exists/);
  });

  it('a read-only or full target: clear message, no partial file (private mount namespace)', async () => {
    const probe = spawnSync('unshare', ['-rm', 'true']);
    expect(probe.status, 'unshare (util-linux) is needed to mount a read-only / tiny tmpfs').toBe(0);
    const script = path.join(REPO_ROOT, 'src/main/services/export/write-refusal-scenario.ts');
    // Two small writes, printed at the end: STALL_MS (not a speed budget) ends a hang.
    const r = await spawnWhileAdvancing(['unshare', '-rm', process.execPath, '--import', 'tsx', script, out], { what: 'the write-refusal scenario' });
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(seen.readOnly.code).toBe('LIBRARY_READ_ONLY');
    expect(seen.readOnly.message).toMatch(/is read-only: the export was not written\. Choose another location/);
    expect(seen.readOnly.left).toEqual([]);
    expect(seen.full.code).toBe('DISK_FULL');
    expect(seen.full.message).toMatch(/is full: the export was not written \(no partial file is left\)/);
    expect(seen.full.left).toEqual(['filler.bin']);
  }, JOB_TEST_TIMEOUT);

  it('CLI: avatar-studio export AVATAR --format ply --frame N --out FILE; an odd video size refused; a read-only --out refused, nothing left', async () => {
    await host.close();
    hostClosed = true;
    const lib = host.services.library.dir;
    const file = path.join(out, 'cli', 'frame3.ply');
    const ok = await runCliWhileAdvancing(['--library', lib, '--json', 'export', avatar.avatarId, '--format', 'ply', '--frame', '3', '--out', file], {}, { watch: () => folderState(lib) });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json.export).toMatchObject({ path: file, gaussians: avatar.data.count });
    expect(fs.statSync(file).size).toBe(ok.json.export.size);
    const listed = runCli(['--library', lib, '--json', 'exports', 'list', projectId]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.json.exports[0]).toMatchObject({ path: file, format: 'ply', settings: { frame: 3 } });
    const mp4 = runCli(['--library', lib, '--json', 'export', avatar.avatarId, '--format', 'mp4', '--size', '15']);
    expect(mp4.code).not.toBe(0);
    expect(mp4.json.error.message).toMatch(/--size must be an even number/);
    const roDir = path.join(out, 'cli-ro');
    fs.mkdirSync(roDir);
    const wrap = readOnlyMountWrapper(roDir);
    expect(wrap, 'unshare is needed for a read-only mount').not.toBeNull();
    const ro = runCli(['--library', lib, '--json', 'export', avatar.avatarId, '--format', 'gltf', '--out', path.join(roDir, 'x.glb')], {}, wrap!);
    expect(ro.code).not.toBe(0);
    expect(ro.json.error.message).toMatch(/is read-only: the export was not written/);
    expect(fs.readdirSync(roDir)).toEqual([]);
  }, JOB_TEST_TIMEOUT); // four CLI processes: ≈ 11 s idle, 70 s at load 24
});
