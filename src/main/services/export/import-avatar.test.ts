/**
 * `avatars.import` against bundles from strangers: crafted names, malformed manifests, files that are not files, and a
 * library that cannot be written. Each case must end in a typed error (or a clean import) and leave the library and
 * the disk outside it exactly as they were.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAvatarBundle } from '@engine/export/avatar-bundle';
import { fixtureBundleInput, rewriteBundle } from '@engine/export/avatar-bundle-fixture';
import { Avatar } from '@shared/model/avatar';
import { StudioHost } from '../../host/studio-host';

let host: StudioHost;
let projectId: string;
let lib: string, work: string;

async function call<T>(h: StudioHost, method: string, params: unknown): Promise<T> {
  const r = await h.dispatch(method, params);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.result as T;
}

/** Every path under a folder (files and folders), for before/after comparisons. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      out.push(path.relative(dir, p));
      if (e.isDirectory()) walk(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

const valid = () => writeAvatarBundle(fixtureBundleInput({ bake: true, gaussians: 50 }));
function bundleFile(name: string, bytes: Uint8Array): string {
  const f = path.join(work, name);
  fs.writeFileSync(f, bytes);
  return f;
}

/** Imports `file` expecting a typed refusal; the project folder, the avatars table and `work` are unchanged after it. */
async function expectRefused(file: string, code: string, message: RegExp): Promise<void> {
  const before = { project: tree(host.services.projects.folderOf(projectId)), work: tree(work), avatars: host.services.avatars.list(projectId).length };
  const err = await call(host, 'avatars.import', { projectId, path: file }).then(
    () => null,
    (e: Error & { code: string }) => e,
  );
  expect(err, `${path.basename(file)} should be refused`).not.toBeNull();
  expect(err!.code).toBe(code);
  expect(err!.message).toMatch(message);
  expect(tree(host.services.projects.folderOf(projectId))).toEqual(before.project);
  expect(tree(work)).toEqual(before.work);
  expect(host.services.avatars.list(projectId).length).toBe(before.avatars);
}

