/**
 * Avatar bundles (native/engine/export/avatar-bundle.ts `readAvatarBundle`, docs/avatar-bundle.md) and their import
 * (src/main/services/export/import-avatar.ts `importAvatar`, on a temporary library). Seeds come from the engine's
 * bundle fixture (avatar-bundle-fixture.ts). Mutations: bytes of the whole file (header fields aimed at); the
 * manifest as JSON (absurd offsets, lengths, counts, wrong types such as `bake.files: -1`, deleted fields); bytes
 * and JSON values of one section with the sections laid out again and every CRC recomputed (so the mutation reaches
 * the parsers behind the CRC check); and hostile section names (`../../x`, `/abs`, `bake/../../x`, very long,
 * duplicated, not strings) wired into the manifest's references and `bake.files`, CRCs valid.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AvatarBundleError, readAvatarBundle, writeAvatarBundle, type AvatarBundle } from '../../../native/engine/export/avatar-bundle';
import { fixtureBundleInput } from '../../../native/engine/export/avatar-bundle-fixture';
import { crc32 } from '../../../native/engine/export/crc32';
import { StudioHost } from '../../../src/main/host/studio-host';
import { importAvatar } from '../../../src/main/services/export/import-avatar';
import { byteMutators, mutateTree, RawJson, stringifyWithRaw, typedBy, type Mutator } from '../../../src/main/testing/fuzz';
import { le32, type FuzzTarget } from './common';

const pad8 = (n: number) => Math.ceil(n / 8) * 8;

interface Section { name: unknown; bytes: Uint8Array; entry: Record<string, unknown> }
interface Parsed { version: number; manifest: Record<string, unknown>; sections: Section[]; data: Uint8Array }

/** Splits a bundle into header version, manifest and sections (as far as it can be split; null when it cannot). */
export function splitBundle(b: Uint8Array): Parsed | null {
  if (b.length < 16) return null;
  const L = le32(b, 12);
  if (16 + L > b.length) return null;
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder().decode(b.subarray(16, 16 + L)));
  } catch {
    return null;
  }
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) return null;
  const m = manifest as Record<string, unknown>;
  const data = b.subarray(pad8(16 + L));
  const sections: Section[] = [];
  for (const e of Array.isArray(m.sections) ? (m.sections as unknown[]) : []) {
    if (!e || typeof e !== 'object') continue;
    const s = e as Record<string, unknown>;
    const off = Number(s.offset), len = Number(s.length);
    const ok = Number.isSafeInteger(off) && Number.isSafeInteger(len) && off >= 0 && len >= 0 && off + len <= data.length;
    sections.push({ name: s.name, bytes: ok ? data.subarray(off, off + len) : new Uint8Array(0), entry: s });
  }
  return { version: le32(b, 8), manifest: m, sections, data };
}

/** Header + manifest + the given data (sections not laid out again). */
function joinBundle(version: number, manifest: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(stringifyWithRaw(manifest));
  const start = pad8(16 + json.length);
  const out = new Uint8Array(start + data.length);
  out.set(new TextEncoder().encode('AVBUNDLE'));
  const dv = new DataView(out.buffer);
  dv.setUint32(8, version, true);
  dv.setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(data, start);
  return out;
}

/** Lays the sections out again (aligned, in order) with fresh offsets, lengths and CRCs, and joins the bundle. */
function relayout(p: Parsed, sections: Section[]): Uint8Array {
  let size = 0;
  for (const s of sections) size += pad8(s.bytes.length);
  const data = new Uint8Array(size);
  let off = 0;
  const entries = sections.map((s) => {
    data.set(s.bytes, off);
    const e = { ...s.entry, name: s.name, offset: off, length: s.bytes.length, crc32: crc32(s.bytes) };
    off += pad8(s.bytes.length);
    return e;
  });
  return joinBundle(p.version, { ...p.manifest, sections: entries }, data);
}

const bytesOf = byteMutators();

