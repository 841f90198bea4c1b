import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator } from '@playwright/test';
import { PNG } from 'pngjs';
import { PerspectiveCamera } from 'three';
import { engineCamera, projectPoint, STAGE_FOV } from '@engine/view/camera-math';
import { HeadRig, homeView, type FitFile } from '@engine/avatar/head-rig';
import { expect, test } from './fixtures';
import { api, attrOf, dismissNotifications, makeFaceClip, trainSmallAvatar, waitUntil } from './support';

/**
 * The 3D viewport in web mode: a small avatar trained for real (import a clip of a face photo, track it, train 20
 * steps at UV 32² on 64-px frames through the API), opened from the project overview. The engine renders it with
 * Chromium's WebGPU (SwiftShader here): the image is not blank, orbiting changes it, an expression slider changes the
 * lower face, the mesh and centre overlays toggle, and the tracked motion plays. Screenshots go to the test's
 * output folder (test-results/) for a look.
 */

/** Background of the stage (VIEWPORT_BACKGROUND in features/viewport/avatarEngine.ts), 8-bit. */
const BG = [0.11, 0.115, 0.125].map((c) => Math.round(c * 255));

/** Waits until the engine has shown a frame after `before` and no further frame follows for a moment. */
async function settled(viewport: Locator, before: number): Promise<number> {
  await waitUntil('the viewport to render a new frame', async () => Number(await attrOf(viewport, 'data-frames')), (f) => f > before);
  expect(Number(await viewport.getAttribute('data-frames'))).toBeGreaterThan(before);
  let last = Number(await viewport.getAttribute('data-frames'));
  for (;;) {
    await viewport.page().waitForTimeout(400);
    const now = Number(await viewport.getAttribute('data-frames'));
    if (now === last) return now;
    last = now;
  }
}

interface Shot {
  png: PNG;
  file: string;
}
async function shot(stage: Locator, file: string): Promise<Shot> {
  // The render-time line changes every frame: painted over in the background colour.
  const buf = await stage.screenshot({ path: file, mask: [stage.getByTestId('viewport-stats')], maskColor: `rgb(${BG.join(',')})` });
  return { png: PNG.sync.read(buf), file };
}

/** Pixels that differ from the stage background (inside its border), and their bounding box. */
function foreground(s: Shot) {
  const { width, height, data } = s.png;
  let count = 0, x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 4; y < height - 4; y++)
    for (let x = 4; x < width - 4; x++) {
      const p = (y * width + x) * 4;
      if (Math.abs(data[p] - BG[0]) + Math.abs(data[p + 1] - BG[1]) + Math.abs(data[p + 2] - BG[2]) > 24) {
        count++;
        x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
    }
  return { count, fraction: count / (width * height), box: { x0, y0, x1, y1 } };
}

/** Mean |Δ| over RGB (0–255) and the centroid of the pixels that changed by more than `threshold`. */
function difference(a: Shot, b: Shot, threshold = 30) {
  const { width, height } = a.png;
  let sum = 0, n = 0, cx = 0, cy = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      const d = Math.abs(a.png.data[p] - b.png.data[p]) + Math.abs(a.png.data[p + 1] - b.png.data[p + 1]) + Math.abs(a.png.data[p + 2] - b.png.data[p + 2]);
      sum += d / 3;
      if (d > threshold) {
        n++;
        cx += x;
        cy += y;
      }
    }
  return { mean: sum / (width * height), changed: n, centroid: n ? { x: cx / n, y: cy / n } : null };
}

