import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import { readBakedMaps } from '@engine/avatar/bake/baked-maps-file';
import type { AvatarWithFiles } from '@shared/model/avatar-files';
import type { BakeSummary } from '@shared/model/bake';
import type { Job } from '@shared/model/job';
import { JOB_TEST_TIMEOUT, waitForJob, waitForJobState } from '../../testing/job-wait';
import { folderState, runCli, spawnWhileAdvancing } from '../../testing/run-cli';
import { useTestHost } from '../../testing/test-host';
import { newId } from '../library/ids';
import { stageFractions } from './bake-avatar.worker';
import { bakeDir, bakePartialDir, BAKE_FILES } from './bake-paths';
import { craftBakeableAvatar } from './test-bake-avatar';

const t = useTestHost('bake-lib-', 'Bake');
let avatarId: string;
let root: string;
const abs = (rel: string) => path.join(root, ...rel.split('/'));
const hashes = () => Object.fromEntries(Object.values(BAKE_FILES).map((f) => [f, fs.readFileSync(path.join(root, bakeDir(avatarId), f)).toString('base64')]));

beforeAll(async () => {
  const media = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'bake-media-'));
  ({ avatarId } = await craftBakeableAvatar(t.host, t.projectId, media));
  root = t.host.services.projects.folderOf(t.projectId);
}, JOB_TEST_TIMEOUT); // in-process crafting, as slow as the machine's load makes it

/** Waits, while the job advances (no fixed deadline: testing/job-wait.ts), until `until` holds. */
const waitFor = (id: string, until: (j: Job) => boolean, what: string) => waitForJobState(t.host, id, (j) => until(j as unknown as Job), what);

describe('avatar.bake', () => {
  it('bakes into avatars/<id>/bake/: maps.bin, baked avatar, PNGs, report; avatars.get lists them; bake.report reads them', async () => {
    expect(((await t.call('avatars.get', { id: avatarId })) as AvatarWithFiles).files.bake).toBeNull();
    await expect(t.call('bake.report', { avatarId })).rejects.toThrow(/not been baked yet/);
    const job = await t.run('bake.start', { avatarId, mapSize: 256, steps: 3, levels: 2 });
    expect(job.status, job.error?.message).toBe('completed');
    const report = job.result as BakeSummary;
    expect(report).toMatchObject({ avatarId, mapSize: 256, levels: 2, steps: 3, views: 5 });
    expect(report.heldOut?.frames).toBe(1);
    expect(Number.isFinite(report.heldOut!.dropDb)).toBe(true);
    expect(report.lossFirst).toBeGreaterThan(0);
    expect(await t.call('bake.report', { avatarId })).toEqual(report);

    const files = ((await t.call('avatars.get', { id: avatarId })) as AvatarWithFiles).files.bake!;
    expect(files).toEqual({ maps: `avatars/${avatarId}/bake/maps.bin`, bakedAvatar: `avatars/${avatarId}/bake/baked-avatar.bin`, colour: `avatars/${avatarId}/bake/colour.png`, opacity: `avatars/${avatarId}/bake/opacity.png`, visibility: `avatars/${avatarId}/bake/visibility.png`, report: `avatars/${avatarId}/bake/report.json` });
    expect(fs.existsSync(abs(bakePartialDir(avatarId)))).toBe(false);
    const maps = readBakedMaps(new Uint8Array(fs.readFileSync(abs(files.maps))));
    expect(maps).toMatchObject({ mapSize: 256, levels: 2, steps: 3 });
    expect(maps.visibility.some((v) => v === 2)).toBe(true);
    expect(maps.maps.every(Number.isFinite)).toBe(true);
    const baked = parseAvatarBin(new Uint8Array(fs.readFileSync(abs(files.bakedAvatar))));
    const trained = parseAvatarBin(new Uint8Array(fs.readFileSync(abs(`avatars/${avatarId}/avatar.bin`))));
    expect(baked.count).toBe(trained.count);
    expect(baked.shDegree).toBe(0);
    expect(baked.triangle).toEqual(trained.triangle);
    for (const f of [files.colour, files.opacity, files.visibility]) {
      const png = PNG.sync.read(fs.readFileSync(abs(f)));
      expect([png.width, png.height]).toEqual([256, 256]);
    }
    // The visibility PNG says what maps.bin says.
    const vis = PNG.sync.read(fs.readFileSync(abs(files.visibility)));
    for (let p = 0; p < 256 * 256; p += 97) expect(vis.data[p * 4]).toBe([0, 128, 255][maps.visibility[p]!]);
  }, JOB_TEST_TIMEOUT);

  it('a second bake of the same avatar is refused while one runs; a cancelled re-bake leaves the previous bake as it was and no partial folder', async () => {
    const before = hashes();
    const started = (await t.call('bake.start', { avatarId, mapSize: 256, steps: 5000 })) as Job;
    await expect(t.call('bake.start', { avatarId })).rejects.toThrow(/already being baked/);
    await waitFor(started.id, (j) => j.status !== 'queued' && j.progress.stage.startsWith('Fitting the maps ('), 'waiting for the fitting stage');
    expect(fs.existsSync(abs(bakePartialDir(avatarId)))).toBe(false); // files are written only at the end
    await t.call('jobs.cancel', { id: started.id });
    const done = await waitForJob(t.host, started.id);
    expect(done.status).toBe('cancelled');
    expect(fs.existsSync(abs(bakePartialDir(avatarId)))).toBe(false);
    expect(hashes()).toEqual(before);
  }, JOB_TEST_TIMEOUT);

  it('refuses an unknown avatar, an avatar still training, one without a capture, and bad settings, with a message', async () => {
    await expect(t.call('bake.start', { avatarId: 'f'.repeat(32) })).rejects.toThrow(/No avatar|not found|no longer exists/i);
    const training = t.host.services.jobs.insert({ id: newId(), kind: 'avatar.train', title: 'Train', projectId: t.projectId, params: { avatarId }, progress: { fraction: 0, stage: 'Waiting', etaSeconds: null } });
    try {
      await expect(t.call('bake.start', { avatarId })).rejects.toThrow(/still training; bake it once training has finished/);
    } finally {
      t.host.services.jobs.update(training.id, { status: 'cancelled' });
    }
    await expect(t.call('bake.start', { avatarId, mapSize: 300 })).rejects.toThrow(/mapSize/);
    await expect(t.call('bake.start', { avatarId, steps: -1 })).rejects.toThrow(/steps/);
    const db = t.host.services.library.db;
    const meta = db.prepare('SELECT meta FROM avatars WHERE id = ?').pluck().get(avatarId) as string;
    db.prepare('UPDATE avatars SET meta = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(meta), captureId: null }), avatarId);
    try {
      await expect(t.call('bake.start', { avatarId })).rejects.toThrow(/has no capture any more/);
    } finally {
      db.prepare('UPDATE avatars SET meta = ? WHERE id = ?').run(meta, avatarId);
    }
  });
});

describe('avatar-studio bake', () => {
  it('refuses a bad map size before starting, and names a missing avatar', () => {
    const lib = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'bake-cli-'));
    try {
      const bad = runCli(['--library', lib, 'bake', 'f'.repeat(32), '--map-size', '300']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--map-size must be one of 256, 512, 1024/);
      const missing = runCli(['--library', lib, '--json', 'bake', 'f'.repeat(32), '--steps', '10']);
      expect(missing.code, missing.stderr).toBe(3);
    } finally {
      fs.rmSync(lib, { recursive: true, force: true });
    }
  }, JOB_TEST_TIMEOUT); // two CLI runs, each starting Node and tsx: as slow as the machine's load makes them
});

