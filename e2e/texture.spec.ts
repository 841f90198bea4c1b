import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { fitView, uvToScreen } from '../src/renderer/src/features/texture/viewTransform';
import { expect, test } from './fixtures';
import { api, attrOf, makeFaceClip, runJob, trainSmallAvatar, waitUntil } from './support';

/**
 * The texture editor in web mode: a small avatar trained and baked for real through the API (import a clip of a face
 * photo, track, train 20 steps, bake 256² with a few fit steps), then in the editor: import a sticker with the file
 * picker and move it, paint a stroke, undo removes it exactly (redo brings it back), autosave, reload — the layers
 * are intact. Checked through the exported maps; screenshots in the test's output folder.
 */

/** A 48×48 sticker: an opaque yellow disc with a soft edge on a transparent background. */
function makeSticker(dir: string): string {
  const png = new PNG({ width: 48, height: 48 });
  for (let y = 0; y < 48; y++)
    for (let x = 0; x < 48; x++) {
      const d = Math.hypot(x + 0.5 - 24, y + 0.5 - 24);
      const o = (y * 48 + x) * 4;
      png.data[o] = 255;
      png.data[o + 1] = 220;
      png.data[o + 2] = 0;
      png.data[o + 3] = Math.round(255 * Math.max(0, Math.min(1, 20 - d)));
    }
  const file = path.join(dir, 'sun.png');
  fs.writeFileSync(file, PNG.sync.write(png));
  return file;
}

