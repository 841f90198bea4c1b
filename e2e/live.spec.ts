import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { expect, test } from './fixtures';
import { makeDriverClip, type DriverClip } from './live-driver';
import { api, attrOf, dismissNotifications, jobProgress, type Job, textOf, trainSmallAvatar, waitUntil, waitWhileAdvancing } from './support';

/**
 * The Live page in web mode with Chromium's fake camera playing a clip this test writes (e2e/live-driver.ts: a face
 * photo whose mouth opens and closes, Y4M). A small avatar is trained through the API (as e2e/viewport.spec.ts does)
 * and opened from the overview's Live button. Checks: the camera runs and is tracked, calibration captures the
 * neutral face, the avatar's image changes in step with the driver's mouth (cross-correlation over lags up to 2.5 s
 * above MIN_CORRELATION), the fps overlay shows a number, the clean view fills the window, stopping the camera track
 * shows the unplugged message and Retry recovers; in a browser that denies the camera, a clear message and Retry.
 * Screenshots go to the test's output folder.
 */

/** Pearson correlation between the driver's mouth darkness and the avatar image's change, at the best lag. */
const MIN_CORRELATION = 0.6;
const BASE_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** The best correlation of avatar(t + lag) with driver(t) for lags 0…maxLag samples. */
function laggedCorrelation(driver: number[], avatar: number[], maxLag: number): { r: number; lag: number } {
  let best = { r: -1, lag: 0 };
  for (let lag = 0; lag <= maxLag; lag++) {
    const r = pearson(driver.slice(0, driver.length - lag), avatar.slice(lag));
    if (r > best.r) best = { r, lag };
  }
  return best;
}

/**
 * Samples, in the page, every `everyMs` for `ms`: the driver's mouth darkness (the video frame's mouth box, 255 − mean
 * luma) and the avatar image's mean |Δ| from `reference` (grey, the middle of the avatar canvas: see `avatarGrey`).
 */
async function sample(page: Page, clip: DriverClip, reference: number[], ms: number, everyMs: number): Promise<{ driver: number[]; avatar: number[] }> {
  return page.evaluate(
    ([box, reference, ms, everyMs]) =>
      new Promise<{ driver: number[]; avatar: number[] }>((resolve) => {
        const video = document.querySelector<HTMLVideoElement>('video.live-video')!;
        const avatar = document.querySelector<HTMLCanvasElement>('canvas.live-avatar-canvas')!;
        const vc = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
        const ac = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
        const S = 128;
        ac.canvas.width = ac.canvas.height = S;
        const driver: number[] = [], avatarSignal: number[] = [];
        const t = setInterval(() => {
          vc.canvas.width = video.videoWidth;
          vc.canvas.height = video.videoHeight;
          vc.drawImage(video, 0, 0);
          const d = vc.getImageData(box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0).data;
          let luma = 0;
          for (let i = 0; i < d.length; i += 4) luma += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
          driver.push(255 - luma / (d.length / 4));
          // The middle half of the avatar image (the face; the background around it never changes).
          ac.drawImage(avatar, avatar.width / 4, avatar.height / 4, avatar.width / 2, avatar.height / 2, 0, 0, S, S);
          const a = ac.getImageData(0, 0, S, S).data;
          let diff = 0;
          for (let i = 0; i < S * S; i++) diff += Math.abs((a[4 * i] + a[4 * i + 1] + a[4 * i + 2]) / 3 - reference[i]);
          avatarSignal.push(diff / (S * S));
        }, everyMs);
        setTimeout(() => {
          clearInterval(t);
          resolve({ driver, avatar: avatarSignal });
        }, ms);
      }),
    [clip.mouthBox, reference, ms, everyMs] as const,
  );
}

/** The middle half of the avatar canvas as grey 128×128 (the reference for `sample`). */
/**
 * What advances while the Live page tracks: its rendered avatar frames, its calibration line and countdown, the
 * tracking path. The waits below go on while any of it changes (tracking is slower on a busy machine, not wrong).
 */
async function liveState(page: Page): Promise<{ frames: number; calibration: string | null; countdown: string | null; path: string | null; fps: string | null }> {
  return {
    frames: Number(await attrOf(page.getByTestId('live-avatar'), 'data-frames')),
    calibration: await textOf(page.getByTestId('live-calibration')),
    countdown: await textOf(page.getByTestId('live-countdown')),
    path: await textOf(page.getByTestId('live-path')),
    fps: await textOf(page.getByTestId('live-fps')),
  };
}