/** Names a hostile bundle would give its sections. */
const HOSTILE_NAMES: unknown[] = ['../../x', '/abs', '/tmp/x', 'bake/../../x', 'bake/../../../escape.txt', 'bake/..', 'bake/.', 'bake/', '..', '.', '', 'bake\\..\\..\\x', 'C:\\x', 'a\u0000b', `bake/${'x'.repeat(300)}`, 'x'.repeat(5000), 'avatar.bin', 'bake/maps.bin', 'bake/colour.png', 5, null, {}, ['bake/maps.bin'], true];

const bundleMutators: Mutator<Uint8Array>[] = [
  ...byteMutators({
    fields: () => [
      { offset: 8, size: 4, littleEndian: true, label: 'version' },
      { offset: 12, size: 4, littleEndian: true, label: 'manifest length' },
    ],
  }).map((m) => ({ ...m, weight: (m.weight ?? 1) * 0.25 })),
  {
    name: 'manifest',
    weight: 4,
    apply: (b, rng) => {
      const p = splitBundle(b);
      if (!p) return null;
      const m = mutateTree(p.manifest, rng, {
        targets: [
          { path: /\.sections\[\d+\]\.(offset|length)$/, values: (r, cur) => r.pick<unknown>([-1, -8, 0, 2 ** 31, 2 ** 32 - 1, 2 ** 53, 1e308, 0.5, p.data.length, p.data.length + 8, Number(cur) + 8, new RawJson('1e999'), '8', null]) },
          { path: /\.sections\[\d+\]\.crc32$/ },
          { path: /\.sections\[\d+\]\.name$/, values: (r) => r.pick(HOSTILE_NAMES) },
          { path: /\.bake\.files(\[\d+\])?$/, values: (r) => r.pick<unknown>([-1, 0, null, 'bake/maps.bin', {}, [-1], ['../../x'], ['bake/../../x'], new Array(1000).fill('bake/maps.bin')]) },
          { path: /\.(count|frames|vertexCount|expressionCount|triangleCount|shDegree|mapSize|levels|steps|firstFrame|lastFrame|fps|avatarVersion)$/ },
          { path: /\.(section|maps|mesh|expressionSpace|meta)$/, values: (r) => r.pick(HOSTILE_NAMES) },
          { path: /\.(head|gaussians|correctives|bake|motion|metadata|sections)$/ },
        ],
      });
      return { value: joinBundle(p.version, m.value, p.data), label: `manifest: ${m.label}` };
    },
  },
  {
    name: 'section-bytes',
    weight: 3,
    apply: (b, rng) => {
      const p = splitBundle(b);
      if (!p || !p.sections.length) return null;
      const i = rng.int(p.sections.length);
      const s = p.sections[i]!;
      const m = bytesOf[rng.int(bytesOf.length)]!.apply(s.bytes, rng);
      if (!m) return null;
      const sections = p.sections.slice();
      sections[i] = { ...s, bytes: m.value };
      return { value: relayout(p, sections), label: `section ${String(s.name)}: ${m.label} (CRCs recomputed)` };
    },
  },
  {
    name: 'section-json',
    weight: 2,
    apply: (b, rng) => {
      const p = splitBundle(b);
      if (!p) return null;
      const json = p.sections.map((s, i) => ({ s, i })).filter(({ s }) => typeof s.name === 'string' && s.name.endsWith('.json'));
      if (!json.length) return null;
      const { s, i } = rng.pick(json);
      let doc: unknown;
      try {
        doc = JSON.parse(new TextDecoder().decode(s.bytes));
      } catch {
        return null;
      }
      const m = mutateTree(doc, rng, { targets: [{ path: /\.frames(\[\d+\])?$/ }, { path: /\.(idx|count)$/ }, { path: /\.(mean|basis|range|expression|rotation|translation|jaw|eyes)$/ }] });
      const sections = p.sections.slice();
      sections[i] = { ...s, bytes: new TextEncoder().encode(stringifyWithRaw(m.value)) };
      return { value: relayout(p, sections), label: `${String(s.name)}: ${m.label} (CRCs recomputed)` };
    },
  },
  {
    name: 'hostile-name',
    weight: 3,
    apply: (b, rng) => {
      const p = splitBundle(b);
      if (!p || !p.sections.length) return null;
      const name = rng.pick(HOSTILE_NAMES);
      const sections = p.sections.slice();
      const manifest = { ...p.manifest };
      const bake: Record<string, unknown> = manifest.bake && typeof manifest.bake === 'object' ? { ...(manifest.bake as Record<string, unknown>) } : { maps: 'bake/maps.bin', files: [], mapSize: 8, levels: 2, steps: 10 };
      const files = Array.isArray(bake.files) ? [...(bake.files as unknown[])] : [];
      const how = rng.int(4);
      let label: string;
      if (how === 0) {
        // a new section with that name, listed among the bake's files
        sections.push({ name, bytes: new TextEncoder().encode('escaped!'), entry: { type: 'application/octet-stream' } });
        files.push(name);
        label = `add bake file ${JSON.stringify(name)?.slice(0, 40)}`;
      } else if (how === 1) {
        // rename a section and every reference to it
        const i = rng.int(sections.length);
        const old = sections[i]!.name;
        sections[i] = { ...sections[i]!, name };
        for (let k = 0; k < files.length; k++) if (files[k] === old) files[k] = name;
        const refs = manifest as Record<string, Record<string, unknown> | unknown>;
        for (const key of ['gaussians', 'correctives', 'motion'] as const) {
          const o = refs[key] as Record<string, unknown> | null;
          if (o && typeof o === 'object' && o.section === old) refs[key] = { ...o, section: name };
        }
        const head = manifest.head as Record<string, unknown> | null;
        if (head && typeof head === 'object') for (const k of ['expressionSpace', 'mesh']) if (head[k] === old) manifest.head = { ...head, [k]: name };
        if (bake.maps === old) bake.maps = name;
        if (manifest.meta === old) manifest.meta = name;
        label = `rename ${String(old)} → ${JSON.stringify(name)?.slice(0, 40)}`;
      } else if (how === 2) {
        // a duplicate of an existing section under the same name
        const s = rng.pick(sections);
        sections.push({ ...s });
        label = `duplicate section ${String(s.name)}`;
      } else {
        files.push(name, name);
        label = `bake.files += ${JSON.stringify(name)?.slice(0, 40)} twice`;
      }
      if (how !== 2) manifest.bake = { ...bake, files };
      return { value: relayout({ ...p, manifest }, sections), label: `hostile name: ${label} (CRCs recomputed)` };
    },
  },
];

