import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { api, waitWhileJobsAdvance } from './support';

/**
 * Tracking as an artist uses it in web mode: import a short talking-head-like clip whose last frames are colour
 * bars (no face), track it from the Footage review (a real `capture.track` job: face detection, landmarks, head
 * model fit), read the summary, turn on the mesh and landmark overlay and check it lies on the face, find the
 * Face and Fit rows on the timeline, then exclude the badly tracked frames and undo it.
 */

const FACE_FRAMES = 8;
const BAR_FRAMES = 4;
const FRAMES = FACE_FRAMES + BAR_FRAMES;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface TrackedFrame {
  idx: number;
  tracked: boolean;
  box: Box | null;
  fitErrorPx: number | null;
}


function makeClip(dir: string): string {
  const photo = path.resolve('node_modules/@vladmandic/face-api/demo/sample3.jpg');
  const out = path.join(dir, 'talking-head.mp4');
  // A slow pan over one face of a group photo (a second face is partly in view), then colour bars.
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-loop', '1', '-i', photo, '-f', 'lavfi', '-i', 'testsrc2=size=512x512:rate=10',
    '-filter_complex',
    `[0:v]crop=600:600:'1180+20*sin(t*2)':'150+10*cos(t*2)',scale=512:512,fps=10,trim=duration=${FACE_FRAMES / 10},setpts=PTS-STARTPTS,format=yuv420p[a];` +
      `[1:v]trim=duration=${BAR_FRAMES / 10},setpts=PTS-STARTPTS,format=yuv420p[b];[a][b]concat=n=2:v=1[v]`,
    '-map', '[v]', '-r', '10', '-pix_fmt', 'yuv420p', out,
  ]);
  return out;
}

