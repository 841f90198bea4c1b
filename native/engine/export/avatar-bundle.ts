/**
 * The animated-avatar bundle (`.avatar`): one file holding everything needed to pose and render a trained avatar
 * anywhere — the head model, the UV-bound Gaussians, the learnt correctives, the baked maps, the tracked motion and
 * metadata. Platform-neutral (bytes in, bytes out; no Node APIs), so the studio, the CLI and the web player read the
 * same file with the same code. Specification: docs/avatar-bundle.md.
 *
 * Layout (little-endian): `"AVBUNDLE"` (8 bytes), u32 format version, u32 manifest length L, the manifest (UTF-8
 * JSON, L bytes), zero padding to a multiple of 8, then the sections, each starting at a multiple of 8 from the data
 * start and padded with zeros to a multiple of 8. The manifest lists every section with its byte offset (from the data
 * start), length and CRC-32; sections hold files byte for byte (avatar.bin, head-tuning.bin, the bake's files, the
 * expression space and fit.json as the studio stores them), so an import restores them bit-exactly.
 */
import { parseAvatarBin } from '../avatar/binding/avatar-file';
import type { BoundGaussianData } from '../avatar/binding/bound-gaussians';
import { readHeadTuningExport, type HeadTuningExport } from '../avatar/trainer/head-tuning';
import { readBakedMaps, type BakedMaps } from '../avatar/bake/baked-maps-file';
import { decodeHeadMesh, encodeHeadMesh, type BundleExpressionSpace, type HeadMesh } from './avatar-bundle-head';
import { openHeadFor } from '../avatar/open-head/stored-space';
import { crc32 } from './crc32';
import type { FitFrame } from '../avatar/head-rig';

export const BUNDLE_MAGIC = 'AVBUNDLE';
export const BUNDLE_VERSION = 1;
/** Format versions this reader understands. */
export const SUPPORTED_BUNDLE_VERSIONS: readonly number[] = [1];
export const BUNDLE_EXTENSION = 'avatar';
const ALIGN = 8;

/** Names of the sections (files inside the bundle). The bake's are `bake/<file>` as in the avatar's folder. */
export const BUNDLE_SECTIONS = {
  avatar: 'avatar.bin',
  meta: 'meta.json',
  headTuning: 'head-tuning.bin',
  expressionSpace: 'expression-space.json',
  headMesh: 'head-mesh.bin',
  motion: 'motion.json',
} as const;
export const BUNDLE_BAKE_FILES = ['maps.bin', 'baked-avatar.bin', 'colour.png', 'opacity.png', 'visibility.png', 'report.json'] as const;
export type BundleBakeFile = (typeof BUNDLE_BAKE_FILES)[number];

export interface BundleSection {
  name: string;
  /** Byte offset from the data start (a multiple of 8). */
  offset: number;
  length: number;
  /** CRC-32 (IEEE, as zlib/PNG) of the section's bytes, unsigned. */
  crc32: number;
  /** Media type: application/json, image/png or application/octet-stream. */
  type: string;
}

export interface BundleMetadata {
  name: string;
  /** The avatar's version number in its project. */
  avatarVersion: number;
  /** ISO 8601 time the bundle was written. */
  created: string;
  generator: string;
  studioVersion: string;
  /** Where the avatar came from (ids in the exporting library, training preset and steps, held-out metrics). */
  source: Record<string, unknown>;
}

export type BundleHead =
  | {
      kind: 'open-head';
      /** Section holding the subject's expression space (JSON: mean face 468×3, basis E×468×3, count, sigma, range). */
      expressionSpace: string;
      /** Section with the head's arrays (template, triangles, UVs, skinning, expression directions), see avatar-bundle-head.ts. */
      mesh: string;
      /** The subject's fitted shape coefficients (3 for the open head). */
      shape: number[];
      vertexCount: number;
      triangleCount: number;
      expressionCount: number;
    }
  | {
      kind: 'flame';
      /** FLAME's weights are never embedded (licence): the reader must supply the model named here. */
      note: string;
      model: { name: string; identifier: string; vertexCount: number; shapeCount: number; expressionCount: number };
      shape: number[];
    };

