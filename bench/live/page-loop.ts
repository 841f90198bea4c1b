/**
 * The Live page's loop rate in a real Chromium, by tracking path, beside the exported web player's on the same
 * generated driver (issue 21, item 3). Not a test: figures only.
 *
 * `node --import tsx bench/live/page-loop.ts [--seconds 20] [--uv 48] [--camera 640x480] [--fps 30] [--side 256]
 *  [--paths auto,host,page] [--no-player] [--rounds 1]` (build first: `npx electron-vite build`). Prints one JSON
 *  object last. With `--rounds N` the configurations run in turn N times (Live's paths, then the player, again…), so a
 *  machine whose load changes meanwhile weighs on all of them alike; each figure is then the median over the rounds.
 *
 *  - A library crafted in-process (a crafted tracked capture and an untrained avatar initialised on the open head's UV
 *    layout at `--uv`², as e2e/export.spec.ts does: no training), web mode started from the built CLI.
 *  - The driver: e2e/live-driver.ts's face photo opening and closing its mouth, written as a `--camera` Y4M at `--fps`
 *    and played by Chromium's fake camera (`--use-file-for-fake-video-capture`), as a webcam would give it.
 *  - Live: the page opened on the avatar; for each path of `--paths` the page's "Tracking" select is set (`auto` = as
 *    the page chooses by itself; a build without the select runs its only path, reported as `host`), then after a
 *    warm-up the overlay is read every second for `--seconds`: tracked camera frames/s, avatar frames/s (counted from
 *    the avatar view's `data-frames`), the per-frame tracking ms (page round trip) and its host share, render ms,
 *    latency. Medians over the samples.
 *  - Player: the same avatar exported as `player`, served by a plain static server, opened at `?size=SIDE×SIDE` (Live
 *    renders SIDE² on a CPU adapter: the same work per avatar frame), "Drive with webcam" on; every second:
 *    camera frames tracked in the last second (`avatarPlayer.webcam.fps`, what the player shows as fps), avatar
 *    frames/s (`avatarPlayer.frames`), mean tracking ms.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { buildModels, DEFAULT_MODELS_DIR } from '../../native/models/build';
import { StudioHost } from '../../src/main/host/studio-host';
import { craftAvatar } from '../../src/main/services/export/test-avatar';
import { craftTrackedCapture } from '../../src/main/services/training/test-capture';
import type { Job } from '../../src/shared/model/job';
import { makeDriverClip } from '../../e2e/live-driver';
import { launchChromium, serveFolder, startWebMode } from '../../e2e/chromium';

const args = process.argv.slice(2);
const flag = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const seconds = Number(flag('seconds', '20'));
const uv = Number(flag('uv', '48'));
const [camW, camH] = flag('camera', '640x480').split('x').map(Number) as [number, number];
const camFps = Number(flag('fps', '30'));
const side = Number(flag('side', '256'));
const paths = flag('paths', 'auto,host,page').split(',');
const withPlayer = !args.includes('--no-player');
const rounds = Number(flag('rounds', '1'));
/** Diagnostic: hide the camera view (its compositing costs CPU on a software GPU), to see what it costs the loop. */
const hideCamera = args.includes('--hide-camera');
const WARMUP_S = 6;
const log = (s: string) => process.stderr.write(`[bench:live-page] ${s}\n`);
const root = path.resolve(import.meta.dirname, '../..');
process.chdir(root);

const median = (xs: (number | null)[]): number | null => {
  const s = xs.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? Number(s[s.length >> 1]!.toFixed(1)) : null;
};

if (!fs.existsSync('out/main/cli.js') || !fs.existsSync('out/player/index.html')) throw new Error('Build the studio first: npx electron-vite build');
buildModels(DEFAULT_MODELS_DIR, { only: ['blazeface', 'facemesh', 'iris'] });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-live-page-'));
const libraryDir = path.join(tmp, 'library');
const playerDir = path.join(tmp, 'player');

// The library: a crafted capture and avatar; the player exported in-process.
log('crafting the library and exporting the player…');
const host = StudioHost.open({ libraryDir, frontDoor: 'cli' });
const projectId = host.services.projects.create('Live bench').id;
fs.mkdirSync(path.join(tmp, 'media'));
const capture = await craftTrackedCapture(host, projectId, path.join(tmp, 'media'), { frames: 4 });
const { avatarId, data } = craftAvatar(host, projectId, capture.id, uv);
if (withPlayer) {
  const started = await host.dispatch('exports.create', { avatarId, format: 'player', path: playerDir });
  if (!started.ok) throw new Error(started.error.message);
  const job: Job = await host.jobs.waitFor((started.result as Job).id);
  if (job.status !== 'completed') throw new Error(`player export ${job.status}: ${job.error?.message}`);
}
await host.close();