test('track faces in the Footage review: summary, overlay on the face, Face row, exclude badly tracked frames', async ({ page, studio }) => {
  test.setTimeout(90_000);
  const video = makeClip(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-tracking-')));

  await page.goto(studio.url);
  await expect(page.getByRole('heading', { name: 'Library', level: 1 })).toBeVisible();
  const name = `Tracking ${Math.random().toString(36).slice(2, 7)}`;
  await page.getByRole('button', { name: 'New project' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await dialog.getByLabel('Project name').fill(name);
  await dialog.getByRole('button', { name: 'Create project' }).click();
  // The new project opens.
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'Footage' }).click();
  await page.getByTestId('footage-file-input').setInputFiles(video);
  const timeline = page.getByRole('slider', { name: 'Timeline' });
  // The import and the tracking take as long as the machine's load makes them: wait while the jobs advance, then assert.
  await waitWhileJobsAdvance(page, 'the import to open the capture', async () => (await timeline.getAttribute('aria-valuemax', { timeout: 1_000 }).catch(() => null)) === String(FRAMES - 1));
  await expect(timeline).toHaveAttribute('aria-valuemax', String(FRAMES - 1));
  const captureId = /\/footage\/([0-9a-f]{32})$/.exec(page.url())![1];

  // Before tracking: no Face row, no overlay toggles.
  const tracking = page.getByRole('region', { name: 'Tracking', exact: true });
  await expect(page.locator('.timeline-label[data-row="face"]')).toHaveCount(0);
  await expect(page.getByRole('group', { name: 'Overlay' })).toHaveCount(0);

  // Track faces: the job shows inline while it runs, then the summary replaces it.
  await tracking.getByRole('button', { name: 'Track faces' }).click();
  await expect(tracking.getByRole('listitem', { name: /^Track “talking-head”/ }).or(tracking.getByTestId('tracking-summary'))).toBeVisible();
  await waitWhileJobsAdvance(page, 'tracking to finish', () => tracking.getByTestId('tracking-tracked').isVisible());
  await expect(tracking.getByTestId('tracking-tracked')).toBeVisible();

  const { frames } = await api<{ frames: TrackedFrame[] }>(page, 'tracking.frames', { captureId, offset: 0, limit: 100 });
  expect(frames).toHaveLength(FRAMES);
  const tracked = frames.filter((f) => f.tracked).length;
  expect(tracked).toBeGreaterThanOrEqual(FACE_FRAMES - 1);
  expect(frames.slice(FACE_FRAMES).every((f) => !f.tracked)).toBe(true);
  await expect(tracking.getByTestId('tracking-tracked')).toHaveText(String(tracked));
  await expect(tracking).toContainText(`of ${FRAMES} frames`);
  await expect(tracking).toContainText('Mean fit error');
  await expect(tracking).toContainText(/No face found in \d+ frames?/);

  // The quality strip has the Face and Fit rows; the preview says how the current frame was tracked.
  await expect(page.locator('.timeline-label[data-row="face"]')).toHaveText('Face');
  await expect(page.locator('.timeline-label[data-row="fit"]')).toHaveText('Fit');
  await expect(page.getByTestId('current-face')).toContainText('Tracked');

  // Overlay: M shows the mesh and P the 478 landmarks, both on the tracked face of frame 0.
  await page.keyboard.press('Home');
  await page.keyboard.press('m');
  await page.keyboard.press('p');
  await expect(page.getByRole('button', { name: /^Mesh/ })).toHaveAttribute('aria-pressed', 'true');
  const overlay = page.getByTestId('tracking-overlay');
  await expect(overlay).toHaveAttribute('data-state', 'ready');
  await expect(overlay.locator('[data-testid="tracking-mesh"]')).toHaveCount(1);
  await expect(overlay.locator('[data-testid="tracking-landmarks"] circle')).toHaveCount(478);
  const face = frames[0].box!;
  const placed = await page.evaluate((face) => {
    const img = document.querySelector<HTMLImageElement>('.preview-full')!;
    const r = img.getBoundingClientRect();
    // Where object-fit: contain puts the frame inside the image element.
    const s = Math.min(r.width / img.naturalWidth, r.height / img.naturalHeight);
    const ox = r.left + (r.width - img.naturalWidth * s) / 2;
    const oy = r.top + (r.height - img.naturalHeight * s) / 2;
    const faceOnScreen = { x: ox + face.x * s, y: oy + face.y * s, width: face.width * s, height: face.height * s };
    const dots = [...document.querySelectorAll('[data-testid="tracking-landmarks"] circle')].map((c) => {
      const b = c.getBoundingClientRect();
      return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
    });
    const inside = dots.filter((d) => d.x >= faceOnScreen.x && d.x <= faceOnScreen.x + faceOnScreen.width && d.y >= faceOnScreen.y && d.y <= faceOnScreen.y + faceOnScreen.height).length;
    const mesh = document.querySelector('[data-testid="tracking-mesh"]')!.getBoundingClientRect();
    return { inside, dots: dots.length, faceOnScreen, meshCentre: { x: mesh.left + mesh.width / 2, y: mesh.top + mesh.height / 2 } };
  }, face);
  expect(placed.inside / placed.dots).toBeGreaterThan(0.9);
  const fc = { x: placed.faceOnScreen.x + placed.faceOnScreen.width / 2, y: placed.faceOnScreen.y + placed.faceOnScreen.height / 2 };
  expect(Math.abs(placed.meshCentre.x - fc.x)).toBeLessThan(placed.faceOnScreen.width * 0.5);
  expect(Math.abs(placed.meshCentre.y - fc.y)).toBeLessThan(placed.faceOnScreen.height * 0.6);
  await page.keyboard.press('m');
  await expect(overlay.locator('[data-testid="tracking-mesh"]')).toHaveCount(0);

  // Exclude badly tracked frames: the bars (and any frame fitted worse than 4 px), with Undo.
  const bad = frames.filter((f) => !f.tracked || (f.fitErrorPx !== null && f.fitErrorPx > 4)).length;
  expect(bad).toBeGreaterThanOrEqual(BAR_FRAMES);
  await expect(page.getByTestId('count-excluded')).toHaveText('0');
  await tracking.getByRole('button', { name: `Exclude badly tracked frames (${bad})` }).click();
  const toastMsg = page.getByText(`Excluded ${bad} badly tracked frames.`);
  await expect(toastMsg).toBeVisible();
  await expect(page.getByTestId('count-excluded')).toHaveText(String(bad));
  const stored = await api<{ splitCounts: { excluded: number } }>(page, 'captures.get', { id: captureId });
  expect(stored.splitCounts.excluded).toBe(bad);
  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(page.getByTestId('count-excluded')).toHaveText('0');
  await expect.poll(async () => (await api<{ splitCounts: { excluded: number } }>(page, 'captures.get', { id: captureId })).splitCounts.excluded).toBe(0);

  // The new keys are listed in the shortcuts help.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: /Keyboard shortcuts/ });
  await expect(help.getByRole('heading', { name: 'Tracking' })).toBeVisible();
  await expect(help).toContainText('Exclude badly tracked frames');
});
