import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { api, waitWhileJobsAdvance } from './support';

/**
 * Footage review as an artist works it in web mode: import a generated video through the file picker (a real
 * upload and a real `capture.import` job), scrub, exclude one range and mark another as test, reload, and find
 * both — on the timeline and in the library through the API.
 */

const FRAMES = 90; // 3 s at 30 fps


const currentFrame = (page: Page) => page.getByTestId('current-frame').locator('strong');

/** Moves the playhead with the keyboard from the first frame. */
async function goToFrame(page: Page, frame: number): Promise<void> {
  await page.keyboard.press('Home');
  for (let i = 0; i < Math.floor(frame / 10); i++) await page.keyboard.press('Shift+ArrowRight');
  for (let i = 0; i < frame % 10; i++) await page.keyboard.press('ArrowRight');
  await expect(currentFrame(page)).toHaveText(String(frame));
}

test('import a video through the UI, scrub, exclude a range and mark a test range; both survive a reload', async ({ page, studio }) => {
  test.setTimeout(90_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-timeline-'));
  const video = path.join(dir, 'anna-turntable.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30', '-t', String(FRAMES / 30), '-pix_fmt', 'yuv420p', '-y', video]);

  await page.goto(studio.url);
  await expect(page.getByRole('heading', { name: 'Library', level: 1 })).toBeVisible();
  const name = `Timeline ${Math.random().toString(36).slice(2, 7)}`;
  await page.getByRole('button', { name: 'New project' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await dialog.getByLabel('Project name').fill(name);
  await dialog.getByRole('button', { name: 'Create project' }).click();
  // The new project opens.
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();

  // Footage section: empty, with the import button; choose the file (the hidden input is what the button opens).
  await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'Footage' }).click();
  await expect(page).toHaveURL(/#\/project\/[0-9a-f]{32}\/footage$/);
  await expect(page.getByRole('heading', { name: 'No footage yet' })).toBeVisible();
  await page.getByTestId('footage-file-input').setInputFiles(video);

  // The import runs as a job, then the capture opens on its timeline.
  const timeline = page.getByRole('slider', { name: 'Timeline' });
  await waitWhileJobsAdvance(page, 'the import to open the capture', async () => (await timeline.getAttribute('aria-valuemax', { timeout: 1_000 }).catch(() => null)) === String(FRAMES - 1));
  await expect(timeline).toHaveAttribute('aria-valuemax', String(FRAMES - 1));
  await expect(page).toHaveURL(/\/footage\/[0-9a-f]{32}$/);
  const captureId = /\/footage\/([0-9a-f]{32})$/.exec(page.url())![1];
  await expect(page.getByRole('tab', { name: /anna-turntable/ })).toBeVisible();
  // The import proposed the last 20% as test.
  await expect(page.getByTestId('count-test')).toHaveText(String(Math.round(FRAMES * 0.2)));

  // Scrub: drag the playhead along the ruler, then step frame by frame with the keys.
  const box = (await timeline.boundingBox())!;
  const ppf = Number(await timeline.getAttribute('data-ppf'));
  const xOf = (f: number) => box.x + (f + 0.5) * ppf;
  await page.mouse.move(xOf(0), box.y + 8);
  await page.mouse.down();
  await page.mouse.move(xOf(30), box.y + 8, { steps: 6 });
  await page.mouse.move(xOf(50), box.y + 8, { steps: 6 });
  await page.mouse.up();
  await expect(currentFrame(page)).toHaveText('50');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(currentFrame(page)).toHaveText('52');
  await page.keyboard.press('Shift+ArrowLeft');
  await expect(currentFrame(page)).toHaveText('42');
  await expect(timeline).toHaveAttribute('aria-valuenow', '42');

  // Select frames 10–19 by dragging across the filmstrip, and exclude them.
  const stripY = box.y + 22 + 28;
  await page.mouse.move(xOf(10), stripY);
  await page.mouse.down();
  await page.mouse.move(xOf(15), stripY, { steps: 4 });
  await page.mouse.move(xOf(19), stripY, { steps: 4 });
  await page.mouse.up();
  await expect(page.getByTestId('selection-text')).toContainText('Frames 10–19');
  await page.getByRole('button', { name: 'Exclude', exact: true }).click();
  await expect(page.getByTestId('count-excluded')).toHaveText('10');
  await expect(page.getByTestId('current-split')).toHaveText('Excluded');

  // Select frames 30–39 with the keyboard (I at 30, O at 39) and mark them as test with T.
  await goToFrame(page, 30);
  await page.keyboard.press('i');
  await goToFrame(page, 39);
  await page.keyboard.press('o');
  await expect(page.getByTestId('selection-text')).toContainText('Frames 30–39');
  await page.keyboard.press('t');
  await expect(page.getByTestId('count-test')).toHaveText(String(Math.round(FRAMES * 0.2) + 10));
  await expect(page.getByText('Saving…')).toBeHidden();

  // Reload: same capture, same splits.
  await page.reload();
  await expect(timeline).toHaveAttribute('aria-valuemax', String(FRAMES - 1));
  await expect(page.getByTestId('count-excluded')).toHaveText('10');
  await expect(page.getByTestId('count-test')).toHaveText(String(Math.round(FRAMES * 0.2) + 10));
  await timeline.focus();
  for (const [frame, split] of [
    [5, 'Train'],
    [10, 'Excluded'],
    [19, 'Excluded'],
    [20, 'Train'],
    [30, 'Test'],
    [39, 'Test'],
    [40, 'Train'],
    [FRAMES - 1, 'Test'],
  ] as const) {
    await goToFrame(page, frame);
    await expect(page.getByTestId('current-split')).toHaveText(split);
  }

  // And in the library itself.
  const { frames } = await api<{ frames: Array<{ idx: number; split: string }> }>(page, 'captures.frames', { captureId, offset: 0, limit: 1000 });
  const splitOf = (i: number) => frames.find((f) => f.idx === i)?.split;
  expect(frames).toHaveLength(FRAMES);
  for (let i = 10; i <= 19; i++) expect(splitOf(i)).toBe('excluded');
  for (let i = 30; i <= 39; i++) expect(splitOf(i)).toBe('test');
  expect(splitOf(9)).toBe('train');
  expect(splitOf(20)).toBe('train');
  expect(splitOf(40)).toBe('train');
  fs.rmSync(dir, { recursive: true, force: true });
});