export interface BundleManifest {
  format: 'avatar-studio-bundle';
  version: number;
  metadata: BundleMetadata;
  head: BundleHead;
  gaussians: { section: string; count: number; shDegree: number };
  /** The learnt corrective blend shapes + fine-tuned frames (head-tuning.bin), when the run tuned heads. */
  correctives: { section: string; vertexCount: number; expressionCount: number; poseJoints: number[] } | null;
  /** The bake (`bake/*` sections; maps.bin always, the others when the bake wrote them); map size, levels, steps from maps.bin. */
  bake: { maps: string; files: string[]; mapSize: number; levels: number; steps: number } | null;
  /** Tracked per-frame head parameters (the capture's fit.json as stored), for an animation timeline. */
  motion: { section: string; frames: number; fps: number | null; firstFrame: number; lastFrame: number } | null;
  /** The training run's meta.json, when present. */
  meta: string | null;
  sections: BundleSection[];
}

/** One tracked frame of the motion: a frame of fit.json (rotation an axis-angle in camera space, jaw 3, eyes 6). */
export type BundleMotionFrame = Omit<FitFrame, 'errorPx'>;
export interface BundleMotion {
  fps: number | null;
  shape: number[];
  frames: BundleMotionFrame[];
}

export interface AvatarBundleInput {
  metadata: BundleMetadata;
  head:
    | { kind: 'open-head'; expressionSpace: Uint8Array; shape: number[] }
    | { kind: 'flame'; model: { name: string; identifier: string; vertexCount: number; shapeCount: number; expressionCount: number }; shape: number[] };
  avatar: Uint8Array;
  meta?: Uint8Array | null;
  headTuning?: Uint8Array | null;
  /** The capture's fit.json bytes. */
  motion?: Uint8Array | null;
  /** The capture's frame rate (frames per second of the footage the motion was tracked on); frame `idx` plays at idx / fps. */
  motionFps?: number | null;
  /** The bake folder's files (maps.bin required when a bake is given). */
  bake?: Partial<Record<BundleBakeFile, Uint8Array>> | null;
}

/** A read bundle: the manifest, every section's bytes, and the parsed parts. */
export interface AvatarBundle {
  version: number;
  manifest: BundleManifest;
  section(name: string): Uint8Array;
  has(name: string): boolean;
  gaussians: BoundGaussianData;
  /** The open head's expression space (null for FLAME bundles). */
  expressionSpace: BundleExpressionSpace | null;
  headMesh: HeadMesh | null;
  correctives: HeadTuningExport['correctives'] | null;
  motion: BundleMotion | null;
  /** The baked Gaussians (bake/baked-avatar.bin), when the bundle has a bake. */
  bakedGaussians: BoundGaussianData | null;
  /** The baked maps + visibility (bake/maps.bin, native/engine/avatar/bake/baked-maps-file.ts), when the bundle has a bake. */
  bakedMaps: BakedMaps | null;
  /** The training run's meta.json (a JSON object), when the bundle has one. */
  meta: Record<string, unknown> | null;
}

/** Every problem with a bundle's bytes or input; the message says what is wrong. */
export class AvatarBundleError extends Error {
  constructor(message: string, readonly reason: 'magic' | 'version' | 'truncated' | 'corrupt' | 'invalid' = 'invalid') {
    super(message);
    this.name = 'AvatarBundleError';
  }
}

const FLAME_NOTE =
  'This avatar is bound to FLAME, whose weights are not included (the FLAME licence forbids redistribution). Supply the FLAME model named in head.model to pose it.';


const pad = (n: number) => Math.ceil(n / ALIGN) * ALIGN;
const utf8 = (s: string) => new TextEncoder().encode(s);
const typeOf = (name: string) => (name.endsWith('.json') ? 'application/json' : name.endsWith('.png') ? 'image/png' : 'application/octet-stream');