test('texture editor: sticker, stroke, undo/redo, autosave and reload keep the layers', async ({ page, studio }, testInfo) => {
  test.setTimeout(420_000);
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[page] ${m.text()}`);
  });
  await page.goto(studio.url);
  await expect(page.getByRole('heading', { name: 'Library', level: 1 })).toBeVisible();

  const t0 = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-texture-'));
  const { projectId, avatarId } = await trainSmallAvatar(page, { projectName: 'Texture', clip: makeFaceClip(dir) });
  const project = { id: projectId };
  console.log(`[texture] import + track + train: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Before the bake the editor says there is nothing to edit yet and offers the bake.
  await page.goto(`${studio.url}#/project/${project.id}/texture/${avatarId}`);
  await expect(page.getByRole('heading', { name: 'This avatar has no texture yet' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Bake the avatar' })).toBeVisible();

  const t1 = Date.now();
  const baked = await runJob(page, 'bake.start', { avatarId, mapSize: 256, steps: 4 });
  expect(baked.error).toBeNull();
  console.log(`[texture] bake 256²: ${((Date.now() - t1) / 1000).toFixed(1)} s`);

  // The editor from the avatars table; the 3D view off (its own spec covers it) to keep the CPU for this one.
  await page.goto(`${studio.url}#/project/${project.id}/training`);
  await page.getByRole('button', { name: /^Edit the texture of / }).first().click();
  await expect(page).toHaveURL(new RegExp(`#/project/${project.id}/texture/${avatarId}$`));
  const canvas = page.getByTestId('texture-canvas');
  await expect(canvas).toBeVisible({ timeout: 30_000 });
  const toggle3d = page.getByTestId('toggle-3d');
  if (await toggle3d.isChecked()) await toggle3d.uncheck();
  await expect(page.getByTestId('texture-save-state')).toHaveText('No changes');
  const M = 256;
  // Fitted to the canvas once the 3D view's slot is gone; the canvas says where it drew the map.
  const box = (await canvas.boundingBox())!;
  const fitted = fitView(M, box.width, box.height);
  await expect.poll(async () => Math.abs(Number((await canvas.getAttribute('data-view'))?.split(',')[0]) - fitted.zoom)).toBeLessThan(1e-3);
  const [zoom, vx, vy] = (await canvas.getAttribute('data-view'))!.split(',').map(Number);
  const at = (u: number, v: number) => {
    const p = uvToScreen({ zoom, x: vx, y: vy }, M, { u, v });
    return { x: box.x + p.x, y: box.y + p.y };
  };

  // Sticker: picked with the file picker, lands at the map centre, dragged onto the face chart (UV 0.25, 0.25).
  await page.getByTestId('sticker-input').setInputFiles(makeSticker(dir));
  const layers = page.getByTestId('texture-layer');
  await expect(layers).toHaveCount(1, { timeout: 30_000 });
  await expect(layers.first()).toHaveAttribute('data-layer-kind', 'sticker');
  const from = at(0.5, 0.5);
  const to = at(0.25, 0.25);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 4 });
  await page.mouse.up();

  // A green stroke across the skull chart with the brush (B), 12 px.
  await page.keyboard.press('b');
  await page.getByTestId('texture-colour').fill('#00ff00');
  await page.getByRole('slider', { name: 'Size' }).fill('12');
  const s0 = at(0.6, 0.75);
  const s1 = at(0.9, 0.75);
  await page.mouse.move(s0.x, s0.y);
  await page.mouse.down();
  await page.mouse.move(s1.x, s1.y, { steps: 12 });
  await page.mouse.up();
  await expect(layers).toHaveCount(2);
  await expect(page.getByTestId('texture-save-state')).toHaveText('Saved', { timeout: 30_000 });
  await page.screenshot({ path: testInfo.outputPath('texture-editor.png') });

  const exportComposite = async (name: string) => {
    const r = await api<{ path: string }>(page, 'textures.exportMap', { avatarId, map: 'composite' });
    fs.copyFileSync(r.path, testInfo.outputPath(name));
    return PNG.sync.read(fs.readFileSync(r.path));
  };
  const baseMap = PNG.sync.read(fs.readFileSync((await api<{ path: string }>(page, 'textures.exportMap', { avatarId, map: 'colour' })).path));
  const texel = (png: PNG, u: number, v: number) => {
    const o = (Math.floor(v * M) * M + Math.floor(u * M)) * 4;
    return [png.data[o], png.data[o + 1], png.data[o + 2]];
  };
  const strokeTexels = [0.65, 0.75, 0.85].map((u) => [u, 0.75] as const);
  const painted = await exportComposite('composite-painted.png');
  for (const [u, v] of strokeTexels) expect(texel(painted, u, v)).toEqual([0, 255, 0]);
  // The sticker moved to the face chart: its centre is yellow, the map centre is the base again.
  expect(texel(painted, 0.25, 0.25)).toEqual([255, 220, 0]);
  expect(texel(painted, 0.5, 0.5)).toEqual(texel(baseMap, 0.5, 0.5));

  // Undo (Ctrl+Z) removes the stroke exactly: the stroke's texels are the base map's bytes again.
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('texture-save-state')).toHaveText('Saved', { timeout: 30_000 });
  const undone = await exportComposite('composite-undone.png');
  for (const [u, v] of strokeTexels) expect(texel(undone, u, v)).toEqual(texel(baseMap, u, v));
  expect(texel(undone, 0.25, 0.25)).toEqual([255, 220, 0]);
  await page.getByTestId('texture-redo').click();
  await expect(page.getByTestId('texture-save-state')).toHaveText('Saved', { timeout: 30_000 });

  // Reload: the layers are intact (names, kinds, order, pixels).
  const before = await api<{ layers: { layer: { id: string; name: string; kind: string } }[] }>(page, 'textures.load', { avatarId });
  expect(before.layers.map((l) => l.layer.kind)).toEqual(['sticker', 'paint']);
  await page.reload();
  await expect(canvas).toBeVisible({ timeout: 30_000 });
  await expect(layers).toHaveCount(2, { timeout: 30_000 });
  await expect(layers.nth(0)).toHaveAttribute('data-layer-kind', 'paint');
  await expect(layers.nth(1)).toHaveAttribute('data-layer-kind', 'sticker');
  const reloaded = await exportComposite('composite-reloaded.png');
  for (const [u, v] of strokeTexels) expect(texel(reloaded, u, v)).toEqual([0, 255, 0]);
  await page.waitForTimeout(300);
  await page.screenshot({ path: testInfo.outputPath('texture-editor-reloaded.png') });

  // The whole page with H3's live 3D view in its slot (its own spec checks what it draws).
  await page.getByTestId('toggle-3d').check();
  const view3d = page.getByTestId('texture-view3d');
  await waitUntil('the 3D view to be ready', () => attrOf(view3d, 'data-state'), (s) => s === 'ready' || s === 'error');
  await expect(view3d).toHaveAttribute('data-state', 'ready');
  await waitUntil("the 3D view's first frame", async () => Number(await attrOf(view3d, 'data-frames')), (f) => f > 0);
  expect(Number(await view3d.getAttribute('data-frames'))).toBeGreaterThan(0);
  await page.screenshot({ path: testInfo.outputPath('texture-editor-3d.png') });
});