log(`writing the driver (${camW}×${camH} at ${camFps} fps)…`);
const clip = await makeDriverClip(path.join(tmp), { width: camW, height: camH, fps: camFps, neutralSeconds: 3, cycles: 2 });

const launch = (): Promise<Browser> => launchChromium(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${clip.file}`]);

interface Overlay {
  fps: number | null;
  trackMs: number | null;
  trackFps: number | null;
  /** The tracker's own share: the host's (`host N ms`) or the page worker's (`worker N ms`). */
  workMs: number | null;
  renderMs: number | null;
  latencyMs: number | null;
  path: string | null;
  /** The overlay's path label, e.g. `page (auto: host 95 / page 41 ms)`; null before the path select existed. */
  label: string | null;
  /** The panel's note under the path select (what auto measured, or why the page path is not available). */
  hint: string | null;
  frames: number;
}

/** The Live overlay, parsed: `fps F · tracking T ms (R/s, host H ms) · render … ms · latency … ms` (+ the path, when shown). */
async function readOverlay(page: Page): Promise<Overlay> {
  // (a string: this file is type-checked without the DOM library, and tsx would wrap inner functions in a helper)
  const raw = (await page.evaluate(`({
    text: document.querySelector('[data-testid="live-metrics"]')?.textContent ?? '',
    path: document.querySelector('[data-testid="live-metrics"]')?.dataset.path ?? null,
    label: document.querySelector('[data-testid="live-path"]')?.textContent ?? null,
    hint: document.querySelector('[data-testid="live-tracking-path"]')?.textContent ?? null,
    frames: Number(document.querySelector('[data-testid="live-avatar"]')?.dataset.frames ?? 0),
  })`)) as { text: string; path: string | null; label: string | null; hint: string | null; frames: number };
  const num = (re: RegExp) => {
    const m = re.exec(raw.text);
    return m && m[1] !== '–' ? Number(m[1]) : null;
  };
  return {
    fps: num(/fps ([\d.–]+)/),
    trackMs: num(/tracking ([\d.–]+) ms/),
    trackFps: num(/\(([\d.–]+)\/s/),
    workMs: num(/(?:host|worker) ([\d.–]+) ms\)/),
    renderMs: num(/render ([\d.–]+) ms/),
    latencyMs: num(/latency\s*([\d.–]+)/),
    path: raw.path,
    label: raw.label,
    hint: raw.hint,
    frames: raw.frames,
  };
}

async function liveRun(browser: Browser, url: string, choice: string): Promise<Record<string, unknown>> {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  page.on('console', (m) => m.type() === 'error' && log(`[page] ${m.text()}`));
  await page.goto(`${url}#/project/${projectId}/live/${avatarId}`);
  await page.getByTestId('live').and(page.locator('[data-state="ready"]')).waitFor({ timeout: 60_000 });
  // (through the CSSOM: the page's CSP refuses style elements)
  if (hideCamera) await page.evaluate(`document.querySelector('video.live-video').style.visibility = 'hidden'`);
  const select = page.getByRole('combobox', { name: 'Tracking path' });
  const hasSelect = (await select.count()) > 0;
  if (!hasSelect && choice !== 'host' && choice !== 'auto') {
    await page.context().close();
    return { skipped: 'this build has no tracking path select (host tracking only)' };
  }
  if (hasSelect) await select.selectOption(choice);
  // Warm-up: the tracker's models, the engine's shaders, the automatic choice's trial frames.
  const t0 = Date.now();
  while (Date.now() - t0 < 60_000) {
    const o = await readOverlay(page);
    if (o.frames > 2 && o.trackFps !== null && (choice !== 'auto' || !hasSelect || !/measuring/.test(o.label ?? ''))) break;
    await page.waitForTimeout(500);
  }
  await page.waitForTimeout(WARMUP_S * 1000);
  const samples: Overlay[] = [];
  const first = await readOverlay(page);
  const start = Date.now();
  for (let s = 0; s < seconds; s++) {
    await page.waitForTimeout(1000);
    samples.push(await readOverlay(page));
  }
  const elapsed = (Date.now() - start) / 1000;
  const last = samples.at(-1)!;
  const chosen = last.path;
  await page.context().close();
  const result = {
    path: hasSelect ? chosen : 'host',
    label: last.label,
    hint: last.hint,
    warmupS: Number(((start - t0) / 1000).toFixed(1)),
    trackedFps: median(samples.map((s) => s.trackFps)),
    avatarFps: Number(((last.frames - first.frames) / elapsed).toFixed(2)),
    overlayFps: median(samples.map((s) => s.fps)),
    trackMs: median(samples.map((s) => s.trackMs)),
    workMs: median(samples.map((s) => s.workMs)),
    renderMs: median(samples.map((s) => s.renderMs)),
    latencyMs: median(samples.map((s) => s.latencyMs)),
    samples: samples.length,
  };
  log(`live ${choice}: ${JSON.stringify(result)}`);
  return result;
}