describe('bake progress', () => {
  it('splits the fraction over the stages by their cost, in order', () => {
    const f = stageFractions(48, 300, 24);
    expect(f.load).toBe(0);
    const order = [f.load, f.observe, f.targets, f.fit, f.evaluate, f.write];
    for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThan(order[i - 1]!);
    expect(f.write).toBeLessThan(1);
    expect(f.evaluate - f.fit).toBeGreaterThan(0.6); // 300 steps dominate
    expect(stageFractions(48, 0, 0).evaluate).toBe(stageFractions(48, 0, 0).fit);
  });
});

describe('avatar.bake on a full disk', () => {
  it('fails with DISK_FULL, removes its partial folder and keeps the previous bake', async () => {
    const probe = spawnSync('unshare', ['-rm', 'true']);
    expect(probe.status, 'unshare (util-linux) is needed to make a small disk as root').toBe(0);
    const tmp = process.env.TMPDIR ?? '/tmp';
    const [lib, media] = [fs.mkdtempSync(path.join(tmp, 'bake-full-lib-')), fs.mkdtempSync(path.join(tmp, 'bake-full-media-'))];
    try {
      const script = fileURLToPath(new URL('./disk-full-scenario.ts', import.meta.url));
      // The scenario prints only at the end; its library's database and journal change as its jobs report progress.
      const r = await spawnWhileAdvancing(['unshare', '-rm', process.execPath, '--import', 'tsx', script, lib, media], { watch: () => folderState(lib), what: 'the bake disk-full scenario' });
      const last = r.stdout.trim().split('\n').at(-1) ?? '';
      expect(last.startsWith('{'), `${r.stdout}\n${r.stderr}`).toBe(true);
      const out = JSON.parse(last);
      expect(out.first).toBe('completed');
      expect(out.status).toBe('failed');
      expect(out.error.code).toBe('DISK_FULL');
      expect(out.error.message).toMatch(/disk is full while writing maps\.bin/);
      expect(out.partialLeft).toBe(false);
      expect(out.previousKept).toBe(true);
    } finally {
      for (const d of [lib, media]) fs.rmSync(d, { recursive: true, force: true });
    }
  }, JOB_TEST_TIMEOUT);
});