function parseJson<T>(bytes: Uint8Array, what: string): T {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as T;
  } catch (err) {
    throw new AvatarBundleError(`${what} is not valid JSON: ${(err as Error).message}`, 'corrupt');
  }
}

function checkExpressionSpace(raw: unknown): BundleExpressionSpace {
  const s = raw as BundleExpressionSpace;
  const nums = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!s || !nums(s.mean) || s.mean.length !== 468 * 3) throw new AvatarBundleError('The expression space has no mean face of 468 × 3 numbers.');
  if (!Number.isInteger(s.count) || s.count < 0 || !nums(s.basis) || s.basis.length !== s.count * 468 * 3)
    throw new AvatarBundleError(`The expression space's basis does not hold ${s.count} × 468 × 3 numbers.`);
  if (!nums(s.range) || s.range.length !== s.count * 2) throw new AvatarBundleError(`The expression space's range does not hold ${s.count} × 2 numbers.`);
  return s;
}

function validFps(fps: unknown): number | null {
  return typeof fps === 'number' && Number.isFinite(fps) && fps > 0 ? fps : null;
}

function checkMotion(raw: unknown, expressionCount: number | null): BundleMotion {
  const m = raw as { shape?: unknown; frames?: unknown };
  if (!m || !Array.isArray(m.frames)) throw new AvatarBundleError('The motion (fit.json) has no frames list.');
  const vec = (a: unknown, n: number | null) => Array.isArray(a) && (n === null || a.length >= n) && a.every((x) => typeof x === 'number');
  m.frames.forEach((f: BundleMotionFrame, i: number) => {
    if (!f || !Number.isInteger(f.idx) || !vec(f.rotation, 3) || !vec(f.translation, 3) || !vec(f.expression, expressionCount) || !vec(f.jaw, 3) || !vec(f.eyes, 6))
      throw new AvatarBundleError(`Motion frame ${i} lacks idx, rotation, translation, expression${expressionCount !== null ? ` (${expressionCount})` : ''}, jaw or eyes.`);
  });
  // fps is the manifest's (the capture's frame rate): fit.json's msPerFrame is the tracker's time per frame, not the footage's
  return { fps: null, shape: Array.isArray(m.shape) ? (m.shape as number[]) : [], frames: m.frames as BundleMotionFrame[] };
}

function parseGaussians(bytes: Uint8Array, what: string): BoundGaussianData {
  try {
    return parseAvatarBin(bytes);
  } catch (err) {
    throw new AvatarBundleError(`${what}: ${(err as Error).message}`, 'corrupt');
  }
}

function parseMaps(bytes: Uint8Array): BakedMaps {
  try {
    return readBakedMaps(bytes);
  } catch (err) {
    throw new AvatarBundleError(`The baked maps (bake/maps.bin) cannot be read: ${(err as Error).message}`, 'corrupt');
  }
}

function parseTuning(bytes: Uint8Array): HeadTuningExport {
  try {
    return readHeadTuningExport(bytes);
  } catch (err) {
    throw new AvatarBundleError(`The correctives (head-tuning.bin) cannot be read: ${(err as Error).message}`, 'corrupt');
  }
}

const corrupt = (what: string) => new AvatarBundleError(`The bundle manifest is malformed: ${what}. The file is damaged or was not written by Avatar Studio.`, 'corrupt');
/** A hostile value, shown short in a message (it may be nested too deep to print whole). */
function show(v: unknown, max = 80): string {
  try {
    return String(JSON.stringify(v)).slice(0, max);
  } catch {
    return Array.isArray(v) ? 'a deeply nested list' : typeof v;
  }
}
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finiteNumbers = (v: unknown, max: number) => Array.isArray(v) && v.length <= max && v.every((x) => typeof x === 'number' && Number.isFinite(x));
const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
/** Section names are plain file names (`bake/` for the bake's): they become file names when a bundle is imported. */
const SECTION_NAME = /^(?:bake\/)?[a-z0-9][a-z0-9._-]{0,63}$/;
const BAKE_SECTION_NAMES: readonly string[] = BUNDLE_BAKE_FILES.map((f) => `bake/${f}`);
const MAX_SECTIONS = 64;

