import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { PerspectiveCamera } from 'three';
import { engineCamera, STAGE_FOV } from '@engine/view/camera-math';
import { HeadRig, homeView, type FitFile } from '@engine/avatar/head-rig';
import { SurfacePicker } from '../src/renderer/src/features/texture/view3d/surfacePick';
import { parseAvatarBin } from '../native/engine/avatar/binding/avatar-file';
import { attributesFromBound } from '../native/engine/avatar/bake/attributes';
import { colourImage, opacityImage, visibilityImage } from '../native/engine/avatar/bake/baked-map-images';
import { writeBakedMaps } from '../native/engine/avatar/bake/baked-maps-file';
import { CHANNELS, gaussianUvs, pushPull, splatAttributes } from '../native/engine/avatar/bake/uv-maps';
import { encodePng } from '../src/shared/texture/png';
import { expect, test } from './fixtures';
import { api, attrOf, dismissNotifications, makeFaceClip, trainSmallAvatar, waitUntil } from './support';

/**
 * Painting on the texture editor's 3D view in Chromium (WebGPU on SwiftShader): a small avatar trained for real
 * through the API and given bake files (made here from it, see writeBake), its texture editor opened; the 3D view renders the baked avatar, a drag in "Paint on 3D" mode
 * over the middle of the face writes the texels the same ray hits (computed here with the view's own maths from the
 * same files) into the saved paint layer, the 3D view re-renders with the stroke, and the overlay reports the stroke →
 * render latency; Alt-click picks the colour under the cursor; Apply to avatar records version 2. Screenshots in the
 * test's output folder.
 */

/**
 * The bake's files as the avatar.bake job lays them out, made here from the trained avatar without the bake's fit
 * (its splat + push-pull initialisation, `uv-maps.ts`) so this test does not pay for a bake: the baking itself is
 * tested in native/engine/avatar/bake and by the bake job's tests.
 */
function writeBake(projectDir: string, avatarId: string, avatarBin: string, rig: HeadRig, M: number): void {
  const data = parseAvatarBin(new Uint8Array(fs.readFileSync(path.join(projectDir, avatarBin))));
  const uv = rig.model.uv!;
  const { sum, weight } = splatAttributes(attributesFromBound(data), gaussianUvs(uv, data.triangle, data.barycentric, data.count), M);
  const maps = pushPull(sum, weight, M, CHANNELS);
  const visibility = new Uint8Array(M * M).fill(2);
  const dir = path.join(projectDir, 'avatars', avatarId, 'bake');
  fs.mkdirSync(dir, { recursive: true });
  const png = (rgba: Uint8ClampedArray) => encodePng({ width: M, height: M, data: rgba });
  fs.writeFileSync(path.join(dir, 'maps.bin'), writeBakedMaps({ mapSize: M, levels: 1, steps: 0, maps, visibility }));
  fs.writeFileSync(path.join(dir, 'baked-avatar.bin'), fs.readFileSync(path.join(projectDir, avatarBin)));
  fs.writeFileSync(path.join(dir, 'colour.png'), png(colourImage(maps, M)));
  fs.writeFileSync(path.join(dir, 'opacity.png'), png(opacityImage(maps, M)));
  fs.writeFileSync(path.join(dir, 'visibility.png'), png(visibilityImage(visibility)));
  fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify({ avatarId }));
}

