/**
 * `textures.apply` → `texture.apply` job through a real host: a sticker saved with `textures.save` on a sparse baked
 * avatar becomes a new avatar version (version + 1, its own folder, Gaussians added under the sticker, edited colour
 * map); the edited version's files stay byte-identical; the new version records its origin and does not inherit the
 * edited version's held-out figures; refused while training and without saved layers.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import { initFromUvLayout } from '@engine/avatar/binding/init';
import { attributesFromBound } from '@engine/avatar/bake/attributes';
import { colourImage, opacityImage, visibilityImage } from '@engine/avatar/bake/baked-map-images';
import { readBakedMaps, writeBakedMaps } from '@engine/avatar/bake/baked-maps-file';
import { CHANNELS, gaussianUvs, pushPull, splatAttributes } from '@engine/avatar/bake/uv-maps';
import { canonicalFace } from '@engine/avatar/open-head/build';
import type { AvatarWithFiles } from '@shared/model/avatar-files';
import type { Avatar, TrainingReport } from '@shared/model/avatar';
import { bytesToBase64, createRaster, decodePng, encodePng, type TextureLayerMeta } from '@shared/texture';
import { useTestHost } from '../../testing/test-host';
import { bakeFilePaths } from '../bake/bake-paths';
import { newId } from '../library/ids';
import { openHeadFor } from '@engine/avatar/open-head/stored-space';
import { serializeBound } from '@engine/avatar/binding/avatar-file';
import { avatarDir } from '../training/training-types';

const M = 64;
const t = useTestHost('texture-apply-', 'Apply');
const root = () => t.host.services.projects.folderOf(t.projectId);
const abs = (rel: string) => path.join(root(), ...rel.split('/'));

// A subject's head without a capture (as an imported avatar keeps it): the canonical face, two made-up components.
const mean = Array.from(canonicalFace());
const space = { mean, basis: mean.flatMap((_, i) => [0.002 * Math.sin(i), 0.002 * Math.cos(i)]), count: 2, sigma: [1, 0.5], varianceKept: 0.9, range: [-1, 2, -0.5, 0.5] };
const model = openHeadFor(space as never);
const neutral = model.evaluate({});

/** What a trained avatar's row meta (and meta.json) says of its evaluation, which a texture edit must not inherit. */
const EVALUATED = { metrics: { psnr: 22.3, ssim: 0.81 }, trackedMetrics: { psnr: 21.9, ssim: 0.8 }, metricsOver: 'head crop', fullFrame: { psnr: 30.1, ssim: 0.95 }, headMattePsnr: 24.5, seconds: 412 };

/** A baked avatar of few, large Gaussians (16² UV raster) with its 64² bake files, as the bake job lays them out. */
function bakedAvatar(meta: Record<string, unknown> = {}): { id: string; count: number } {
  const id = newId();
  const data = initFromUvLayout({ vertices: neutral, triangles: model.triangles }, model.uv!, { resolution: 16, opacity: 0.8 }).data;
  for (let g = 0; g < data.count; g++) for (let c = 0; c < 3; c++) data.sh[g * 3 + c] = 0.3 * Math.sin(g * 0.37 + c);
  const dir = abs(avatarDir(id));
  fs.mkdirSync(path.join(dir, 'bake'), { recursive: true });
  const bin = serializeBound(data);
  fs.writeFileSync(path.join(dir, 'avatar.bin'), bin);
  fs.writeFileSync(path.join(dir, 'expression-space.json'), JSON.stringify(space));
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ avatarId: id, image: { w: 64, h: 64 }, ...meta, perFrame: [] }));
  const { sum, weight } = splatAttributes(attributesFromBound(data), gaussianUvs(model.uv!, data.triangle, data.barycentric, data.count), M);
  const maps = pushPull(sum, weight, M, CHANNELS);
  const visibility = new Uint8Array(M * M).fill(2);
  const b = bakeFilePaths(id);
  fs.writeFileSync(abs(b.maps), writeBakedMaps({ mapSize: M, levels: 1, steps: 0, maps, visibility }));
  fs.writeFileSync(abs(b.bakedAvatar), bin);
  fs.writeFileSync(abs(b.colour), encodePng({ width: M, height: M, data: colourImage(maps, M) }));
  fs.writeFileSync(abs(b.opacity), encodePng({ width: M, height: M, data: opacityImage(maps, M) }));
  fs.writeFileSync(abs(b.visibility), encodePng({ width: M, height: M, data: visibilityImage(visibility) }));
  fs.writeFileSync(abs(b.report), JSON.stringify({ avatarId: id, files: b }));
  t.host.services.library.db
    .prepare('INSERT INTO avatars (id, project_id, name, version, head_model, checkpoint_blob_id, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(id, t.projectId, 'Baked', 1, 'open-head', null, JSON.stringify({ captureId: null, gaussians: data.count, ...meta }), Date.now());
  return { id, count: data.count };
}

