import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, test, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { StudioHost } from '../src/main/host/studio-host';
import { craftAvatar } from '../src/main/services/export/test-avatar';
import { craftTrackedCapture } from '../src/main/services/training/test-capture';
import { makeDriverClip } from './live-driver';
import { api, refuseForeignRequests, runJob, serveFolder, startWebMode, waitWhileAdvancing, waitWhileJobsAdvance } from './support';

/**
 * Export in web mode, on a library crafted in-process (a tracked test-pattern capture and an untrained avatar
 * initialised on the open head's UV layout, so no training is needed): the standalone web player exported through
 * the API, served from a temp folder by a plain static server with nothing else reachable, renders the avatar in
 * Chromium's WebGPU and matches the studio's own render (the engine on Node Dawn, a PNG-sequence export) at the same
 * camera; the export dialog opens from the avatars table and with Ctrl+E, exports an MP4 with a progress bar and
 * lists it with "Export again".
 */

/** VIEWPORT_BACKGROUND (features/viewport/avatarEngine.ts), the player's clear colour. */
const BG = [0.11, 0.115, 0.125];

let libraryDir: string, media: string, out: string;
let projectId: string, avatarId: string;
let web: { child: ChildProcess; url: string };

test.beforeAll(async () => {
  test.setTimeout(120_000);
  libraryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-e2e-lib-'));
  media = fs.mkdtempSync(path.join(os.tmpdir(), 'export-e2e-media-'));
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'export-e2e-out-'));
  const host = StudioHost.open({ libraryDir, frontDoor: 'cli' });
  projectId = host.services.projects.create('Export e2e').id;
  const capture = await craftTrackedCapture(host, projectId, media, { frames: 4 });
  avatarId = craftAvatar(host, projectId, capture.id, 24).avatarId;
  await host.close();
  const { child, url } = await startWebMode(libraryDir);
  web = { child, url };
});

