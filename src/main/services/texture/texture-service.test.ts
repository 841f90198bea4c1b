import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { createRaster, decodePng, encodePng, bytesToBase64, type RasterImage, type TextureDocumentInfo, type TextureLayerMeta } from '@shared/texture';
import { useTestHost } from '../../testing/test-host';
import { newId } from '../library/ids';
import { bakeFilePaths } from '../bake/bake-paths';

const M = 64;
const t = useTestHost('texture-svc-', 'Texture');

function addAvatar(): string {
  const id = newId();
  t.host.services.library.db
    .prepare('INSERT INTO avatars (id, project_id, name, version, head_model, checkpoint_blob_id, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(id, t.projectId, 'Textured', 1, 'open-head', null, '{}', Date.now());
  return id;
}

const root = () => t.host.services.projects.folderOf(t.projectId);
const abs = (rel: string) => path.join(root(), ...rel.split('/'));

/** The bake files the editor reads (H1's job writes them; here a gradient colour map and flat opacity/visibility). */
function writeBake(avatarId: string): Buffer {
  const paths = bakeFilePaths(avatarId);
  const colour = createRaster(M, M);
  for (let y = 0; y < M; y++) for (let x = 0; x < M; x++) colour.data.set([x * 4, y * 4, 100, 255], (y * M + x) * 4);
  const grey = (v: number) => {
    const g = createRaster(M, M);
    for (let i = 0; i < M * M; i++) g.data.set([v, v, v, 255], i * 4);
    return encodePng(g);
  };
  fs.mkdirSync(path.dirname(abs(paths.colour)), { recursive: true });
  const colourPng = Buffer.from(encodePng(colour));
  fs.writeFileSync(abs(paths.colour), colourPng);
  fs.writeFileSync(abs(paths.opacity), grey(230));
  fs.writeFileSync(abs(paths.visibility), grey(255));
  fs.writeFileSync(abs(paths.maps), Buffer.alloc(16));
  return colourPng;
}

function pngFile(name: string, image: RasterImage): string {
  const file = path.join(t.host.services.library.dir, name);
  fs.writeFileSync(file, encodePng(image));
  return file;
}

const load = async (avatarId: string) => (await t.call('textures.load', { avatarId })) as TextureDocumentInfo;

describe('textures service', () => {
  it('loads an avatar without a bake as base null, and refuses to save it', async () => {
    const id = addAvatar();
    const info = await load(id);
    expect(info).toMatchObject({ avatarId: id, projectId: t.projectId, base: null, mapSize: 0, layers: [], locked: null });
    await expect(t.call('textures.save', { avatarId: id, layers: [] })).rejects.toThrow(/no bake yet/);
  });

  it('saves layers (rows + PNG blobs), loads them back byte-exact, removes a deleted layer, never touches the base map', async () => {
    const id = addAvatar();
    const colourPng = writeBake(id);
    const info = await load(id);
    expect(info.mapSize).toBe(M);
    expect(info.base?.colour).toBe(`avatars/${id}/bake/colour.png`);

    const paint = createRaster(M, M);
    paint.data.set([255, 0, 0, 200], (10 * M + 20) * 4);
    const sticker = createRaster(8, 4);
    sticker.data.fill(255);
    const layers: TextureLayerMeta[] = [
      { id: newId(), name: 'Paint 1', kind: 'paint', visible: true, opacity: 0.5, blend: 'multiply' },
      { id: newId(), name: 'Logo', kind: 'sticker', visible: false, opacity: 1, blend: 'normal', transform: { u: 0.25, v: 0.75, size: 0.2, rotation: 0.5, flipX: true, flipY: false } },
      { id: newId(), name: 'Tint', kind: 'fill', visible: true, opacity: 0.1, blend: 'overlay', colour: [10, 20, 30] },
    ];
    const saved = (await t.call('textures.save', {
      avatarId: id,
      layers,
      images: { [layers[0].id]: { png: bytesToBase64(encodePng(paint)) }, [layers[1].id]: { png: bytesToBase64(encodePng(sticker)) } },
      baseRevision: info.revision,
    })) as { revision: number };
    expect(saved.revision).toBe(info.revision + 1);

    const back = await load(id);
    expect(back.revision).toBe(saved.revision);
    expect(back.layers.map((l) => l.layer)).toEqual(layers);
    expect(back.layers.map((l) => [l.width, l.height])).toEqual([[M, M], [8, 4], [0, 0]]);
    expect(decodePng(fs.readFileSync(abs(back.layers[0].image!))).data).toEqual(paint.data);
    const blobs = t.host.services.blobs.list(t.projectId).map((b) => b.path);
    expect(blobs).toContain(back.layers[0].image);
    expect(blobs).toContain(back.layers[1].image);

    // A stale revision (another window saved) is refused; dropping the sticker deletes its PNG and blob.
    await expect(t.call('textures.save', { avatarId: id, layers, baseRevision: info.revision })).rejects.toThrow(/another window/);
    await t.call('textures.save', { avatarId: id, layers: [layers[0], layers[2]], baseRevision: saved.revision });
    expect(fs.existsSync(abs(back.layers[1].image!))).toBe(false);
    expect(t.host.services.blobs.list(t.projectId).map((b) => b.path)).not.toContain(back.layers[1].image);
    expect((await load(id)).layers.map((l) => l.layer.name)).toEqual(['Paint 1', 'Tint']);

    // Big rasters travel as web uploads (uploadId): the same check and storage.
    const uploadId = newId();
    fs.mkdirSync(path.join(t.host.services.library.dir, 'uploads', uploadId), { recursive: true });
    paint.data.set([0, 0, 255, 255], (11 * M + 21) * 4);
    fs.writeFileSync(path.join(t.host.services.library.dir, 'uploads', uploadId, 'layer.png'), encodePng(paint));
    const viaUpload = (await t.call('textures.save', { avatarId: id, layers: [layers[0], layers[2]], images: { [layers[0].id]: { uploadId } } })) as { revision: number };
    expect(decodePng(fs.readFileSync(abs(back.layers[0].image!))).data).toEqual(paint.data);
    await expect(t.call('textures.save', { avatarId: id, layers: [layers[0]], images: { [layers[0].id]: { uploadId: newId() } } })).rejects.toThrow(/upload is gone/);
    expect(viaUpload.revision).toBeGreaterThan(saved.revision);

    // A paint layer of the wrong size is refused with the expected size.
    await expect(t.call('textures.save', { avatarId: id, layers: [layers[0]], images: { [layers[0].id]: { png: bytesToBase64(encodePng(createRaster(32, 32))) } } })).rejects.toThrow(/32×32.*64×64/);

    // Export: the baked colour map is copied as is; the composite carries the paint layer (multiply at 0.5·200/255).
    const colourOut = (await t.call('textures.exportMap', { avatarId: id, map: 'colour' })) as { path: string; projectPath: string };
    expect(fs.readFileSync(colourOut.path)).toEqual(colourPng);
    const compositeOut = (await t.call('textures.exportMap', { avatarId: id, map: 'composite', path: path.join(t.host.services.library.dir, 'out-composite') })) as { path: string; projectPath: string | null };
    expect(compositeOut.path.endsWith('.png')).toBe(true);
    expect(compositeOut.projectPath).toBeNull();
    const composite = decodePng(fs.readFileSync(compositeOut.path));
    const o = (10 * M + 20) * 4;
    const a = 0.5 * (200 / 255);
    const multiplied = (80 / 255) * (1 - a) + (80 / 255) * 1 * a;
    const tinted = (c: number) => c * 0.9 + (c <= 0.5 ? 2 * c * (10 / 255) : 1 - 2 * (1 - c) * (1 - 10 / 255)) * 0.1;
    expect(Math.abs(composite.data[o] - tinted(multiplied) * 255)).toBeLessThanOrEqual(1);
    for (const map of ['opacity', 'visibility'] as const) {
      const out = (await t.call('textures.exportMap', { avatarId: id, map })) as { width: number };
      expect(out.width).toBe(M);
    }
    expect(fs.readFileSync(abs(bakeFilePaths(id).colour))).toEqual(colourPng);
  });

  it('imports stickers: scales a huge one down with a note, rasterises SVG with alpha, refuses corrupt and gigantic files', async () => {
    const id = addAvatar();
    writeBake(id);
    const big = createRaster(300, 150);
    big.data.fill(255);
    const r = (await t.call('textures.importSticker', { avatarId: id, path: pngFile('big.png', big) })) as { layer: { layer: TextureLayerMeta; image: string; width: number; height: number }; note: string };
    expect([r.layer.width, r.layer.height]).toEqual([64, 32]);
    expect(r.note).toMatch(/300×150.*scaled down to 64×32/);
    expect(r.layer.layer).toMatchObject({ kind: 'sticker', name: 'big' });
    expect(fs.existsSync(abs(r.layer.image))).toBe(true);

    const svg = path.join(t.host.services.library.dir, 'star.svg');
    fs.writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect x="0" y="0" width="10" height="10" fill="#ff0000" fill-opacity="0.5"/></svg>');
    const s = (await t.call('textures.importSticker', { avatarId: id, path: svg })) as { layer: { image: string; width: number; height: number } };
    expect([s.layer.width, s.layer.height]).toEqual([64, 32]);
    const px = decodePng(fs.readFileSync(abs(s.layer.image)));
    expect([...px.data.subarray((16 * 64 + 10) * 4, (16 * 64 + 10) * 4 + 4)]).toEqual([255, 0, 0, 128]);
    expect(px.data[(16 * 64 + 50) * 4 + 3]).toBe(0);

    const corrupt = path.join(t.host.services.library.dir, 'corrupt.png');
    fs.writeFileSync(corrupt, Buffer.concat([Buffer.from(encodePng(big)).subarray(0, 60), Buffer.alloc(40, 7)]));
    await expect(t.call('textures.importSticker', { avatarId: id, path: corrupt })).rejects.toThrow(/“corrupt.png” is a damaged PNG image/);
    const text = path.join(t.host.services.library.dir, 'notes.txt');
    fs.writeFileSync(text, 'hello');
    await expect(t.call('textures.importSticker', { avatarId: id, path: text })).rejects.toThrow(/not a PNG, JPEG or SVG/);
    // A header claiming 40 000 × 40 000 is refused before decoding.
    const huge = Buffer.from(encodePng(createRaster(2, 2)));
    huge.writeUInt32BE(40_000, 16);
    huge.writeUInt32BE(40_000, 20);
    const hugeFile = path.join(t.host.services.library.dir, 'huge.png');
    fs.writeFileSync(hugeFile, huge);
    await expect(t.call('textures.importSticker', { avatarId: id, path: hugeFile })).rejects.toThrow(/40000×40000 pixels, too big/);
  });

  it('imports an edited map as an image layer, refusing the wrong size or channel count with the expected size', async () => {
    const id = addAvatar();
    writeBake(id);
    const rgb = new PNG({ width: M, height: M, colorType: 2 });
    rgb.data.fill(90);
    const ok = path.join(t.host.services.library.dir, 'edited.png');
    fs.writeFileSync(ok, PNG.sync.write(rgb, { colorType: 2 }));
    const r = (await t.call('textures.importMap', { avatarId: id, path: ok })) as { layer: { layer: TextureLayerMeta; width: number } };
    expect(r.layer.layer.kind).toBe('image');
    expect(r.layer.width).toBe(M);

    await expect(t.call('textures.importMap', { avatarId: id, path: pngFile('small.png', createRaster(32, 64)) })).rejects.toThrow(/32×64 pixels; this avatar's maps are 64×64/);
    const grey = new PNG({ width: M, height: M, colorType: 0 });
    const greyFile = path.join(t.host.services.library.dir, 'grey.png');
    fs.writeFileSync(greyFile, PNG.sync.write(grey, { colorType: 0 }));
    await expect(t.call('textures.importMap', { avatarId: id, path: greyFile })).rejects.toThrow(/1 channel \(greyscale\).*64×64/);
  });

  it('refuses edits while the avatar trains or bakes, and says so in load', async () => {
    const id = addAvatar();
    writeBake(id);
    const job = t.host.services.jobs.insert({ id: newId(), kind: 'avatar.train', title: 'Train', projectId: t.projectId, params: { avatarId: id }, progress: { fraction: 0, message: '' } as never });
    t.host.services.jobs.update(job.id, { status: 'running' });
    expect((await load(id)).locked).toMatch(/still training/);
    await expect(t.call('textures.save', { avatarId: id, layers: [] })).rejects.toThrow(/still training/);
    await expect(t.call('textures.importSticker', { avatarId: id, path: pngFile('s.png', createRaster(4, 4)) })).rejects.toThrow(/still training/);
    t.host.services.jobs.update(job.id, { status: 'completed' });
    expect((await load(id)).locked).toBeNull();
    await t.call('textures.save', { avatarId: id, layers: [] });
  });
});