/** UV of the front triangle nearest the subject's right cheek. */
function cheekUv(): [number, number] {
  let best = 0, bd = Infinity;
  const tri = model.triangles, uv = model.uv!;
  for (let k = 0; k < tri.length / 3; k++) {
    const c = [0, 1, 2].map((d) => (neutral[tri[k * 3] * 3 + d] + neutral[tri[k * 3 + 1] * 3 + d] + neutral[tri[k * 3 + 2] * 3 + d]) / 3);
    const d = Math.hypot(c[0] + 0.045, c[1] + 0.03);
    if (c[2] > 0 && d < bd) (bd = d), (best = k);
  }
  const at = (d: number) => (uv.coords[uv.triangles[best * 3] * 2 + d] + uv.coords[uv.triangles[best * 3 + 1] * 2 + d] + uv.coords[uv.triangles[best * 3 + 2] * 2 + d]) / 3;
  return [at(0), at(1)];
}

const hashes = (dir: string) =>
  Object.fromEntries(
    (fs.readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .map((f) => [f, crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')]),
  );

async function saveSticker(avatarId: string, uv: [number, number]): Promise<void> {
  const red = createRaster(8, 8);
  for (let p = 0; p < 64; p++) red.data.set([230, 20, 30, 255], p * 4);
  const layer: TextureLayerMeta = { id: newId(), name: 'Sticker', kind: 'sticker', visible: true, opacity: 1, blend: 'normal', transform: { u: uv[0], v: uv[1], size: 6 / M, rotation: 0, flipX: false, flipY: false } };
  await t.call('textures.save', { avatarId, layers: [layer], images: { [layer.id]: { png: bytesToBase64(encodePng(red)) } } });
}

describe('textures.apply', () => {
  it('records a new version with the sticker re-sampled (Gaussians added), keeping the edited version byte for byte', async () => {
    const { id, count } = bakedAvatar({ preset: 'preview', steps: 1500, trainFrames: 40, ...EVALUATED });
    const uv = cheekUv();
    await saveSticker(id, uv);
    const before = hashes(abs(avatarDir(id)));

    const job = await t.run('textures.apply', { avatarId: id });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const { avatar, report } = job.result as { avatar: Avatar; report: { added: number; touched: number; editedTexels: number } };
    console.info(`[texture-apply] ${report.editedTexels} edited texels, ${report.touched} Gaussians recoloured, ${report.added} added (${count} → ${count + report.added})`);
    expect(avatar.id).not.toBe(id);
    expect(avatar.version).toBe(2);
    expect(t.host.services.library.db.prepare('SELECT parent_id FROM avatars WHERE id = ?').pluck().get(avatar.id)).toBe(id);
    expect(report.added).toBeGreaterThan(0);

    // Where it came from, and no held-out figures of its own (it was never evaluated); what is still true is kept.
    expect(avatar).toMatchObject({ origin: 'texture', parentId: id, parentVersion: 1, metrics: null, preset: 'preview', steps: 1500, gaussians: count + report.added });
    expect(t.host.services.avatars.get(id)).toMatchObject({ origin: 'training', parentId: null, parentVersion: null, metrics: EVALUATED.metrics });
    const rowMeta = JSON.parse(t.host.services.library.db.prepare('SELECT meta FROM avatars WHERE id = ?').pluck().get(avatar.id) as string) as Record<string, unknown>;
    for (const k of Object.keys(EVALUATED)) expect(rowMeta, k).not.toHaveProperty(k);
    expect(rowMeta).toMatchObject({ trainFrames: 40, textureApplied: { from: id, fromVersion: 1, layers: 1 } });
    const trainingReport = (await t.call('training.report', { avatarId: avatar.id })) as TrainingReport;
    expect(trainingReport).toMatchObject({ origin: 'texture', parentVersion: 1, metrics: null, trackedMetrics: null, fullFrame: null, headMattePsnr: null, seconds: null, trainFrames: 40, perFrame: [] });

    // The old version: untouched.
    expect(hashes(abs(avatarDir(id)))).toEqual(before);
    expect(t.host.services.avatars.get(id).version).toBe(1);

    // The new version: its own folder with a bake; its Gaussians = the old ones (colour only) + the added ones.
    const info = (await t.call('avatars.get', { id: avatar.id })) as AvatarWithFiles;
    expect(info.files.bake).not.toBeNull();
    const fileMeta = JSON.parse(fs.readFileSync(abs(info.files.meta), 'utf8')) as Record<string, unknown>;
    for (const k of [...Object.keys(EVALUATED), 'perFrame']) expect(fileMeta, k).not.toHaveProperty(k);
    expect(fileMeta).toMatchObject({ avatarId: avatar.id, image: { w: 64, h: 64 }, textureApplied: { from: id, fromVersion: 1 } });
    expect(info.files.expressionSpace).toBe(`${avatarDir(avatar.id)}/expression-space.json`); // a capture-less head travels along
    const oldData = parseAvatarBin(new Uint8Array(fs.readFileSync(abs(avatarDir(id) + '/avatar.bin'))));
    const newData = parseAvatarBin(new Uint8Array(fs.readFileSync(abs(info.files.avatar))));
    expect(newData.count).toBe(count + report.added);
    expect(Array.from(newData.triangle.subarray(0, count))).toEqual(Array.from(oldData.triangle));
    expect(Array.from(newData.opacities.subarray(0, count))).toEqual(Array.from(oldData.opacities));
    expect(fs.readFileSync(abs(info.files.bake!.bakedAvatar)).equals(fs.readFileSync(abs(info.files.avatar)))).toBe(true);

    // The edited colour map: red at the sticker, the old colour elsewhere; maps.bin colour channels edited alike.
    const colour = decodePng(new Uint8Array(fs.readFileSync(abs(info.files.bake!.colour))));
    const oldColour = decodePng(new Uint8Array(fs.readFileSync(abs(bakeFilePaths(id).colour))));
    const c = (Math.floor(uv[1] * M) * M + Math.floor(uv[0] * M)) * 4;
    expect(Array.from(colour.data.subarray(c, c + 3))).toEqual([230, 20, 30]);
    let changed = 0;
    for (let i = 0; i < M * M * 4; i++) if (colour.data[i] !== oldColour.data[i]) changed++;
    expect(changed).toBeLessThan(M * M * 0.05);
    const oldMaps = readBakedMaps(new Uint8Array(fs.readFileSync(abs(bakeFilePaths(id).maps))));
    const newMaps = readBakedMaps(new Uint8Array(fs.readFileSync(abs(info.files.bake!.maps))));
    const p = c / 4;
    expect(newMaps.maps[p * CHANNELS] * 0.28209479177387814 + 0.5).toBeCloseTo(230 / 255, 5);
    const far = 2 * M + 2; // a texel no sticker reaches
    expect(newMaps.maps.subarray(far * CHANNELS, (far + 1) * CHANNELS)).toEqual(oldMaps.maps.subarray(far * CHANNELS, (far + 1) * CHANNELS));
  });

  it('is refused while the avatar trains, and without saved layers or a bake', async () => {
    const { id } = bakedAvatar();
    await expect(t.call('textures.apply', { avatarId: id })).rejects.toThrow(/no saved layers/);
    await saveSticker(id, cheekUv());
    const job = t.host.services.jobs.insert({ id: newId(), kind: 'avatar.train', title: 'Train', projectId: t.projectId, params: { avatarId: id }, progress: { fraction: 0, message: '' } as never });
    t.host.services.jobs.update(job.id, { status: 'running' });
    await expect(t.call('textures.apply', { avatarId: id })).rejects.toThrow(/still training/);
    t.host.services.jobs.update(job.id, { status: 'cancelled' });
    fs.rmSync(abs(bakeFilePaths(id).maps));
    await expect(t.call('textures.apply', { avatarId: id })).rejects.toThrow(/not been baked/);
  });
  it('reads a version applied before origins were recorded as a texture edit without its parent’s figures', () => {
    const { id } = bakedAvatar(EVALUATED);
    const old = newId();
    const meta = { captureId: null, gaussians: 10, ...EVALUATED, textureApplied: { from: id, layers: 1, gaussians: 10, touched: 1, added: 0, editedTexels: 4, densityBefore: 1, densityAfter: 1 } };
    t.host.services.avatars.insert({ id: old, projectId: t.projectId, name: 'Baked', headModel: 'open-head', parentId: id, meta });
    const parentVersion = t.host.services.avatars.get(id).version;
    expect(t.host.services.avatars.get(old)).toMatchObject({ origin: 'texture', parentId: id, parentVersion, metrics: null });
    expect(t.host.services.avatars.list(t.projectId).find((a) => a.id === old)).toMatchObject({ origin: 'texture', parentVersion, metrics: null });
    expect(t.host.services.avatars.report(old)).toMatchObject({ origin: 'texture', parentVersion, metrics: null, trackedMetrics: null, fullFrame: null, headMattePsnr: null, seconds: null });
  });
});