test.afterAll(async () => {
  if (web) {
    web.child.kill('SIGTERM');
    await new Promise((r) => web.child.once('exit', r));
  }
  for (const d of [libraryDir, media, out]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

test('the exported web player, served from a temp folder with no network, renders the avatar like the studio', async ({ page, browser }, testInfo) => {
  await page.goto(web.url);
  const playerDir = path.join(out, 'player');
  const seqDir = path.join(out, 'seq');
  const W = 192, H = 160;
  const player = await runJob(page, 'exports.create', { avatarId, format: 'player', path: playerDir });
  expect(player.status, JSON.stringify(player.error)).toBe('completed');
  expect(fs.readdirSync(playerDir).sort()).toEqual(['README.txt', 'assets', 'avatar.avatar', 'index.html', 'models']);
  expect(fs.readdirSync(path.join(playerDir, 'models')).sort()).toEqual(['blazeface.onnx', 'facemesh.onnx', 'iris.onnx']);
  // The studio's render of the same view: frame 0 of a turntable is the home view.
  const seq = await runJob(page, 'exports.create', { avatarId, format: 'png-sequence', path: seqDir, video: { sequence: 'turntable', frames: 1, width: W, height: H } });
  expect(seq.status, JSON.stringify(seq.error)).toBe('completed');
  const ref = PNG.sync.read(fs.readFileSync(path.join(seqDir, 'frame-00000.png')));

  const server = await serveFolder(playerDir, 'index.html');
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const tab = await context.newPage();
  const foreign = await refuseForeignRequests(context, server.baseUrl);
  try {
    await tab.goto(`${server.baseUrl}/index.html?size=${W}x${H}`);
    await playerReady(tab);
    await tab.waitForTimeout(300);
    const shown = await tab.evaluate(() => {
      const c = document.querySelector('canvas')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      return { w: c.width, h: c.height, data: Array.from(d.data) };
    });
    await tab.screenshot({ path: testInfo.outputPath('player.png') });
    expect([shown.w, shown.h]).toEqual([W, H]);
    // Compare with the PNG over the stage colour (straight alpha: rgb·a + bg·(1 − a)).
    let sum = 0, worst = 0, covered = 0, far = 0;
    for (let i = 0; i < W * H; i++) {
      const a = ref.data[i * 4 + 3]! / 255;
      if (a > 0.5) covered++;
      for (let k = 0; k < 3; k++) {
        const want = (ref.data[i * 4 + k]! / 255) * a + BG[k]! * (1 - a);
        const d = Math.abs(shown.data[i * 4 + k]! - want * 255);
        sum += d;
        worst = Math.max(worst, d);
        if (d > 8) far++;
      }
    }
    const mean = sum / (W * H * 3);
    testInfo.annotations.push({ type: 'player vs studio', description: `mean |Δ| ${mean.toFixed(3)} / 255, max ${worst.toFixed(1)}, ${far} channel values off by > 8, head covers ${covered} px` });
    expect(covered, 'the avatar covers part of the frame').toBeGreaterThan(W * H * 0.05);
    expect(mean, 'mean absolute difference (0–255)').toBeLessThan(1.5);
    expect(far / (W * H * 3), 'share of channel values off by more than 8/255').toBeLessThan(0.005);
    expect(foreign, 'no request left the local server').toEqual([]);
    // The timeline plays the bundle's tracked motion and the expression sliders change the face.
    const before = await tab.evaluate(() => (window as unknown as { avatarPlayer: { frames: number } }).avatarPlayer.frames);
    await tab.locator('#timeline').fill('3');
    await expect.poll(() => tab.evaluate(() => (window as unknown as { avatarPlayer: { frames: number } }).avatarPlayer.frames)).toBeGreaterThan(before);
    await expect(tab.locator('#frame-out')).toHaveText('4 / 4');
    await tab.screenshot({ path: testInfo.outputPath('player-frame3.png') });
  } finally {
    await context.close();
    await server.close();
  }
});

interface WebcamState {
  state: string;
  message: string | null;
  frames: number;
  tracked: number;
  fps: number;
  trackMs: number;
  phase: string;
  calibrationProgress: number;
}

/**
 * Waits for the player page to load its bundle and start the engine (no fixed deadline: as long as it takes on a busy
 * machine, failing after STALL_MS) and checks it is ready, not failed.
 */
async function playerReady(tab: Page): Promise<void> {
  const player = () => tab.evaluate(() => (window as unknown as { avatarPlayer: { state: string; message: string | null } }).avatarPlayer);
  const p = await waitWhileAdvancing(player, { what: 'the player to load', until: (p) => p.state !== 'loading', progress: (p) => p });
  expect(p, p.message ?? '').toMatchObject({ state: 'ready' });
}

/**
 * Records in the page every webcam status the player publishes (the phases in order, and the render's largest
 * departure from `__still` sampled every 100 ms while `__sampling`): the test reads one small summary instead of
 * polling for a state that may come and go between two polls, or shipping the canvas's pixels out of a page that is
 * busy tracking (≈ 12 s a 192×160 canvas at load 14).
 */
async function watchWebcam(tab: Page): Promise<void> {
  await tab.evaluate(() => {
    const w = window as unknown as { avatarPlayer: { webcam: { phase: string } | null }; __phases: string[]; __still: Uint8ClampedArray | null; __moved: number; __samples: number; __sampling: boolean };
    const player = w.avatarPlayer;
    let current = player.webcam;
    w.__phases = [];
    Object.defineProperty(player, 'webcam', {
      configurable: true,
      enumerable: true,
      get: () => current,
      set: (v: { phase: string } | null) => {
        current = v;
        if (v && w.__phases.at(-1) !== v.phase) w.__phases.push(v.phase);
      },
    });
    const canvas = document.querySelector('canvas')!;
    const pixels = () => canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    w.__still = pixels();
    w.__moved = 0;
    w.__samples = 0;
    w.__sampling = false;
    setInterval(() => {
      if (!w.__sampling) return;
      const now = pixels(), still = w.__still!;
      let d = 0;
      for (let i = 0; i < now.length; i++) if (i % 4 !== 3) d += Math.abs(now[i]! - still[i]!);
      w.__moved = Math.max(w.__moved, d / ((now.length * 3) / 4));
      w.__samples++;
    }, 100);
  });
}

interface WebcamWatch {
  webcam: WebcamState | null;
  phases: string[];
  moved: number;
  samples: number;
}

test('the exported player drives the avatar from a (fake) webcam: the studio tracker on onnxruntime-web in the page', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await page.goto(web.url);
  const playerDir = path.join(out, 'player-webcam');
  const job = await runJob(page, 'exports.create', { avatarId, format: 'player', path: playerDir });
  expect(job.status, JSON.stringify(job.error)).toBe('completed');
  // A face photo whose mouth opens and closes (e2e/live-driver.ts), 1 s closed then open/close cycles, looped.
  const clipDir = fs.mkdtempSync(path.join(os.tmpdir(), 'player-webcam-'));
  const clip = await makeDriverClip(clipDir, { neutralSeconds: 1, cycles: 2 });
  const server = await serveFolder(playerDir, 'index.html');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${clip.file}`],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const tab = await context.newPage();
    const foreign = await refuseForeignRequests(context, server.baseUrl);
    await tab.goto(`${server.baseUrl}/index.html?size=192x160`);
    await playerReady(tab);
    // The still (neutral) render is kept in the page, and every status the player publishes is recorded there.
    await watchWebcam(tab);
    const watch = () =>
      tab.evaluate((): WebcamWatch => {
        const w = window as unknown as { avatarPlayer: { webcam: WebcamState | null }; __phases: string[]; __moved: number; __samples: number };
        return { webcam: w.avatarPlayer.webcam, phases: w.__phases.slice(), moved: w.__moved, samples: w.__samples };
      });
    const webcam = async () => (await watch()).webcam;
    await tab.getByTestId('webcam-drive').check();
    // The camera opens, the tracker loads, then it calibrates on its first 15 frames with a face: as long as that
    // takes on a busy machine, while the driver keeps tracking frames.
    await waitWhileAdvancing(webcam, {
      what: 'webcam driving to start (camera, tracker, calibration)',
      until: (w) => w?.phase === 'driving' || w?.state === 'error',
      progress: (w) => [w?.state, w?.message, w?.frames, w?.calibrationProgress],
    });
    expect((await webcam())?.state, (await webcam())?.message ?? '').toBe('driving');
    // Renders while the driver's mouth opens and closes: the face moves away from the still (neutral) render. The
    // page samples its render every 100 ms; enough once the face moved and 10 more frames were tracked, or (to fail
    // below) after 60 frames without movement — 6 s of the 10 fps clip, more than a mouth cycle, however slowly the
    // machine tracks them.
    const drivenFrom = (await webcam())!.frames;
    await tab.evaluate(() => ((window as unknown as { __sampling: boolean }).__sampling = true));
    const sampled = await waitWhileAdvancing(watch, {
      what: 'the driven render to move',
      until: (s) => s.samples >= 10 && s.webcam!.frames - drivenFrom >= 10 && (s.moved > 0.2 || s.webcam!.frames - drivenFrom >= 60),
      progress: (s) => [s.webcam?.frames, s.samples],
      describe: (s) => `${s.webcam!.frames - drivenFrom} frames tracked, ${s.samples} samples, moved ${s.moved.toFixed(3)}`,
    });
    await tab.evaluate(() => ((window as unknown as { __sampling: boolean }).__sampling = false));
    const moved = sampled.moved;
    const w = (await webcam())!;
    await tab.screenshot({ path: testInfo.outputPath('player-webcam.png') });
    testInfo.annotations.push({ type: 'player webcam', description: `${w.tracked}/${w.frames} frames with a face, ${w.fps} fps, tracking ${w.trackMs.toFixed(1)} ms/frame (onnxruntime-web WASM, 1 thread), render moved by up to ${moved.toFixed(2)} / 255 mean` });
    console.log(`[player webcam] ${testInfo.annotations.at(-1)!.description}`);
    expect(w.state).toBe('driving');
    expect(w.tracked, 'frames with a face found').toBeGreaterThan(15);
    expect(w.tracked / w.frames, 'share of frames with a face').toBeGreaterThan(0.9);
    expect(w.fps).toBeGreaterThan(0);
    expect(moved, 'the driven render differs from the still one').toBeGreaterThan(0.2);
    await expect(tab.getByTestId('webcam-status')).toContainText('fps');
    // "Hold neutral" recalibrates on the next frames, then drives again: the phases the player published after the
    // click, each one recorded (a calibration may start and end between two polls), waited for while the
    // calibration advances.
    const mark = (await watch()).phases.length;
    await tab.getByRole('button', { name: 'Hold neutral' }).click();
    const recalibrated = await waitWhileAdvancing(watch, {
      what: '"Hold neutral" to calibrate again and drive',
      until: (s) => s.phases.slice(mark).join(' ') === 'calibrating driving',
      progress: (s) => [s.phases.slice(mark), s.webcam?.calibrationProgress],
      describe: (s) => `phases since the click: ${s.phases.slice(mark).join(', ') || 'none'}; calibration ${s.webcam?.calibrationProgress}`,
    });
    expect(recalibrated.phases.slice(mark)).toEqual(['calibrating', 'driving']);
    // Switching off stops the camera and returns to the sliders' face.
    await tab.getByTestId('webcam-drive').uncheck();
    await expect.poll(async () => (await webcam())?.state).toBe('off');
    expect(foreign, 'no request left the local server').toEqual([]);
    // A camera the user refuses: a clear message, driving switched back off.
    const denying = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--enable-unsafe-webgpu', '--use-fake-device-for-media-stream', '--deny-permission-prompts'] });
    try {
      const t2 = await denying.newPage();
      await t2.goto(`${server.baseUrl}/index.html?size=96x80`);
      await playerReady(t2);
      // A click, not check(): the refusal may switch the box back off before check() looks at it again (a race
      // that a busy machine, slow between the click and the look, loses).
      await t2.getByTestId('webcam-drive').click();
      await expect(t2.getByTestId('webcam-status')).toContainText('permission was denied', { timeout: 15_000 });
      await expect(t2.getByTestId('webcam-drive')).not.toBeChecked();
    } finally {
      await denying.close();
    }
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(clipDir, { recursive: true, force: true });
  }
});

test('the export dialog: from the avatars table and Ctrl+E, MP4 with a progress bar, past exports with Export again', async ({ page }, testInfo) => {
  await page.goto(`${web.url}#/project/${projectId}/training`);
  const table = page.getByRole('table', { name: 'Trained avatars' });
  await expect(table).toBeVisible({ timeout: 30_000 });
  await table.getByRole('button', { name: /^Export Crafted avatar v1/ }).click();
  const dialog = page.getByRole('dialog', { name: /Export Crafted avatar v1/ });
  await expect(dialog).toBeVisible();
  // No bake: the maps are disabled with the reason.
  await expect(dialog.locator('label', { hasText: 'Texture maps' })).toContainText('No bake yet');
  await expect(dialog.getByRole('radio', { name: /Texture maps/ })).toBeDisabled();
  await dialog.getByRole('radio', { name: /Video \(MP4\)/ }).check();
  await dialog.getByLabel('Width').fill('96');
  await dialog.getByLabel('Height').fill('64');
  await dialog.getByLabel('Frames in the turn').fill('8');
  await dialog.getByLabel('Frames per second').fill('8');
  await dialog.screenshot({ path: testInfo.outputPath('export-dialog-form.png') });
  await dialog.getByTestId('export-start').click();
  await expect(dialog.getByRole('progressbar', { name: 'Export progress' })).toBeVisible();
  // As long as the export takes on a busy machine, while it advances.
  await waitWhileJobsAdvance(page, 'the MP4 export', () => dialog.getByText('Exported', { exact: true }).isVisible());
  await expect(dialog.getByText('Exported', { exact: true })).toBeVisible();
  // The MP4 exports of this test (the player test before it adds its own rows).
  const rows = dialog.getByRole('region', { name: 'Past exports' }).locator('tbody tr', { hasText: 'Video (MP4)' });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('turntable, 96×64, 8 fps, CRF 20, 8 frames');
  const link = rows.first().getByRole('link');
  await expect(link).toHaveText('crafted-avatar-v1-turntable-96x64.mp4');
  const href = await link.getAttribute('href');
  const res = await page.request.get(new URL(href!, web.url).toString());
  expect(res.status()).toBe(200);
  expect((await res.body()).subarray(4, 8).toString('latin1')).toBe('ftyp');
  await page.screenshot({ path: testInfo.outputPath('export-dialog-done.png') });
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  await expect(dialog).toBeHidden();

  // Ctrl+E opens it again for the newest avatar; Export again repeats the recorded export.
  await page.keyboard.press('Control+e');
  await expect(dialog).toBeVisible();
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole('button', { name: /^Export again/ }).click();
  await waitWhileJobsAdvance(page, 'the MP4 export again', async () => (await rows.count()) === 2 && (await dialog.getByText('Exported', { exact: true }).isVisible()));
  await expect(dialog.getByText('Exported', { exact: true })).toBeVisible();
  await expect(rows).toHaveCount(2);
});

test('Import avatar…: a bundle exported through the API comes back as a new avatar; a corrupt bundle gets a clear message', async ({ page }, testInfo) => {
  await page.goto(`${web.url}#/project/${projectId}/training`);
  const bundle = path.join(out, 'round-trip.avatar');
  const job = await runJob(page, 'exports.create', { avatarId, format: 'bundle', path: bundle });
  expect(job.status, job.error?.message).toBe('completed');
  const table = page.getByRole('table', { name: 'Trained avatars' });
  await expect(table).toBeVisible({ timeout: 30_000 });
  const rows = table.locator('tbody'); // one per avatar version
  const before = await rows.count();

  const corrupt = path.join(out, 'corrupt.avatar');
  fs.writeFileSync(corrupt, Buffer.from('AVBUNDLE this is not a bundle'));
  await page.getByLabel('Avatar bundle file').setInputFiles(corrupt);
  await expect(page.getByText(/Could not import corrupt\.avatar: /)).toBeVisible({ timeout: 30_000 });
  await expect(rows).toHaveCount(before);

  await page.getByLabel('Avatar bundle file').setInputFiles(bundle);
  await expect(page.getByText(/^Imported /)).toBeVisible({ timeout: 30_000 });
  await expect(rows).toHaveCount(before + 1);
  await page.screenshot({ path: testInfo.outputPath('import-avatar.png') });
});
