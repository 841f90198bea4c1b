/**
 * Test fixture for the bundle and mesh writers: a small open-head avatar made from nothing — the canonical face with
 * the procedural expression basis as its expression space, Gaussians on a few triangles, learnt-looking correctives
 * (head-tuning.bin), a short motion (fit.json) and fake bake files. Platform-neutral (returns bytes).
 */
import { createOpenHead } from '../avatar/open-head/build';
import { proceduralExpressionBasis } from '../avatar/open-head/procedural-expressions';
import { HeadTuning } from '../avatar/trainer/head-tuning';
import { writeBakedMaps } from '../avatar/bake/baked-maps-file';
import type { AvatarBundleInput } from './avatar-bundle';
import { serializeBound } from '../avatar/binding/avatar-file';
import { crc32 } from './crc32';
import type { ShDegree } from '../splat/scene';

/** avatar.bin bytes of seeded, plausible Gaussians. */
export function avatarBinBytes(n: number, triangles: number, shDegree = 1, seed = 1): Uint8Array {
  const K3 = (shDegree + 1) ** 2 * 3;
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return serializeBound({
    count: n,
    shDegree: shDegree as ShDegree,
    triangle: Uint32Array.from({ length: n }, (_, i) => (i * 37) % triangles),
    barycentric: Float32Array.from({ length: n * 2 }, (_, i) => (i % 2 ? 0.3 : 0.2) + 0.1 * rnd()),
    offset: Float32Array.from({ length: n }, () => (rnd() - 0.5) * 1e-3),
    rotations: Float32Array.from({ length: n * 4 }, () => rnd() - 0.5),
    logScales: Float32Array.from({ length: n * 3 }, () => -6 + rnd()),
    opacities: Float32Array.from({ length: n }, () => 4 * rnd() - 2),
    sh: Float32Array.from({ length: n * K3 }, () => rnd() - 0.5),
  });
}

export interface FixtureOptions {
  gaussians?: number;
  frames?: number;
  correctives?: boolean;
  bake?: boolean;
}

/** A complete bundle input. Frame f opens the jaw by 0.05·f rad and ramps the expression. */
export function fixtureBundleInput(o: FixtureOptions = {}): AvatarBundleInput {
  const face = createOpenHead().data.vTemplate.subarray(0, 468 * 3);
  const proc = proceduralExpressionBasis();
  const space = { mean: Array.from(face), basis: Array.from(proc.basis), count: proc.count, sigma: new Array(proc.count).fill(1), varianceKept: 1, range: Array.from(proc.range) };
  const model = createOpenHead({ face: space.mean, expression: { basis: space.basis, count: space.count, range: space.range } });
  const E = model.expressionCount, F = o.frames ?? 4;
  const frames = Array.from({ length: F }, (_, f) => ({
    idx: 10 + f,
    rotation: [3.1, 0.01 * f, 0],
    translation: [0, 0, 1.2],
    expression: Array.from({ length: E }, (_, k) => ((k + f) % 3) * 0.3 - 0.3),
    jaw: [0.05 * f, 0, 0],
    eyes: [0.02 * f, 0, 0, -0.02 * f, 0, 0],
    errorPx: 0.5,
  }));
  const shape = [0.1, -0.2, 0.05];
  const fit = { headModel: 'open-head', shape, intrinsics: { fx: 500, fy: 500, cx: 64, cy: 64 }, msPerFrame: 40, frames };
  let headTuning: Uint8Array | null = null;
  if (o.correctives !== false) {
    const tuning = new HeadTuning(model, frames.map((f) => ({ shape, expression: f.expression, jointRotations: [0, 0, 0, 0, 0, 0, ...f.jaw, ...f.eyes], rotation: f.rotation, translation: f.translation })));
    const c = tuning.correctives;
    for (let i = 0; c.expression && i < c.expression.length; i++) c.expression[i] = ((i % 13) - 6) * 1e-4;
    for (let i = 0; c.pose && i < c.pose.length; i++) c.pose[i] = ((i % 7) - 3) * 2e-4;
    headTuning = tuning.toBytes();
  }
  const T = model.triangles.length / 3;
  const enc = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));
  return {
    metadata: { name: 'Fixture head', avatarVersion: 2, created: '2026-11-21T12:00:00.000Z', generator: 'Avatar Studio', studioVersion: '0.1.0', source: { avatarId: 'fixture' } },
    head: { kind: 'open-head', expressionSpace: enc(space), shape },
    avatar: avatarBinBytes(o.gaussians ?? 300, T),
    meta: enc({ preset: 'preview', gaussians: o.gaussians ?? 300 }),
    headTuning,
    motion: enc(fit),
    motionFps: 25,
    bake: o.bake ? { 'maps.bin': fixtureMaps(), 'baked-avatar.bin': avatarBinBytes(o.gaussians ?? 300, T, 0, 5), 'report.json': enc({ psnr: 30 }) } : null,
  };
}

/** A small valid maps.bin (8², distinct values, visibility 0/1/2). */
export function fixtureMaps(M = 8): Uint8Array {
  return writeBakedMaps({ mapSize: M, levels: 2, steps: 10, maps: Float32Array.from({ length: M * M * 12 }, (_, i) => (i % 17) / 17 - 0.5), visibility: Uint8Array.from({ length: M * M }, (_, i) => i % 3) });
}

/**
 * A bundle re-laid out after `edit` changed its manifest or sections (tests of hostile bundles): section offsets and
 * CRC-32s are recomputed in the edited list's order, so an edit reaches the checks behind the CRCs.
 */
export function rewriteBundle(
  bytes: Uint8Array,
  edit: (b: { manifest: Record<string, any>; sections: { name: unknown; bytes: Uint8Array }[] }) => void,
  /** Applied after the layout, to damage the section list itself. */
  editLaidOut?: (manifest: Record<string, any>) => void,
): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const L = dv.getUint32(12, true);
  const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + L))) as Record<string, any>;
  const dataStart = Math.ceil((16 + L) / 8) * 8;
  const sections = (manifest.sections as { name: string; offset: number; length: number }[]).map((s) => ({ name: s.name as unknown, bytes: bytes.slice(dataStart + s.offset, dataStart + s.offset + s.length) }));
  edit({ manifest, sections });
  let offset = 0;
  manifest.sections = sections.map((s) => {
    const entry = { name: s.name, offset, length: s.bytes.length, crc32: crc32(s.bytes), type: 'application/octet-stream' };
    offset += Math.ceil(s.bytes.length / 8) * 8;
    return entry;
  });
  editLaidOut?.(manifest);
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const start = Math.ceil((16 + json.length) / 8) * 8;
  const out = new Uint8Array(start + offset);
  out.set(bytes.subarray(0, 8), 0);
  const odv = new DataView(out.buffer);
  odv.setUint32(8, dv.getUint32(8, true), true);
  odv.setUint32(12, json.length, true);
  out.set(json, 16);
  let at = 0;
  for (const s of sections) {
    out.set(s.bytes, start + at);
    at += Math.ceil(s.bytes.length / 8) * 8;
  }
  return out;
}
