import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { api, makeFaceClip, waitWhileJobsAdvance } from './support';

/**
 * Training as an artist uses it in web mode: a tracked talking-head clip with a few test frames, the Avatar section,
 * the Preview preset with tiny advanced settings, the live card (figures and the ground truth | render preview),
 * Pause and Resume, then the trained avatar's report with ground truth / render / error images per test frame.
 */

const FRAMES = 12;
const STEPS = 1000;

test('train an avatar from the Avatar section: live preview, pause and resume, report with images', async ({ page, studio }) => {
  test.setTimeout(480_000);
  const video = makeFaceClip(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-training-')), { size: 384, seconds: FRAMES / 10, name: 'talking-head.mp4' });

  await page.goto(studio.url);
  const name = `Training ${Math.random().toString(36).slice(2, 7)}`;
  await page.getByRole('button', { name: 'New project' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await dialog.getByLabel('Project name').fill(name);
  await dialog.getByRole('button', { name: 'Create project' }).click();
  // The new project opens.
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  const rail = page.getByRole('navigation', { name: 'Project sections' });
  await rail.getByRole('link', { name: 'Footage' }).click();
  await page.getByTestId('footage-file-input').setInputFiles(video);
  // Imports, tracking and training take as long as the machine's load makes them: the waits below go on while the
  // jobs advance (support.ts), then assert.
  const timeline = page.getByRole('slider', { name: 'Timeline' });
  await waitWhileJobsAdvance(page, 'the import to open the capture', async () => (await timeline.getAttribute('aria-valuemax', { timeout: 1_000 }).catch(() => null)) === String(FRAMES - 1));
  await expect(timeline).toHaveAttribute('aria-valuemax', String(FRAMES - 1));
  const captureId = /\/footage\/([0-9a-f]{32})$/.exec(page.url())![1]!;
  const tracking = page.getByRole('region', { name: 'Tracking', exact: true });
  await tracking.getByRole('button', { name: 'Track faces' }).click();
  await waitWhileJobsAdvance(page, 'tracking to finish', () => tracking.getByTestId('tracking-tracked').isVisible());
  await expect(tracking.getByTestId('tracking-tracked')).toBeVisible();
  await api(page, 'captures.setSplit', { captureId, ranges: [{ from: 0, to: FRAMES - 1 }], split: 'train' });
  await api(page, 'captures.setSplit', { captureId, ranges: [{ from: 5, to: 5 }, { from: 10, to: 10 }], split: 'test' });

  // The Avatar section: the capture is ready, Preview is the default preset.
  await rail.getByRole('link', { name: 'Avatar' }).click();
  await expect(page).toHaveURL(/\/training$/);
  const start = page.getByRole('region', { name: 'Train a new avatar' });
  await expect(start.getByRole('radio', { name: /Preview/ })).toBeChecked();
  await expect(start.getByLabel('Capture to train on')).toContainText('talking-head');
  await expect(page.getByRole('button', { name: 'Start training' })).not.toHaveAttribute('aria-disabled', 'true', { timeout: 15_000 });

  // Advanced: the preset's values are the placeholders; a bad value is refused in place.
  await start.getByText('Advanced settings').click();
  const steps = start.getByLabel('Steps', { exact: true });
  await expect(steps).toHaveAttribute('placeholder', '1500');
  await steps.fill('0');
  await expect(start.getByText('A whole number from 1 to 1,000,000')).toBeVisible();
  // Enough steps that the pause below lands during training however fast the adapter is (llvmpipe: ~40 tiny steps/s).
  await steps.fill(String(STEPS));
  await start.getByLabel('Image size (px)').fill('64');
  await start.getByLabel('UV resolution').fill('32');
  await start.getByLabel('Preview every (s)').fill('1');
  await expect(start.getByText('4 changed')).toBeVisible();
  await page.keyboard.press('Control+Enter');

  // The live card: figures, then the preview image (ground truth | render).
  const card = page.getByTestId('training-card');
  await expect(card).toBeVisible();
  await waitWhileJobsAdvance(page, 'the first training preview', () => card.getByTestId('training-preview').isVisible());
  await expect(card.getByTestId('training-preview')).toBeVisible();
  await expect(card.getByTestId('training-iteration')).toContainText(`/ ${STEPS.toLocaleString('en-US')}`);
  await expect(card.getByTestId('training-gaussians')).not.toHaveText('0');
  await expect(card.getByTestId('training-psnr')).toContainText('dB');
  await expect(card.getByTestId('training-loss')).not.toHaveText('—', { timeout: 30_000 });
  await expect(card.getByTestId('training-chart')).toBeVisible({ timeout: 30_000 });
  const src = await card.getByTestId('training-preview').getAttribute('src');
  expect(src).toMatch(/\.partial\/preview-\d+\.png/);
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath('training-live.png') });

  // Pause (Shift+P): the job stops at a checkpoint; Resume continues.
  await card.getByRole('heading').click(); // out of the settings field the start left focused
  await page.keyboard.press('Shift+P');
  await waitWhileJobsAdvance(page, 'the training to pause', async () => (await card.locator('.status-chip').textContent({ timeout: 1_000 }).catch(() => null)) === 'Paused');
  await expect(card.locator('.status-chip')).toHaveText('Paused');
  await expect(card).toContainText(/Paused at \d+% \(step \d+ saved\)/);
  await card.getByRole('button', { name: 'Resume' }).click();
  await expect(card.locator('.status-chip')).toHaveText(/Running|Waiting/);

  // Done: the card goes, the avatar is listed with its metrics; its report shows the test frames' images.
  const avatars = page.getByRole('table', { name: 'Trained avatars' });
  await waitWhileJobsAdvance(page, 'the trained avatar to be listed', async () => (await avatars.locator('tbody').count()) === 1);
  await expect(avatars.locator('tbody')).toHaveCount(1); // one tbody per avatar version
  await expect(card).toHaveCount(0);
  await expect(avatars).toContainText('Preview');
  await expect(avatars).toContainText(/\d+\.\d dB/);
  await avatars.getByRole('button', { name: /^Report of/ }).click();
  await expect(page).toHaveURL(/\/training\/[0-9a-f]{32}$/);
  const report = page.getByRole('region', { name: /^Report:/ });
  await expect(report.getByTestId('report-psnr')).toContainText('dB');
  await expect(report.getByTestId('report-head-psnr')).toContainText('dB');
  const rows = report.getByRole('grid', { name: 'Evaluated frames' }).locator('tbody tr');
  await expect(rows).toHaveCount(2);
  for (const label of ['Ground truth', 'Render', 'Error ×4']) {
    const img = report.getByRole('img', { name: `${label} of frame 5` });
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  }
  await report.getByRole('grid', { name: 'Evaluated frames' }).focus();
  await page.keyboard.press('ArrowDown');
  await expect(report.getByRole('img', { name: 'Render of frame 10' })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('training-report.png'), fullPage: true });

  // Esc closes the report (not the project).
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/\/training$/);
  await expect(report).toHaveCount(0);
});