interface PlayerState {
  frames: number;
  webcam: { state: string; phase: string; fps: number; trackMs: number; frames: number; tracked: number } | null;
}

async function playerRun(browser: Browser): Promise<Record<string, unknown>> {
  const server = await serveFolder(playerDir, 'index.html');
  try {
    const page = await (await browser.newContext({ viewport: { width: 1000, height: 700 } })).newPage();
    await page.goto(`${server.baseUrl}/index.html?size=${side}x${side}`);
    const state = async () => (await page.evaluate('window.avatarPlayer')) as PlayerState & { state: string };
    for (let i = 0; i < 120 && (await state()).state !== 'ready'; i++) await page.waitForTimeout(500);
    await page.getByTestId('webcam-drive').check();
    for (let i = 0; i < 120 && (await state()).webcam?.phase !== 'driving'; i++) await page.waitForTimeout(500);
    await page.waitForTimeout(WARMUP_S * 1000);
    const first = await state();
    const start = Date.now();
    const fps: number[] = [];
    for (let s = 0; s < seconds; s++) {
      await page.waitForTimeout(1000);
      fps.push((await state()).webcam?.fps ?? 0);
    }
    const elapsed = (Date.now() - start) / 1000;
    const last = await state();
    await page.context().close();
    const result = {
      trackedFps: median(fps),
      trackedFpsCounted: Number((((last.webcam?.frames ?? 0) - (first.webcam?.frames ?? 0)) / elapsed).toFixed(2)),
      avatarFps: Number(((last.frames - first.frames) / elapsed).toFixed(2)),
      trackMsMean: Number((last.webcam?.trackMs ?? 0).toFixed(1)),
      withFace: last.webcam ? Number((last.webcam.tracked / Math.max(1, last.webcam.frames)).toFixed(3)) : null,
      samples: fps.length,
    };
    log(`player: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await server.close();
  }
}

log('starting web mode…');
const web = await startWebMode(libraryDir);
const browser = await launch();
const out: Record<string, unknown> = {
  bench: 'live-page-loop',
  camera: `${camW}x${camH}@${camFps}`,
  renderSide: side,
  gaussians: data.count,
  seconds,
  machine: { cpus: os.availableParallelism(), loadAverage: os.loadavg().map((x) => Number(x.toFixed(1))) },
};
try {
  const runs: Record<string, Record<string, unknown>[]> = {};
  for (let r = 0; r < rounds; r++) {
    if (rounds > 1) log(`round ${r + 1} of ${rounds}`);
    for (const p of paths) (runs[`live.${p}`] ??= []).push(await liveRun(browser, web.url, p));
    if (withPlayer) (runs.player ??= []).push(await playerRun(browser));
  }
  // one figure per configuration: the median over the rounds of each number (labels: the last round's)
  const combine = (list: Record<string, unknown>[]): Record<string, unknown> =>
    Object.fromEntries(Object.keys(list[0]!).map((k) => [k, typeof list[0]![k] === 'number' ? median(list.map((x) => x[k] as number)) : list.at(-1)![k]]));
  const live: Record<string, unknown> = {};
  for (const p of paths) live[p] = rounds > 1 ? { ...combine(runs[`live.${p}`]!), rounds: runs[`live.${p}`] } : runs[`live.${p}`]![0];
  out.live = live;
  if (withPlayer) out.player = rounds > 1 ? { ...combine(runs.player!), rounds: runs.player } : runs.player![0];
} finally {
  await browser.close();
  web.child.kill('SIGTERM');
  await new Promise((r) => web.child.once('exit', r));
  fs.rmSync(tmp, { recursive: true, force: true });
}
out.loadAfter = os.loadavg().map((x) => Number(x.toFixed(1)));
console.log(JSON.stringify(out));