test('painting on the 3D view lands on the texels under the cursor; the 3D view shows it', async ({ page, studio }, testInfo) => {
  test.setTimeout(420_000);
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[page] ${m.text()}`);
  });
  await page.goto(studio.url);
  await expect(page.getByRole('heading', { name: 'Library', level: 1 })).toBeVisible();

  const t0 = Date.now();
  const clip = makeFaceClip(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-texture3d-')));
  const { projectId, avatarId } = await trainSmallAvatar(page, { projectName: 'Texture 3D', clip });
  const project = { id: projectId };
  console.log(`[texture-3d] import + track + train: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const got = await api<{ files: { avatar: string; expressionSpace: string; fits: { path: string }[] } }>(page, 'avatars.get', { id: avatarId });
  const projectDir = path.join(studio.libraryDir, 'projects', project.id);
  const readJson = <T,>(rel: string) => JSON.parse(fs.readFileSync(path.join(projectDir, rel), 'utf8')) as T;
  const rig = new HeadRig(readJson(got.files.expressionSpace), readJson<FitFile>(got.files.fits[0]!.path));
  writeBake(projectDir, avatarId, got.files.avatar, rig, 128);

  await page.goto(`${studio.url}#/project/${project.id}/texture/${avatarId}`);
  const view = page.getByTestId('texture-view3d');
  await waitUntil('the 3D view to be ready', () => attrOf(view, 'data-state'), (s) => s === 'ready' || s === 'error');
  await expect(view).toHaveAttribute('data-state', 'ready');
  await waitUntil("the 3D view's first frame", async () => Number(await attrOf(view, 'data-frames')), (f) => f > 0);
  expect(Number(await view.getAttribute('data-frames'))).toBeGreaterThan(0);
  await dismissNotifications(page);
  const stage = page.getByTestId('texture-view3d-stage');
  await stage.screenshot({ path: testInfo.outputPath('texture-3d-before.png') });

  // Where the centre of the stage hits the head in the home view: the view's own maths on the same files.
  const box = (await stage.boundingBox())!;
  const home = homeView(rig, STAGE_FOV);
  const cam = new PerspectiveCamera(STAGE_FOV, box.width / box.height, 0.01, 100);
  cam.position.set(home.target[0], home.target[1], home.target[2] + home.distance);
  cam.lookAt(...home.target);
  cam.updateMatrixWorld();
  const ecam = engineCamera({ fov: STAGE_FOV, viewGl: cam.matrixWorldInverse.elements }, box.width, box.height);
  const picker = new SurfacePicker(rig.model.triangles, rig.model.uv!, rig.vertices(rig.neutral(), false));
  const at = { x: box.width / 2, y: box.height * 0.55 };
  const hit = picker.pick(ecam, at.x, at.y);
  expect(hit, 'the stage centre hits the face').not.toBeNull();

  // A short stroke in Paint on 3D mode (orbit stays put: the stroke lies on the centre texel).
  const frames = Number(await view.getAttribute('data-frames'));
  await page.getByRole('button', { name: 'Paint on 3D' }).click();
  await page.mouse.move(box.x + at.x, box.y + at.y);
  await page.mouse.down();
  await page.mouse.move(box.x + at.x + 2, box.y + at.y + 1, { steps: 3 });
  await page.mouse.up();
  await waitUntil('the 3D view to render the stroke', async () => Number(await attrOf(view, 'data-frames')), (f) => f > frames);
  expect(Number(await view.getAttribute('data-frames'))).toBeGreaterThan(frames);
  const latency = page.getByTestId('texture-view3d-latency');
  await expect(latency).toBeVisible({ timeout: 60_000 });
  console.log(`[texture-3d] stroke → render ${await latency.getAttribute('data-ms')} ms (${await page.getByTestId('texture-view3d-stats').textContent()})`);
  await stage.screenshot({ path: testInfo.outputPath('texture-3d-after.png') });

  // The document saves itself: the paint layer's PNG has paint at the texel under the cursor.
  await expect
    .poll(async () => (await api<{ layers: { layer: { kind: string }; image: string | null }[] }>(page, 'textures.load', { avatarId })).layers.filter((l) => l.layer.kind === 'paint' && l.image).length, { timeout: 30_000 })
    .toBeGreaterThan(0);
  const doc = await api<{ mapSize: number; layers: { layer: { kind: string }; image: string | null }[] }>(page, 'textures.load', { avatarId });
  const layer = PNG.sync.read(fs.readFileSync(path.join(projectDir, doc.layers.find((l) => l.layer.kind === 'paint')!.image!)));
  const M = doc.mapSize;
  const tx = Math.floor(hit!.uv[0] * M), ty = Math.floor(hit!.uv[1] * M);
  const alphaAt = (x: number, y: number) => layer.data[(y * M + x) * 4 + 3];
  let painted = 0, far = 0;
  for (let y = 0; y < M; y++)
    for (let x = 0; x < M; x++)
      if (alphaAt(x, y) > 0) {
        painted++;
        if (Math.hypot(x - tx, y - ty) > 20) far++;
      }
  console.log(`[texture-3d] cursor → UV (${hit!.uv[0].toFixed(4)}, ${hit!.uv[1].toFixed(4)}) = texel (${tx}, ${ty}) of ${M}²; ${painted} texels painted, alpha there ${alphaAt(tx, ty)}`);
  expect(alphaAt(tx, ty)).toBeGreaterThan(0);
  expect(far).toBe(0);

  // Alt-click on an unpainted point of the face picks the colour there: the composite = the bake's colour map.
  const pickAt = { x: box.width / 2, y: box.height * 0.42 };
  const pickHit = picker.pick(ecam, pickAt.x, pickAt.y)!;
  const colour = PNG.sync.read(fs.readFileSync(path.join(projectDir, 'avatars', avatarId, 'bake', 'colour.png')));
  // The view's camera is rounded to its render size (e.g. 156×360 for this stage), the test's is the CSS box: the
  // texel under the cursor may be a neighbour of the one predicted here, so any of the 3×3 around it counts.
  const hex = (x: number, y: number) => {
    const q = (Math.min(M - 1, Math.max(0, y)) * M + Math.min(M - 1, Math.max(0, x))) * 4;
    return `#${[0, 1, 2].map((c) => colour.data[q + c].toString(16).padStart(2, '0')).join('')}`;
  };
  const px = Math.floor(pickHit.uv[0] * M), py = Math.floor(pickHit.uv[1] * M);
  const wanted = new Set([-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx) => hex(px + dx, py + dy))));
  await page.keyboard.down('Alt');
  await page.mouse.click(box.x + pickAt.x, box.y + pickAt.y);
  await page.keyboard.up('Alt');
  await expect.poll(async () => wanted.has(await page.getByTestId('texture-colour').inputValue()), { timeout: 15_000 }).toBe(true);

  // Apply to avatar: a new version with its own folder; this one stays.
  await page.getByRole('button', { name: 'Apply to avatar' }).click();
  await expect(page.getByTestId('texture-apply')).toContainText(/Saved as v2/, { timeout: 60_000 });
  const avatars = await api<{ id: string; version: number }[]>(page, 'avatars.list', { projectId: project.id });
  expect(avatars.map((a) => a.version).sort()).toEqual([1, 2]);
  const created = avatars.find((a) => a.version === 2)!;
  expect(fs.existsSync(path.join(projectDir, 'avatars', created.id, 'bake', 'baked-avatar.bin'))).toBe(true);
});