/** Waits until `until` holds for the Live page's state, while it advances (see liveState). */
function whileLiveAdvances(page: Page, what: string, until: (s: Awaited<ReturnType<typeof liveState>>) => boolean): Promise<unknown> {
  return waitWhileAdvancing(() => liveState(page), { what, until, progress: ({ fps: _fps, ...s }) => s });
}

function avatarGrey(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const avatar = document.querySelector<HTMLCanvasElement>('canvas.live-avatar-canvas')!;
    const ac = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
    const S = 128;
    ac.canvas.width = ac.canvas.height = S;
    ac.drawImage(avatar, avatar.width / 4, avatar.height / 4, avatar.width / 2, avatar.height / 2, 0, 0, S, S);
    const a = ac.getImageData(0, 0, S, S).data;
    return Array.from({ length: S * S }, (_, i) => (a[4 * i] + a[4 * i + 1] + a[4 * i + 2]) / 3);
  });
}

test.describe.serial('Live page', () => {
  let dir = '';
  let clip: DriverClip;
  let projectId = '';
  let avatarId = '';
  let browser: Browser | null = null;

  test.beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-live-'));
  });
  test.afterAll(async () => {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a fake camera drives the avatar: calibration, mouth in step, metrics, clean view, unplug and retry', async ({ studio }, testInfo) => {
    test.setTimeout(720_000);
    const out = (name: string) => testInfo.outputPath(name);
    clip = await makeDriverClip(dir);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [...BASE_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${clip.file}`],
    });
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') console.log(`[page] ${m.text()}`);
    });
    await page.goto(studio.url);
    await expect(page.getByRole('heading', { name: 'Library', level: 1 })).toBeVisible();

    // A small trained avatar, made through the API.
    const t0 = Date.now();
    ({ projectId, avatarId } = await trainSmallAvatar(page, { projectName: 'Live', clip: clip.trainingClip }));
    console.log(`[live] import + track + train: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // Open it from the overview's Live button.
    await page.goto(`${studio.url}#/project/${projectId}`);
    await page.getByRole('list', { name: 'Avatars' }).getByRole('button', { name: 'Live' }).click();
    await expect(page).toHaveURL(new RegExp(`#/project/${projectId}/live/${avatarId}$`));
    const live = page.getByTestId('live');
    await waitUntil('the Live page to be ready', () => attrOf(live, 'data-state'), (s) => s === 'ready' || s === 'error');
    await expect(live).toHaveAttribute('data-state', 'ready');
    await dismissNotifications(page);

    // Only the face drives the image in this test (the head pose would add its own changes), at 1.5× intensity.
    await page.getByRole('checkbox', { name: 'Follow head pose' }).uncheck();
    await page.getByRole('slider', { name: 'Expression intensity' }).fill('1.5');

    // The camera runs and frames are tracked and rendered; the overlay reports numbers.
    const avatarBox = page.getByTestId('live-avatar');
    await waitUntil('the Live avatar to render', async () => Number(await attrOf(avatarBox, 'data-frames')), (f) => f > 1);
    expect(Number(await avatarBox.getAttribute('data-frames'))).toBeGreaterThan(1);
    await whileLiveAdvances(page, 'the frame rate to show', (s) => /^fps \d+\.\d$/.test(s.fps ?? ''));
    await expect(page.getByTestId('live-fps')).toHaveText(/^fps \d+\.\d$/);
    await expect(page.getByText('Starting the camera…')).toHaveCount(0);
    const reference = await avatarGrey(page);

    // Calibration: 3-2-1, then the neutral frames (the clip holds a closed mouth for its first 22 s; the page has
    // calibrated itself on its first frames already).
    await whileLiveAdvances(page, 'the automatic calibration', (s) => (s.calibration ?? '').includes('Calibrated automatically'));
    await expect(page.getByTestId('live-calibration')).toContainText('Calibrated automatically');
    await page.getByRole('button', { name: 'Calibrate neutral face' }).click();
    await expect(page.getByTestId('live-countdown')).toContainText('Hold a neutral face');
    await page.screenshot({ path: out('live-countdown.png') });
    await whileLiveAdvances(page, 'the calibration on 15 neutral frames', (s) => /Calibrated on 15 frames/.test(s.calibration ?? ''));
    await expect(page.getByTestId('live-calibration')).toHaveText(/Calibrated on 15 frames/);
    console.log(`[live] ${await page.getByTestId('live-calibration').textContent()}`);

    // The driver's mouth opens and closes (4 s cycles): the avatar's image follows.
    const { driver, avatar } = await sample(page, clip, reference, 16_000, 100);
    const best = laggedCorrelation(driver, avatar, 25);
    const range = (v: number[]) => `${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}`;
    console.log(`[live] ${driver.length} samples: driver mouth darkness ${range(driver)}, avatar |Δ| ${range(avatar)}; correlation r = ${best.r.toFixed(3)} at lag ${best.lag * 100} ms`);
    const metricsText = await page.getByTestId('live-metrics').textContent();
    console.log(`[live] overlay: ${metricsText}`);
    await page.screenshot({ path: out('live-driving.png') });
    expect(best.r).toBeGreaterThan(MIN_CORRELATION);

    // The tracking path: measured on the first frames (host, then this page's worker, in turns) and shown in the
    // overlay; either stays selectable, and tracking goes on through it (new avatar frames come only from new poses).
    await whileLiveAdvances(page, 'the tracking path to be measured', (s) => /^(host|page) \(auto/.test(s.path ?? ''));
    await expect(page.getByTestId('live-path')).toHaveText(/^(host|page) \(auto/);
    console.log(`[live] tracking path: ${await page.getByTestId('live-path').textContent()} — ${await page.getByTestId('live-tracking-path').textContent()}`);
    for (const path of ['page', 'host'] as const) {
      await page.getByRole('combobox', { name: 'Tracking path' }).selectOption(path);
      await expect(page.getByTestId('live-metrics')).toHaveAttribute('data-path', path);
      const n = Number(await avatarBox.getAttribute('data-frames'));
      await waitUntil('the Live avatar to render on', async () => Number(await attrOf(avatarBox, 'data-frames')), (f) => f > n + 2);
      expect(Number(await avatarBox.getAttribute('data-frames'))).toBeGreaterThan(n + 2);
      await expect(page.getByTestId('live-path')).toHaveText(`${path} (chosen)`);
    }
    await page.getByRole('combobox', { name: 'Tracking path' }).selectOption('auto');

    // The clean view: the avatar alone on a key-green background, filling the window; Escape leaves it.
    await page.getByRole('combobox', { name: 'Background' }).selectOption('green');
    const shown = Number(await avatarBox.getAttribute('data-frames'));
    await waitUntil('the Live avatar to render on', async () => Number(await attrOf(avatarBox, 'data-frames')), (f) => f > shown + 1);
    expect(Number(await avatarBox.getAttribute('data-frames'))).toBeGreaterThan(shown + 1);
    await page.keyboard.press('f');
    await expect(avatarBox).toHaveClass(/live-clean/);
    const box = await avatarBox.boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: 1440, height: 900 });
    await expect(page.getByTestId('live-metrics')).toHaveCount(0);
    const cleanShot = PNG.sync.read(await page.screenshot({ path: out('live-clean.png') }));
    // The corners (the page's box and the engine's image both) are the key green; the middle is the avatar.
    for (const [x, y] of [[5, 5], [1435, 895], [720, 20]] as const) {
      const k = (y * cleanShot.width + x) * 4;
      expect([cleanShot.data[k], cleanShot.data[k + 1], cleanShot.data[k + 2]]).toEqual([0, 255, 0]);
    }
    await page.keyboard.press('Escape');
    await expect(avatarBox).not.toHaveClass(/live-clean/);
    await page.getByRole('combobox', { name: 'Background' }).selectOption('stage');

    // Record: countdown (neutral face), 4 s of the driver, then the avatar.drive job renders it (side by side, 256² per side).
    await page.getByRole('combobox', { name: 'Video size' }).selectOption('256');
    await page.getByRole('button', { name: 'Record' }).click();
    await expect(page.getByTestId('live-recording')).toContainText('Hold a neutral face');
    await expect(page.getByRole('button', { name: 'Stop and render' })).toBeVisible({ timeout: 10_000 });
    await page.waitForTimeout(4000);
    await page.getByRole('button', { name: 'Stop and render' }).click();
    await waitUntil('the recording to reach its render', () => textOf(page.getByTestId('live-recording')), (t) => (t ?? '').includes('Rendering the MP4'));
    await expect(page.getByTestId('live-recording')).toContainText('Rendering the MP4');
    const drives = (await api<(Job & { kind: string })[]>(page, 'jobs.list', { projectId })).filter((j) => j.kind === 'avatar.drive');
    expect(drives).toHaveLength(1);
    const driveId = drives[0]!.id;
    // The recording reached the avatar.drive job, which read it (probe, decode) and drives its frames: a 4 s take at
    // the fake camera's 10 fps is ≈ 40 frames (more would mean a bogus frame rate). The MP4 itself is the job's own
    // tests' business (src/main/services/drive); on this machine it takes minutes, so the job is cancelled once it
    // has driven a frame.
    const t1 = Date.now();
    const drive = await waitWhileAdvancing(() => api<Job>(page, 'jobs.get', { id: driveId }), {
      what: 'the drive job to drive a frame',
      until: (d) => d.status === 'completed' || (d.status === 'running' && (d.progress?.done ?? 0) > 0) || d.error !== null || !['queued', 'running'].includes(d.status),
      progress: jobProgress,
      pollMs: 1000,
    });
    console.log(`[live] drive job after ${((Date.now() - t1) / 1000).toFixed(0)} s: ${drive.status}, ${JSON.stringify(drive.progress ?? drive.result)}`);
    expect(drive.error).toBeNull();
    expect(['running', 'completed']).toContain(drive.status);
    const total = drive.status === 'completed' ? (drive.result as { frames: number }).frames : (drive.progress?.total ?? 0);
    expect(total).toBeGreaterThan(20);
    expect(total).toBeLessThan(80);
    if (drive.status === 'running') await api(page, 'jobs.cancel', { id: driveId });

    // The camera goes away mid-session: a clear message, and Retry recovers.
    await page.evaluate(() => (document.querySelector<HTMLVideoElement>('video.live-video')!.srcObject as MediaStream).getVideoTracks()[0]!.stop());
    const problem = page.getByTestId('live-problem');
    await expect(problem).toHaveAttribute('data-kind', 'unplugged', { timeout: 15_000 });
    await expect(problem).toContainText('The camera stopped sending pictures');
    await page.screenshot({ path: out('live-unplugged.png') });
    const before = Number(await avatarBox.getAttribute('data-frames'));
    await problem.getByRole('button', { name: 'Retry' }).click();
    await expect(problem).toHaveCount(0);
    await waitUntil('the Live avatar to render on', async () => Number(await attrOf(avatarBox, 'data-frames')), (f) => f > before + 2);
    expect(Number(await avatarBox.getAttribute('data-frames'))).toBeGreaterThan(before + 2);

    await page.close();
  });

  test('camera permission denied: a clear message, a file fallback, and Retry once allowed', async ({ studio }, testInfo) => {
    test.setTimeout(120_000);
    testInfo.skip(!avatarId, 'needs the avatar trained by the previous test');
    const denying = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [...BASE_ARGS, '--use-fake-device-for-media-stream', '--deny-permission-prompts'],
    });
    try {
      const context = await denying.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${studio.url}#/project/${projectId}/live/${avatarId}`);
      const problem = page.getByTestId('live-problem');
      await waitUntil('the denied camera to be reported', () => attrOf(problem, 'data-kind'), (k) => k === 'denied');
      await expect(problem).toHaveAttribute('data-kind', 'denied');
      await expect(problem).toContainText('Camera access was denied');
      await expect(problem.getByRole('button', { name: 'Use a video file…' })).toBeVisible();
      await page.screenshot({ path: testInfo.outputPath('live-denied.png') });
      // Allowed afterwards (as a user would in the site settings): Retry starts the camera.
      await context.grantPermissions(['camera'], { origin: new URL(studio.url).origin });
      await problem.getByRole('button', { name: 'Retry' }).click();
      await expect(problem).toHaveCount(0);
      await expect(page.getByText('Starting the camera…')).toHaveCount(0, { timeout: 30_000 });
    } finally {
      await denying.close();
    }
  });
});