/** The seed bundles: open head with a bake (no correctives, small), open head with correctives, and a FLAME one. */
export function bundleSeeds(): Uint8Array[] {
  const small = fixtureBundleInput({ gaussians: 40, frames: 3, bake: true, correctives: false });
  const tuned = fixtureBundleInput({ gaussians: 20, frames: 2, bake: false, correctives: true });
  const flame = writeAvatarBundle({
    ...small,
    head: { kind: 'flame', model: { name: 'FLAME 2020', identifier: 'generic_model.pkl', vertexCount: 5023, shapeCount: 300, expressionCount: 100 }, shape: [0.1] },
    headTuning: null,
    motion: null,
  });
  return [writeAvatarBundle(small), writeAvatarBundle(tuned), flame];
}

function checkBundle(b: AvatarBundle): void {
  const m = b.manifest;
  if (!Array.isArray(m.sections)) throw new Error('accepted a manifest without a sections list');
  for (const s of m.sections) if (typeof s.name !== 'string' || s.name.includes('..') || s.name.startsWith('/') || s.name.includes('\\') || s.name.includes('\0')) throw new Error(`accepted a hostile section name — ${JSON.stringify(s.name)?.slice(0, 80)}`);
  if (m.bake && !Array.isArray(m.bake.files)) throw new Error(`accepted a bake.files that is not a list — ${JSON.stringify(m.bake.files)?.slice(0, 80)}`);
  for (const f of m.bake?.files ?? []) if (typeof f !== 'string' || !f.startsWith('bake/') || f.slice(5).includes('/') || f.includes('..')) throw new Error(`accepted a hostile bake file name — ${JSON.stringify(f)?.slice(0, 80)}`);
  if (!(b.gaussians.count >= 0)) throw new Error('no Gaussians');
}