/** A reference from the manifest to a section must be the one name this version writes for it. */
function checkReference(value: unknown, expected: string, field: string): void {
  if (value !== expected) throw corrupt(`${field} must be "${expected}", not ${show(value)}`);
}

/**
 * The manifest's structure, checked before anything is read through it: every field the readers use has its type,
 * references name the sections by their fixed names, the bake lists only the bake's known files, and section names are
 * plain names (no folders but `bake/`, no `..`, no absolute paths), so nothing in a stranger's bundle can steer a
 * file name.
 */
function checkManifest(m: Record<string, unknown>): BundleManifest {
  if (!Array.isArray(m.sections)) throw corrupt('it lists no sections');
  if (m.sections.length > MAX_SECTIONS) throw corrupt(`it lists ${m.sections.length} sections (at most ${MAX_SECTIONS})`);
  for (const s of m.sections as unknown[]) {
    if (!isObject(s) || typeof s.name !== 'string' || !SECTION_NAME.test(s.name)) throw corrupt(`a section is named ${show(isObject(s) ? s.name : s)}, not a plain file name`);
    if (!count(s.offset) || !count(s.length) || (s.offset as number) % ALIGN !== 0 || !Number.isInteger(s.crc32))
      throw corrupt(`section ${s.name} has a bad offset, length or CRC (${show(s, 120)})`);
  }
  const meta = m.metadata;
  if (!isObject(meta) || typeof meta.name !== 'string' || meta.name.length > 1000) throw corrupt('metadata.name is missing or not a short text');
  if (meta.source !== undefined && meta.source !== null && !isObject(meta.source)) throw corrupt('metadata.source is not an object');
  if (!isObject(m.gaussians)) throw corrupt('gaussians is missing');
  checkReference(m.gaussians.section, BUNDLE_SECTIONS.avatar, 'gaussians.section');
  const head = m.head;
  if (!isObject(head)) throw corrupt('head is missing');
  if (head.kind === 'open-head') {
    checkReference(head.expressionSpace, BUNDLE_SECTIONS.expressionSpace, 'head.expressionSpace');
    checkReference(head.mesh, BUNDLE_SECTIONS.headMesh, 'head.mesh');
    if (!finiteNumbers(head.shape, 1024)) throw corrupt('head.shape is not a list of numbers');
  } else if (head.kind === 'flame') {
    const model = head.model;
    if (!isObject(model) || typeof model.name !== 'string' || typeof model.identifier !== 'string' || !count(model.vertexCount) || !count(model.shapeCount) || !count(model.expressionCount))
      throw corrupt('head.model does not name a FLAME model with its vertex, shape and expression counts');
    if (!finiteNumbers(head.shape, 1024)) throw corrupt('head.shape is not a list of numbers');
  } else throw new AvatarBundleError(`The bundle's head model "${String(head.kind).slice(0, 80)}" is not known (open-head or flame).`);
  if (m.correctives !== null && m.correctives !== undefined) {
    if (!isObject(m.correctives)) throw corrupt('correctives is not an object');
    checkReference(m.correctives.section, BUNDLE_SECTIONS.headTuning, 'correctives.section');
  }
  if (m.bake !== null && m.bake !== undefined) {
    const bake = m.bake;
    if (!isObject(bake)) throw corrupt('bake is not an object');
    checkReference(bake.maps, 'bake/maps.bin', 'bake.maps');
    if (!Array.isArray(bake.files)) throw corrupt(`bake.files is ${show(bake.files)}, not a list of the bake's files`);
    const seen = new Set<string>();
    for (const f of bake.files as unknown[]) {
      if (typeof f !== 'string' || !BAKE_SECTION_NAMES.includes(f)) throw corrupt(`bake.files lists ${show(f)}, which is not one of the bake's files (${BAKE_SECTION_NAMES.join(', ')})`);
      if (seen.has(f)) throw corrupt(`bake.files lists ${f} twice`);
      seen.add(f);
    }
  }
  if (m.motion !== null && m.motion !== undefined) {
    if (!isObject(m.motion)) throw corrupt('motion is not an object');
    checkReference(m.motion.section, BUNDLE_SECTIONS.motion, 'motion.section');
  }
  if (m.meta !== null && m.meta !== undefined) checkReference(m.meta, BUNDLE_SECTIONS.meta, 'meta');
  return m as unknown as BundleManifest;
}

