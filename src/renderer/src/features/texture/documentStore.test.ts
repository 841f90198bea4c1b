import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compositeTexture, createRaster, encodePng } from '@shared/texture';
import { useTestHost } from '../../../../main/testing/test-host';
import { addBakedAvatar } from '../../../../main/services/texture/test-bake';
import { newId } from '../../../../main/services/library/ids';
import { useTextureDocument } from './documentStore';
import { hostTexturePersistence } from './hostPersistence';

/**
 * The editor's document store against the real services host (textures.* through dispatch, files read from the
 * project folder as the file route serves them): painting by UV, undo/redo to the exact bytes, a sticker dragged
 * with one undo step, incremental compositing equal to a full composite, autosave + reload.
 */
const t = useTestHost('texture-store-', 'Texture store');
const M = 64;

const persistence = () => hostTexturePersistence({ call: t.call, projectDir: () => t.host.services.projects.folderOf(t.projectId) });

const store = () => useTextureDocument.getState();
const texel = (x: number, y: number) => [...store().composite!.rgba.subarray((y * M + x) * 4, (y * M + x) * 4 + 4)];
const uv = (x: number, y: number) => ({ u: (x + 0.5) / M, v: (y + 0.5) / M });

describe('texture document store', () => {
  it('paints by UV, undoes and redoes exactly, drags a sticker as one step, autosaves and reloads', async () => {
    const { avatarId } = addBakedAvatar(t.host, t.projectId, M);
    await store().load(avatarId, persistence());
    expect(store().status).toBe('ready');
    const base = new Uint8ClampedArray(store().composite!.rgba);
    expect(store().visibility![M * M - 1]).toBe(128);

    // A red stroke along row 20 from x 10 to 40.
    store().setTool('brush');
    store().setColour([255, 0, 0]);
    store().setBrush({ size: 6, hardness: 1, opacity: 1, pressureSize: false });
    const v0 = store().compositeVersion;
    store().beginStroke(uv(10, 20), 1);
    store().strokeTo(uv(25, 20), 1);
    store().strokeTo(uv(40, 20), 1);
    store().endStroke();
    expect(store().compositeVersion).toBeGreaterThan(v0 + 1);
    expect(store().layers.map((l) => l.kind)).toEqual(['paint']);
    for (const x of [10, 20, 30, 40]) expect(texel(x, 20)).toEqual([255, 0, 0, 255]);
    expect(store().composite!.coverage[20 * M + 30]).toBe(255);
    expect(store().composite!.coverage[30 * M + 30]).toBe(0);
    const painted = new Uint8ClampedArray(store().composite!.rgba);
    expect(store().pickColourAt(uv(30, 20))).toEqual([255, 0, 0]);

    store().undo();
    expect(store().composite!.rgba).toEqual(base);
    expect(store().layers).toHaveLength(1);
    store().redo();
    expect(store().composite!.rgba).toEqual(painted);

    // A sticker, dragged: many previews, one undo step; the incremental composite equals a full one.
    const src = path.join(t.host.services.library.dir, 'dot.png');
    const dot = createRaster(8, 8);
    dot.data.fill(255);
    fs.writeFileSync(src, encodePng(dot));
    const imported = await persistence().importFile(avatarId, { path: src }, 'sticker');
    store().addImportedLayer(imported.layer.layer, imported.image);
    const id = imported.layer.layer.id;
    const layer = store().layers.find((l) => l.id === id)!;
    if (layer.kind !== 'sticker') throw new Error('not a sticker');
    for (let k = 1; k <= 5; k++) store().previewLayer(id, { transform: { ...layer.transform, u: 0.5 - k * 0.04, v: 0.5 + k * 0.03, rotation: k * 0.2 } });
    store().commitPreview();
    const doc = store().doc!;
    expect(store().composite!.rgba).toEqual(compositeTexture(store().base!, doc.layers, doc.images).rgba);
    store().undo();
    expect(store().layers.find((l) => l.id === id)).toMatchObject({ transform: layer.transform });
    expect(store().composite!.rgba).toEqual(compositeTexture(store().base!, doc.layers, doc.images).rgba);
    store().redo();
    const final = new Uint8ClampedArray(store().composite!.rgba);

    // Layer properties: opacity/blend/rename/reorder are each one undo step.
    store().updateLayer(id, { opacity: 0.5, blend: 'multiply' });
    store().moveLayer(1, 0);
    store().updateLayer(id, { name: 'Dot' });
    expect(store().layers.map((l) => l.name)).toEqual(['Dot', 'Paint 1']);
    store().undo();
    store().undo();
    store().undo();
    expect(store().composite!.rgba).toEqual(final);

    await store().flushSave();
    expect(store().save.state).toBe('saved');
    const layers = JSON.parse(JSON.stringify(store().layers));
    await store().load(avatarId, persistence());
    expect(store().layers).toEqual(layers);
    expect(store().composite!.rgba).toEqual(final);
    expect(store().canUndo).toBe(false);
  });

  it('a stroke that lifts (a 3D stroke crossing a UV seam) paints both ends, not the line between, as one undo step', async () => {
    const { avatarId } = addBakedAvatar(t.host, t.projectId, M);
    await store().load(avatarId, persistence());
    store().setTool('brush');
    store().setColour([0, 0, 255]);
    store().setBrush({ size: 4, hardness: 1, opacity: 1, pressureSize: false });
    const before = new Uint8ClampedArray(store().composite!.rgba);
    store().beginStroke(uv(8, 8), 1);
    store().strokeTo(uv(10, 8), 1);
    store().strokeTo(uv(50, 50), 1, { lift: true });
    store().strokeTo(uv(52, 50), 1);
    store().endStroke();
    expect(texel(9, 8)).toEqual([0, 0, 255, 255]);
    expect(texel(51, 50)).toEqual([0, 0, 255, 255]);
    expect(store().composite!.coverage[30 * M + 30]).toBe(0); // nothing on the way
    store().undo();
    expect(store().composite!.rgba).toEqual(before);
  });

  it('refuses edits while the avatar trains', async () => {
    const { avatarId } = addBakedAvatar(t.host, t.projectId, M);
    const job = t.host.services.jobs.insert({ id: newId(), kind: 'avatar.train', title: 'Train', projectId: t.projectId, params: { avatarId }, progress: { fraction: 0, stage: '', etaSeconds: null } });
    t.host.services.jobs.update(job.id, { status: 'running' });
    await store().load(avatarId, persistence());
    expect(store().locked).toMatch(/still training/);
    store().beginStroke(uv(5, 5), 1);
    store().endStroke();
    expect(store().layers).toHaveLength(0);
    expect(store().canUndo).toBe(false);
    t.host.services.jobs.update(job.id, { status: 'completed' });
  });

  it('says when there is no bake', async () => {
    const { avatarId } = addBakedAvatar(t.host, t.projectId, M, false);
    await store().load(avatarId, persistence());
    expect(store().status).toBe('no-bake');
  });
});