export const bundleReadTarget: FuzzTarget = {
  name: 'bundle-read',
  about: 'avatar bundles through readAvatarBundle (manifest, sections, CRCs, every part)',
  ciIterations: 500,
  async create() {
    return {
      seeds: bundleSeeds(),
      mutators: bundleMutators,
      parse: (b: Uint8Array) => readAvatarBundle(b),
      classify: typedBy(AvatarBundleError),
      check: checkBundle,
      maxCaseMs: 5000,
      maxCaseMiB: 128,
    };
  },
};

/** Every path under `root` (folders with a trailing slash). */
export function snapshot(root: string): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.add(`${r}/`);
        walk(path.join(dir, e.name), r);
      } else out.add(r);
    }
  };
  walk(root, '');
  return out;
}

/** SQLite's own files change under any write: they are not the library's contents. */
const DB_FILES = /^library\/library\.sqlite(-wal|-shm|-journal)?$|^library\/library\.lock$/;

export const bundleImportTarget: FuzzTarget = {
  name: 'bundle-import',
  about: 'avatar bundles through importAvatar on a temporary library: refused imports leave no file, folder or row',
  ciIterations: 150,
  async create() {
    // outer/ holds the library and the bundle, so a file written outside the library (an escape) is seen too
    const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-import-'));
    const libraryDir = path.join(outer, 'library');
    const host = StudioHost.open({ libraryDir, frontDoor: 'cli' });
    const projectId = host.services.projects.create('Fuzz').id;
    const file = path.join(outer, 'in', 'fuzz.avatar');
    fs.mkdirSync(path.dirname(file));
    const avatarsOf = () => host.services.avatars.list(projectId).map((a) => a.id).sort();
    let before = snapshot(outer);
    let avatarsBefore = avatarsOf();
    let imported: string | null = null;
    return {
      seeds: bundleSeeds(),
      mutators: bundleMutators,
      parse: (b: Uint8Array) => {
        fs.writeFileSync(file, b);
        imported = null;
        const a = importAvatar(host.services, { projectId, file });
        imported = a.id;
        return a;
      },
      after: (_c, outcome) => {
        const now = snapshot(outer);
        const added = [...now].filter((p) => !before.has(p) && !DB_FILES.test(p));
        const removed = [...before].filter((p) => !now.has(p) && !DB_FILES.test(p) && !p.startsWith('in/'));
        const avatars = avatarsOf();
        const prefix = imported ? `library/projects/${projectId}/avatars/${imported}/` : null;
        // an import that succeeded adds exactly its avatar's folder and row; anything else must leave no trace
        const stray = added.filter((p) => !p.startsWith('in/') && !(outcome === 'ok' && prefix && (p.startsWith(prefix) || prefix.startsWith(p))));
        before = now;
        const newRows = avatars.filter((id) => !avatarsBefore.includes(id));
        avatarsBefore = avatars;
        if (stray.length || removed.length) throw new Error(`${outcome === 'ok' ? 'a successful' : 'a refused'} import ${stray.length ? 'left paths outside its avatar folder' : 'removed paths'} — ${stray.length ? `new: ${stray.slice(0, 5).join(', ')}` : ''}${removed.length ? ` removed: ${removed.slice(0, 5).join(', ')}` : ''}`);
        if (outcome !== 'ok' && newRows.length) throw new Error(`a refused import left avatar rows — ${newRows.join(', ')}`);
        if (outcome === 'ok' && (newRows.length !== 1 || newRows[0] !== imported)) throw new Error(`a successful import added other rows — ${newRows.join(', ')}`);
      },
      finish: () => {
        const check = host.services.library.db.pragma('integrity_check', { simple: true });
        if (check !== 'ok') throw new Error(`library.sqlite integrity_check: ${String(check)}`);
        host.services.projects.get(projectId);
      },
      maxCaseMs: 5000,
      maxCaseMiB: 128,
      close: async () => {
        await host.close();
        fs.rmSync(outer, { recursive: true, force: true });
      },
    };
  },
};