/** Writes a bundle. The input is checked as a reader would (a bundle that cannot be read back is never written). */
export function writeAvatarBundle(input: AvatarBundleInput): Uint8Array {
  const parts: { name: string; bytes: Uint8Array }[] = [];
  const gauss = parseGaussians(input.avatar, 'The avatar (avatar.bin)');
  parts.push({ name: BUNDLE_SECTIONS.avatar, bytes: input.avatar });
  let head: BundleHead;
  let vertexCount: number | null = null, expressionCount: number | null = null;
  if (input.head.kind === 'open-head') {
    const space = checkExpressionSpace(parseJson(input.head.expressionSpace, 'The expression space'));
    const model = openHeadFor(space);
    const T = model.triangles.length / 3;
    for (let i = 0; i < gauss.count; i++)
      if (!(gauss.triangle[i]! < T)) throw new AvatarBundleError(`The avatar does not fit its head: Gaussian ${i} is bound to triangle ${gauss.triangle[i]} of ${T}.`);
    vertexCount = model.vertexCount;
    expressionCount = model.expressionCount;
    parts.push({ name: BUNDLE_SECTIONS.expressionSpace, bytes: input.head.expressionSpace });
    parts.push({ name: BUNDLE_SECTIONS.headMesh, bytes: encodeHeadMesh(model, input.head.shape) });
    head = { kind: 'open-head', expressionSpace: BUNDLE_SECTIONS.expressionSpace, mesh: BUNDLE_SECTIONS.headMesh, shape: [...input.head.shape], vertexCount, triangleCount: T, expressionCount };
  } else {
    head = { kind: 'flame', note: FLAME_NOTE, model: { ...input.head.model }, shape: [...input.head.shape] };
    vertexCount = input.head.model.vertexCount;
    expressionCount = input.head.model.expressionCount;
  }
  let correctives: BundleManifest['correctives'] = null;
  if (input.headTuning) {
    const t = parseTuning(input.headTuning).correctives;
    if (t.vertexCount !== vertexCount) throw new AvatarBundleError(`The correctives are for a head with ${t.vertexCount} vertices; this head has ${vertexCount}.`);
    parts.push({ name: BUNDLE_SECTIONS.headTuning, bytes: input.headTuning });
    correctives = { section: BUNDLE_SECTIONS.headTuning, vertexCount: t.vertexCount, expressionCount: t.expressionCount, poseJoints: [...t.poseJoints] };
  }
  let bake: BundleManifest['bake'] = null;
  if (input.bake) {
    if (!input.bake['maps.bin']) throw new AvatarBundleError('A bake needs its maps (bake/maps.bin).');
    const maps = parseMaps(input.bake['maps.bin']);
    if (input.bake['baked-avatar.bin']) parseGaussians(input.bake['baked-avatar.bin'], 'The baked avatar (bake/baked-avatar.bin)');
    const files: string[] = [];
    for (const f of BUNDLE_BAKE_FILES) {
      const b = input.bake[f];
      if (!b) continue;
      files.push(`bake/${f}`);
      parts.push({ name: `bake/${f}`, bytes: b });
    }
    bake = { maps: 'bake/maps.bin', files, mapSize: maps.mapSize, levels: maps.levels, steps: maps.steps };
  }
  let motion: BundleManifest['motion'] = null;
  if (input.motion) {
    const m = checkMotion(parseJson(input.motion, 'The motion (fit.json)'), expressionCount);
    parts.push({ name: BUNDLE_SECTIONS.motion, bytes: input.motion });
    const idx = m.frames.map((f) => f.idx);
    const fps = input.motionFps != null && Number.isFinite(input.motionFps) && input.motionFps > 0 ? input.motionFps : null;
    motion = { section: BUNDLE_SECTIONS.motion, frames: m.frames.length, fps, firstFrame: idx.length ? Math.min(...idx) : 0, lastFrame: idx.length ? Math.max(...idx) : -1 };
  }
  if (input.meta) {
    if (!isObject(parseJson<unknown>(input.meta, 'meta.json'))) throw new AvatarBundleError('meta.json is not a JSON object.');
    parts.push({ name: BUNDLE_SECTIONS.meta, bytes: input.meta });
  }
  const sections: BundleSection[] = [];
  let offset = 0;
  for (const p of parts) {
    sections.push({ name: p.name, offset, length: p.bytes.length, crc32: crc32(p.bytes), type: typeOf(p.name) });
    offset += pad(p.bytes.length);
  }
  const manifest: BundleManifest = {
    format: 'avatar-studio-bundle',
    version: BUNDLE_VERSION,
    metadata: input.metadata,
    head,
    gaussians: { section: BUNDLE_SECTIONS.avatar, count: gauss.count, shDegree: gauss.shDegree },
    correctives,
    bake,
    motion,
    meta: input.meta ? BUNDLE_SECTIONS.meta : null,
    sections,
  };
  const json = utf8(JSON.stringify(manifest));
  const dataStart = pad(16 + json.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(utf8(BUNDLE_MAGIC), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, BUNDLE_VERSION, true);
  dv.setUint32(12, json.length, true);
  out.set(json, 16);
  parts.forEach((p, i) => out.set(p.bytes, dataStart + sections[i]!.offset));
  return out;
}

/** The format version of a bundle's bytes (after checking the signature), without reading the rest. */
export function bundleVersion(bytes: Uint8Array): number {
  const magic = utf8(BUNDLE_MAGIC);
  if (bytes.length < 16 || magic.some((m, i) => bytes[i] !== m))
    throw new AvatarBundleError(bytes.length < 16 && magic.slice(0, bytes.length).every((m, i) => bytes[i] === m) ? 'The avatar bundle is truncated: it ends inside its header.' : 'This is not an avatar bundle (no "AVBUNDLE" signature).', bytes.length < 16 ? 'truncated' : 'magic');
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
}

/** Reads and validates a bundle: signature, version, manifest, every section's bounds and CRC, and the parts. */
export function readAvatarBundle(bytes: Uint8Array): AvatarBundle {
  const version = bundleVersion(bytes);
  // The header and the manifest's `format` field are the same in every version, so a damaged file is told apart from
  // a newer studio's bundle before the version is judged.
  const L = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(12, true);
  if (16 + L > bytes.length) throw new AvatarBundleError(`The avatar bundle is truncated: its manifest claims ${L} bytes but only ${bytes.length - 16} follow the header.`, 'truncated');
  const parsed = parseJson<unknown>(bytes.subarray(16, 16 + L), 'The bundle manifest');
  if (!isObject(parsed) || parsed.format !== 'avatar-studio-bundle') throw new AvatarBundleError('The file starts like an avatar bundle but its manifest is not an Avatar Studio bundle manifest: the file is damaged.', 'corrupt');
  if (!SUPPORTED_BUNDLE_VERSIONS.includes(version))
    throw new AvatarBundleError(`This avatar bundle is format version ${version}; this studio reads version${SUPPORTED_BUNDLE_VERSIONS.length > 1 ? 's' : ''} ${SUPPORTED_BUNDLE_VERSIONS.join(', ')}. ${version > BUNDLE_VERSION ? 'Update Avatar Studio to import it.' : ''}`.trim(), 'version');
  if (parsed.version !== version) throw new AvatarBundleError(`The bundle's header says version ${version} but its manifest says ${String(parsed.version).slice(0, 40)}: the file is damaged.`, 'corrupt');
  const manifest = checkManifest(parsed);
  const dataStart = pad(16 + L);
  const byName = new Map<string, Uint8Array>();
  for (const s of manifest.sections) {
    const start = dataStart + s.offset;
    if (start + s.length > bytes.length)
      throw new AvatarBundleError(`The avatar bundle is truncated: section ${s.name} needs bytes up to ${start + s.length}, the file has ${bytes.length}.`, 'truncated');
    const view = bytes.subarray(start, start + s.length);
    if (crc32(view) !== s.crc32) throw new AvatarBundleError(`The avatar bundle is damaged: section ${s.name} fails its CRC-32 check.`, 'corrupt');
    if (byName.has(s.name)) throw new AvatarBundleError(`The bundle has two sections named ${s.name}.`, 'corrupt');
    byName.set(s.name, view);
  }
  const section = (name: string): Uint8Array => {
    const b = byName.get(name);
    if (!b) throw new AvatarBundleError(`The bundle has no section ${name}.`, 'invalid');
    return b;
  };
  const gaussians = parseGaussians(section(manifest.gaussians.section), 'The avatar (avatar.bin)');
  let expressionSpace: BundleExpressionSpace | null = null, headMesh: HeadMesh | null = null;
  let vertexCount: number, expressionCount: number;
  const head = manifest.head;
  if (head.kind === 'open-head') {
    expressionSpace = checkExpressionSpace(parseJson(section(head.expressionSpace), 'The expression space'));
    try {
      headMesh = decodeHeadMesh(section(head.mesh));
    } catch (err) {
      throw new AvatarBundleError(`The head mesh section cannot be read: ${(err as Error).message}`, 'corrupt');
    }
    vertexCount = headMesh.vertexCount;
    expressionCount = expressionSpace.count;
    const T = headMesh.triangles.length / 3;
    for (let i = 0; i < gaussians.count; i++)
      if (!(gaussians.triangle[i]! < T)) throw new AvatarBundleError(`The avatar does not fit its head: Gaussian ${i} is bound to triangle ${gaussians.triangle[i]} of ${T}.`);
  } else {
    vertexCount = head.model.vertexCount;
    expressionCount = head.model.expressionCount;
  }
  let correctives: AvatarBundle['correctives'] = null;
  if (manifest.correctives) {
    correctives = parseTuning(section(manifest.correctives.section)).correctives;
    if (correctives.vertexCount !== vertexCount) throw new AvatarBundleError(`The correctives are for a head with ${correctives.vertexCount} vertices; this head has ${vertexCount}.`);
  }
  const motion = manifest.motion ? { ...checkMotion(parseJson(section(manifest.motion.section), 'The motion (fit.json)'), expressionCount), fps: validFps(manifest.motion.fps) } : null;
  let bakedGaussians: BoundGaussianData | null = null, bakedMaps: BakedMaps | null = null;
  if (manifest.bake) {
    bakedMaps = parseMaps(section(manifest.bake.maps));
    if (!manifest.bake.files.includes(manifest.bake.maps)) throw corrupt('bake.files does not list bake/maps.bin');
    for (const f of manifest.bake.files) section(f);
    if (byName.has('bake/baked-avatar.bin')) bakedGaussians = parseGaussians(section('bake/baked-avatar.bin'), 'The baked avatar (bake/baked-avatar.bin)');
  }
  let meta: Record<string, unknown> | null = null;
  if (manifest.meta) {
    const parsedMeta = parseJson<unknown>(section(manifest.meta), 'meta.json');
    if (!isObject(parsedMeta)) throw new AvatarBundleError('meta.json is not a JSON object: the file is damaged.', 'corrupt');
    meta = parsedMeta;
  }
  return { version, manifest, section, has: (n) => byName.has(n), gaussians, expressionSpace, headMesh, correctives, motion, bakedGaussians, bakedMaps, meta };
}