beforeAll(() => {
  const tmp = process.env.TMPDIR ?? '/tmp';
  lib = fs.mkdtempSync(path.join(tmp, 'import-avatar-lib-'));
  work = fs.mkdtempSync(path.join(tmp, 'import-avatar-work-'));
  host = StudioHost.open({ libraryDir: lib, frontDoor: 'cli' });
  projectId = host.services.projects.create('Imports').id;
});
afterAll(async () => {
  await host.close();
  fs.rmSync(lib, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

describe('avatars.import of bundles from strangers', () => {
  it('refuses bake file names that climb out of the avatar folder; nothing is written anywhere', async () => {
    const victim = path.join(work, 'victim.txt');
    for (const evil of ['bake/../../../../victim.txt', '../../../victim.txt', `/${victim.slice(1)}`, 'bake/colour.png/../../../x']) {
      const crafted = rewriteBundle(valid(), ({ manifest, sections }) => {
        sections.push({ name: evil, bytes: new TextEncoder().encode('overwritten') });
        manifest.bake.files.push(evil);
      });
      await expectRefused(bundleFile('crafted.avatar', crafted), 'BAD_REQUEST', /crafted\.avatar cannot be imported: The bundle manifest is malformed/);
      fs.rmSync(path.join(work, 'crafted.avatar'));
      expect(fs.existsSync(victim)).toBe(false);
    }
  });

  it('refuses a bake that lists a known file name under a section of its own choosing, or twice', async () => {
    const twice = rewriteBundle(valid(), ({ manifest }) => manifest.bake.files.push('bake/maps.bin'));
    await expectRefused(bundleFile('twice.avatar', twice), 'BAD_REQUEST', /bake\.files lists bake\/maps\.bin twice/);
    const renamed = rewriteBundle(valid(), ({ manifest }) => (manifest.gaussians.section = 'bake/colour.png'));
    await expectRefused(bundleFile('renamed.avatar', renamed), 'BAD_REQUEST', /gaussians\.section must be "avatar\.bin"/);
  });

  it('refuses malformed manifests with a typed error, never a TypeError, and leaves no avatar folder', async () => {
    const cases: [string, (m: Record<string, any>) => void, RegExp][] = [
      ['files-negative', (m) => (m.bake.files = -1), /bake\.files is -1, not a list/],
      ['files-numbers', (m) => (m.bake.files = [1, 2]), /bake\.files lists 1/],
      ['no-metadata', (m) => delete m.metadata, /metadata\.name is missing/],
      ['source-number', (m) => (m.metadata.source = 5), /metadata\.source is not an object/],
      ['head-null', (m) => (m.head = null), /head is missing/],
      ['head-unknown', (m) => (m.head.kind = 'smpl'), /head model "smpl" is not known/],
      ['motion-string', (m) => (m.motion = 'motion.json'), /motion is not an object/],
      ['meta-elsewhere', (m) => (m.meta = 'avatar.bin'), /meta must be "meta\.json"/],
    ];
    for (const [name, edit, message] of cases) {
      const crafted = rewriteBundle(valid(), ({ manifest }) => edit(manifest));
      await expectRefused(bundleFile(`${name}.avatar`, crafted), 'BAD_REQUEST', message);
    }
    const laidOut: [string, (m: Record<string, any>) => void, RegExp][] = [
      ['sections-object', (m) => (m.sections = {}), /lists no sections/],
      ['section-offset-string', (m) => (m.sections[0].offset = '0'), /section avatar\.bin has a bad offset/],
      ['section-name-object', (m) => (m.sections[0].name = { toString: 1 }), /a section is named \{"toString":1\}/],
      ['section-past-end', (m) => (m.sections[0].length = 2 ** 40), /truncated: section avatar\.bin needs bytes/],
      ['sections-many', (m) => (m.sections = Array.from({ length: 100000 }, (_, i) => ({ name: `s${i}`, offset: 0, length: 0, crc32: 0 }))), /lists 100000 sections \(at most 64\)/],
    ];
    for (const [name, edit, message] of laidOut) {
      const crafted = rewriteBundle(valid(), () => undefined, edit);
      await expectRefused(bundleFile(`${name}.avatar`, crafted), 'BAD_REQUEST', message);
    }
  });

  it('refuses a meta.json that is not a JSON object (the avatar could not be exported again)', async () => {
    for (const [name, text] of [['meta-garbage', '{not json'], ['meta-array', '[1,2,3]']] as const) {
      const crafted = rewriteBundle(valid(), ({ sections }) => {
        sections.find((s) => s.name === 'meta.json')!.bytes = new TextEncoder().encode(text);
      });
      await expectRefused(bundleFile(`${name}.avatar`, crafted), 'BAD_REQUEST', /meta\.json is not/);
    }
  });

  it('imports a bundle whose provenance has wrong types by dropping them: the avatar lists and validates', async () => {
    const crafted = rewriteBundle(valid(), ({ manifest }) => {
      manifest.metadata.name = '\u202eevil\u0000 name that is very long '.repeat(10);
      manifest.metadata.source = { preset: 'turbo', metrics: { psnr: 'high', ssim: 1 }, steps: -3 };
    });
    const avatar = await call<Avatar>(host, 'avatars.import', { projectId, path: bundleFile('odd.avatar', crafted) });
    expect(Avatar.parse(avatar)).toMatchObject({ preset: null, metrics: null, steps: null, gaussians: 50 });
    expect(avatar.name.length).toBeLessThanOrEqual(120);
    expect(avatar.name).not.toMatch(/[\u0000\u202e]/);
    for (const a of await call<Avatar[]>(host, 'avatars.list', { projectId })) Avatar.parse(a);
    const exported = await host.jobs.waitFor((await call<{ id: string }>(host, 'exports.create', { avatarId: avatar.id, format: 'bundle', path: path.join(work, 'again.avatar') })).id);
    expect(exported.status, JSON.stringify(exported.error)).toBe('completed');
    fs.rmSync(path.join(work, 'again.avatar'), { force: true });
  });

  it('refuses what is not a regular file, or is over the size cap, without reading it', async () => {
    await expectRefused('/dev/zero', 'BAD_REQUEST', /The avatar bundle \/dev\/zero is not a regular file/);
    await expectRefused(work, 'BAD_REQUEST', /is a folder, not a file/);
    const huge = path.join(work, 'huge.avatar');
    fs.writeFileSync(huge, '');
    fs.truncateSync(huge, 1024 ** 3 + 1); // sparse
    await expectRefused(huge, 'BAD_REQUEST', /huge\.avatar is 1073741825 bytes, over the 1073741824-byte limit/);
    fs.rmSync(huge);
    await expectRefused(path.join(work, 'missing.avatar'), 'NOT_FOUND', /missing\.avatar does not exist/);
  });

  it('into a read-only library: LIBRARY_READ_ONLY before anything is read or written', async () => {
    // A second studio on the same library gets a read-only view (the first holds the lock).
    const second = StudioHost.open({ libraryDir: lib, frontDoor: 'cli' });
    try {
      expect(second.services.library.readOnly).toBe(true);
      const crafted = rewriteBundle(valid(), ({ manifest, sections }) => {
        sections.push({ name: '../../../../victim.txt', bytes: new Uint8Array(1) });
        manifest.bake.files.push('../../../../victim.txt');
      });
      const before = tree(lib);
      const r = await second.dispatch('avatars.import', { projectId, path: bundleFile('ro.avatar', crafted) });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error.code).toBe('LIBRARY_READ_ONLY');
      expect(tree(lib)).toEqual(before);
    } finally {
      await second.close();
    }
  });
});