test('the trained avatar in the 3D viewport: engine render, orbit, expression sliders, overlays, tracked motion', async ({ page, studio }, testInfo) => {
  test.setTimeout(300_000);
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[page] ${m.text()}`);
  });
  await page.goto(studio.url);
  await expect(page.getByRole('heading', { name: 'Library', level: 1 })).toBeVisible();

  // A small trained avatar, made through the API.
  const t0 = Date.now();
  const clip = makeFaceClip(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-viewport-')));
  const { projectId, avatarId } = await trainSmallAvatar(page, { projectName: 'Viewport', clip, overrides: { headTuning: true } });
  const project = { id: projectId };
  console.log(`[viewport] import + track + train: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // avatars.get lists the files the viewport reads.
  const got = await api<{ files: { avatar: string; expressionSpace: string | null; headTuning: string | null; fits: { path: string }[] } }>(page, 'avatars.get', { id: avatarId });
  expect(got.files.avatar).toBe(`avatars/${avatarId}/avatar.bin`);
  expect(got.files.expressionSpace).toMatch(/tracking\/expression-space\.json$/);
  expect(got.files.fits).toHaveLength(1);
  // Head tuning on: the learnt correctives travel with the avatar and the viewport poses with them.
  expect(got.files.headTuning).toBe(`avatars/${avatarId}/head-tuning.bin`);

  // Where the home view puts the eyes, the nose tip and the chin (the viewport's own maths, from the same files).
  const projectDir = path.join(studio.libraryDir, 'projects', project.id);
  const readJson = <T,>(rel: string) => JSON.parse(fs.readFileSync(path.join(projectDir, rel), 'utf8')) as T;
  const rig = new HeadRig(readJson(got.files.expressionSpace!), readJson<FitFile>(got.files.fits[0]!.path));
  const neutral = rig.vertices(rig.neutral(), false);
  const landmark = (i: number): [number, number, number] => [neutral[i * 3], neutral[i * 3 + 1], neutral[i * 3 + 2]];
  const screenRows = (width: number, height: number) => {
    const home = homeView(rig, STAGE_FOV);
    const cam = new PerspectiveCamera(STAGE_FOV, width / height, 0.01, 100);
    cam.position.set(home.target[0], home.target[1], home.target[2] + home.distance);
    cam.lookAt(...home.target);
    cam.updateMatrixWorld();
    const ecam = engineCamera({ fov: STAGE_FOV, viewGl: cam.matrixWorldInverse.elements }, width, height);
    const at = (i: number) => projectPoint(ecam, landmark(i))!;
    // MediaPipe landmarks: 159 / 386 upper eyelids, 1 nose tip, 152 chin, 13 upper inner lip; 33 / 263 outer eye corners.
    return { eyes: (at(159)[1] + at(386)[1]) / 2, nose: at(1)[1], chin: at(152)[1], lip: at(13), subjectRightEyeX: at(33)[0], subjectLeftEyeX: at(263)[0] };
  };

  // Open it from the project overview.
  await page.goto(`${studio.url}#/project/${project.id}`);
  const avatars = page.getByRole('list', { name: 'Avatars' });
  await expect(avatars.getByRole('listitem')).toHaveCount(1);
  await avatars.getByRole('button', { name: 'Open in 3D' }).click();
  await expect(page).toHaveURL(new RegExp(`#/project/${project.id}/viewport/${avatarId}$`));
  const viewport = page.getByTestId('viewport');
  await waitUntil('the viewport to be ready', () => attrOf(viewport, 'data-state'), (s) => s === 'ready' || s === 'error');
  await expect(viewport).toHaveAttribute('data-state', 'ready');
  const stage = page.getByTestId('viewport-stage');
  let frames = await settled(viewport, 0);
  await expect(page.getByTestId('viewport-stats')).toHaveText(/^\d+ ms · \d+×\d+/);
  const stats = await page.getByTestId('viewport-stats').textContent();
  console.log(`[viewport] ${stats}`);
  const out = (name: string) => testInfo.outputPath(name);
  // Job notifications would cover part of the stage in the screenshots.
  await dismissNotifications(page);
  await expect(page.getByRole('button', { name: 'Dismiss notification' })).toHaveCount(0);

  // The engine drew the head: the centre of the stage is not background, and the head covers a fair part of it.
  const front = await shot(stage, out('viewport-front.png'));
  const fg = foreground(front);
  const { width, height, data } = front.png;
  const centre = ((height >> 1) * width + (width >> 1)) * 4;
  expect(Math.abs(data[centre] - BG[0]) + Math.abs(data[centre + 1] - BG[1]) + Math.abs(data[centre + 2] - BG[2])).toBeGreaterThan(24);
  console.log(`[viewport] head covers ${(100 * fg.fraction).toFixed(1)} % of the stage, box ${JSON.stringify(fg.box)} in ${width}×${height}`);
  expect(fg.fraction).toBeGreaterThan(0.05);
  // Centred: the head's box straddles the stage centre.
  expect(fg.box.x0).toBeLessThan(width / 2);
  expect(fg.box.x1).toBeGreaterThan(width / 2);
  expect(fg.box.y0).toBeLessThan(height / 2);
  expect(fg.box.y1).toBeGreaterThan(height / 2);
  // Upright and seen from the front like the footage: eyes above the nose above the chin, inside the head's box; the
  // subject's right eye on the image's left.
  const rows = screenRows(width, height);
  console.log(`[viewport] home view landmarks (px): ${JSON.stringify(rows)}`);
  expect(rows.eyes).toBeLessThan(rows.nose);
  expect(rows.nose).toBeLessThan(rows.chin);
  expect(rows.eyes).toBeGreaterThan(fg.box.y0);
  expect(rows.chin).toBeLessThan(fg.box.y1);
  expect(rows.subjectRightEyeX).toBeLessThan(rows.subjectLeftEyeX);

  // An expression slider changes the face below the eyes (this capture's first component moves the lower face).
  const slider = page.getByRole('slider', { name: 'Expression 1', exact: true });
  const max = Number(await slider.getAttribute('max'));
  await slider.fill(String(max));
  frames = await settled(viewport, frames);
  const expr = await shot(stage, out('viewport-expression.png'));
  // The expression space learnt from this (still) photo is small — expression 1 moves the lips ≈ 2 mm — so a small
  // per-pixel threshold.
  const dExpr = difference(front, expr, 9);
  console.log(`[viewport] expression 1 → ${max.toFixed(2)}: ${dExpr.changed} px changed, centroid ${JSON.stringify(dExpr.centroid)}, head box ${JSON.stringify(fg.box)}`);
  expect(dExpr.changed).toBeGreaterThan(20);
  expect(dExpr.centroid!.y).toBeGreaterThan(rows.eyes);
  expect(dExpr.centroid!.y).toBeLessThan(rows.chin + (rows.chin - rows.eyes) * 0.25);
  await page.getByRole('slider', { name: 'Jaw open' }).fill('0.4');
  frames = await settled(viewport, frames);
  const jaw = await shot(stage, out('viewport-jaw.png'));
  const dJaw = difference(expr, jaw);
  console.log(`[viewport] jaw 0.4 rad: ${dJaw.changed} px changed, centroid ${JSON.stringify(dJaw.centroid)}`);
  expect(dJaw.changed).toBeGreaterThan(200);
  // Opening the jaw changes the mouth and chin: below the nose tip, around the lips.
  expect(dJaw.centroid!.y).toBeGreaterThan(rows.nose);
  expect(Math.abs(dJaw.centroid!.x - rows.lip[0])).toBeLessThan((rows.chin - rows.eyes) * 0.5);
  await page.getByRole('button', { name: 'Reset face' }).click();
  frames = await settled(viewport, frames);
  expect(difference(front, await shot(stage, out('viewport-reset.png'))).mean).toBeLessThan(0.5);

  // Orbit: dragging across the stage turns the view.
  const box = (await stage.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 160, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  frames = await settled(viewport, frames);
  const orbit = await shot(stage, out('viewport-orbit.png'));
  const dOrbit = difference(front, orbit);
  console.log(`[viewport] orbit: mean |Δ| ${dOrbit.mean.toFixed(2)}, ${dOrbit.changed} px changed`);
  expect(dOrbit.mean).toBeGreaterThan(1);
  await page.getByRole('button', { name: 'Reset view' }).click();
  frames = await settled(viewport, frames);

  // Overlays: the wireframe and the centres appear over the render and go away again.
  const meshBtn = page.getByRole('button', { name: 'Mesh wireframe' });
  await meshBtn.click();
  await expect(meshBtn).toHaveAttribute('aria-pressed', 'true');
  await page.waitForTimeout(300);
  const mesh = await shot(stage, out('viewport-mesh.png'));
  expect(difference(front, mesh).changed).toBeGreaterThan(200);
  await meshBtn.click();
  const centresBtn = page.getByRole('button', { name: 'Gaussian centres' });
  await centresBtn.click();
  await page.waitForTimeout(300);
  const dots = await shot(stage, out('viewport-centres.png'));
  expect(difference(front, dots).changed).toBeGreaterThan(200);
  await centresBtn.click();
  await page.waitForTimeout(300);
  expect(difference(front, await shot(stage, out('viewport-overlays-off.png'))).mean).toBeLessThan(0.5);

  // Tracked motion: play moves through the fitted frames; the pose toggle applies the head's rigid motion.
  const frameLabel = page.getByTestId('viewport-frame');
  await expect(frameLabel).toHaveText('Free pose');
  await page.getByRole('button', { name: 'Play' }).click();
  // Real time: the frame due at the elapsed time shows, so a slow adapter skips some (any later one will do here).
  await expect(frameLabel).toHaveText(/^Frame \d+ \((?:[2-9]|\d{2,}) of \d+\)/, { timeout: 30_000 });
  await expect(page.getByTestId('viewport-playback-rate')).toContainText('fps');
  await page.getByRole('button', { name: 'Pause' }).click();
  frames = await settled(viewport, frames);
  const held = await shot(stage, out('viewport-frame-frontal.png'));
  // The fitted pose of this clip is ≈ 14° of pitch and some roll away from frontal.
  await page.getByRole('checkbox', { name: 'Apply the tracked head pose' }).check();
  frames = await settled(viewport, frames);
  const posed = await shot(stage, out('viewport-posed.png'));
  const dPose = difference(held, posed);
  console.log(`[viewport] tracked pose applied: mean |Δ| ${dPose.mean.toFixed(2)}`);
  expect(dPose.mean).toBeGreaterThan(1);
  await page.getByRole('slider', { name: 'Tracked frame' }).fill('0');
  await expect(frameLabel).toHaveText(/^Frame \d+ \(1 of \d+\)/);
});
