/**
 * Every GPU job kind with its GPU work on Chromium's WebGPU — what the desktop app does, proven without Electron.
 *
 * A services host opened with the 'chromium' job placement runs its jobs exactly as Electron's main process does
 * (job-gpu-relay.ts): each job's worker process opens GPU sessions, the host opens an engine page for that job and
 * relays the messages. Here the engine page runs in Debian's Chromium (SwiftShader WebGPU) bridged through
 * Playwright; in Electron it is a hidden window. The same job, on a copy of the same library, also runs with the
 * 'node' placement (dawn.node in the worker), and the results are compared: photometric refinement (tracking),
 * training, baking, video export and driving.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser } from '@playwright/test';
import { PNG } from 'pngjs';
import type { Job } from '../../src/shared/model/job';
import { rodrigues, rotationAngleBetween } from '../../native/engine/avatar/math';
import { StudioHost } from '../../src/main/host/studio-host';
import { openEnginePage, serveEnginePage, type ServedEnginePage } from '../engine-page';
import { launchChromium } from '../support';

const PHOTO = path.resolve('node_modules/@vladmandic/face-api/demo/sample3.jpg');

let served: ServedEnginePage | null = null;
let browser: Browser;
const temps: string[] = [];
/** Engine pages opened for jobs, per label: proves the chromium-placed jobs did their GPU work there. */
const pagesOpened: Record<string, number> = {};
let media = '';

function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}

type Placement = 'node' | 'chromium';

function openHost(libraryDir: string, placement: Placement, label: string): StudioHost {
  return StudioHost.open({
    libraryDir,
    frontDoor: 'cli',
    engineHost: null,
    ...(placement === 'chromium'
      ? {
          jobGpu: {
            placement: 'chromium' as const,
            openEnginePage: async () => {
              pagesOpened[label] = (pagesOpened[label] ?? 0) + 1;
              return openEnginePage(browser, served!.baseUrl, `${label} engine page`);
            },
          },
        }
      : {}),
  });
}

async function run(host: StudioHost, method: string, params: unknown): Promise<Job> {
  const out = await host.dispatch(method, params);
  if (!out.ok) throw new Error(`${method}: ${out.error.message}`);
  const job = await host.jobs.waitFor((out.result as Job).id);
  expect(job.error, `${method} failed: ${JSON.stringify(job.error)}`).toBeNull();
  expect(job.status).toBe('completed');
  return job;
}

/** A closed library copied (SQLite file and project folders; every stored path is relative to the library). */
function copyLibrary(from: string, prefix: string): string {
  const to = tempDir(prefix);
  fs.cpSync(from, to, { recursive: true });
  return to;
}

/**
 * Runs `step` on a copy of `libraryDir` in a host of each placement; returns both results (node first). The
 * library itself is left as the node host left it, so the next stage builds on the node run.
 */
async function onBoth<T>(libraryDir: string, label: string, step: (host: StudioHost, libraryDir: string) => Promise<T>): Promise<{ node: T; chromium: T }> {
  const chromiumDir = copyLibrary(libraryDir, `gpu-jobs-${label}-chromium-`);
  const runIn = async (dir: string, placement: Placement): Promise<T> => {
    const host = openHost(dir, placement, label);
    try {
      return await step(host, dir);
    } finally {
      await host.close();
    }
  };
  const node = await runIn(libraryDir, 'node');
  const before = pagesOpened[label] ?? 0;
  const chromium = await runIn(chromiumDir, 'chromium');
  expect(pagesOpened[label] ?? 0, `the chromium-placed ${label} job opened an engine page`).toBeGreaterThan(before);
  return { node, chromium };
}

function psnr8(a: Uint8Array | Buffer, b: Uint8Array | Buffer): number {
  expect(a.length).toBe(b.length);
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  const mse = se / a.length / 255 ** 2;
  return mse === 0 ? Infinity : -10 * Math.log10(mse);
}

/** Decoded frames of a video as one raw RGB buffer per frame. */
function decodeFrames(file: string, size: number): Buffer[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 512 * 1024 * 1024 });
  const n = size * size * 3;
  return Array.from({ length: raw.length / n }, (_, k) => raw.subarray(k * n, (k + 1) * n));
}

let library = '';
let projectId = '';
let captureId = '';
let avatarId = '';

test.describe.configure({ mode: 'serial' });
// Engine pages are opened and closed by the jobs themselves, outside the test's own page: no traces of them.
test.use({ trace: 'off' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  process.env.XDG_RUNTIME_DIR ??= os.tmpdir();
  served = await serveEnginePage();
  browser = await launchChromium();
  media = tempDir('gpu-jobs-media-');
  library = tempDir('gpu-jobs-lib-');
  // A talking-head-like clip made from a face photo an npm package ships, panned slowly.
  const clip = path.join(media, 'face.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', PHOTO, '-vf', "crop=600:600:'1180+20*sin(t*2)':'150+10*cos(t*2)',scale=256:256", '-t', '1.2', '-r', '10', '-pix_fmt', 'yuv420p', clip]);
  const host = openHost(library, 'node', 'import');
  try {
    projectId = host.services.projects.create('GPU jobs on Chromium').id;
    const job = await run(host, 'captures.import', { projectId, sources: [{ path: clip }], options: { allowDuplicate: true } });
    captureId = (job.result as { captureId: string }).captureId;
  } finally {
    await host.close();
  }
});

test.afterAll(async () => {
  await browser?.close();
  await served?.close();
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

test('tracking: photometric refinement on Chromium WebGPU refines the frames as on dawn.node', async () => {
  test.setTimeout(600_000);
  const fitOf = (host: StudioHost) => {
    const file = path.join(host.services.projects.folderOf(projectId), `captures/${captureId}/tracking/cam0/fit.json`);
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { frames: { rotation: [number, number, number]; translation: number[]; photometricLoss?: [number, number] }[] };
  };
  const { node, chromium } = await onBoth(library, 'refine', async (host) => {
    await run(host, 'tracking.start', { captureId, mask: true, photometricRefine: true });
    if (host.services.captures.get(captureId).splitCounts.test === 0) await host.dispatch('captures.proposeSplit', { captureId, testFraction: 0.2 });
    return fitOf(host);
  });
  expect(chromium.frames.length).toBe(node.frames.length);
  let maxDeg = 0, maxMm = 0, maxLossRel = 0;
  for (const [k, a] of node.frames.entries()) {
    const b = chromium.frames[k]!;
    expect(a.photometricLoss && b.photometricLoss).toBeTruthy();
    maxDeg = Math.max(maxDeg, (rotationAngleBetween(rodrigues(...a.rotation), rodrigues(...b.rotation)) * 180) / Math.PI);
    maxMm = Math.max(maxMm, 1000 * Math.hypot(...a.translation.map((x, i) => x - b.translation[i]!)));
    maxLossRel = Math.max(maxLossRel, Math.abs(a.photometricLoss![1] - b.photometricLoss![1]) / a.photometricLoss![1]);
  }
  console.log(`[gpu-jobs] refine, ${node.frames.length} frames: chromium vs node max Δrotation ${maxDeg.toFixed(3)}°, max Δtranslation ${maxMm.toFixed(2)} mm, max relative Δloss ${(100 * maxLossRel).toFixed(2)} %`);
  expect(maxDeg).toBeLessThan(0.5);
  expect(maxMm).toBeLessThan(2);
  expect(maxLossRel).toBeLessThan(0.05);
});

test('training: a tiny avatar trained on Chromium WebGPU scores as on dawn.node', async () => {
  test.setTimeout(600_000);
  const { node, chromium } = await onBoth(library, 'train', async (host) => {
    const job = await run(host, 'training.start', { captureId, preset: 'preview', overrides: { steps: 30 } });
    return job.result as { avatarId: string; metrics: { psnr: number; ssim: number }; steps: number; gaussians: number };
  });
  avatarId = node.avatarId;
  console.log(`[gpu-jobs] train, 30 steps: node ${node.metrics.psnr.toFixed(3)} dB / ${node.metrics.ssim.toFixed(4)} (${node.gaussians} Gaussians); chromium ${chromium.metrics.psnr.toFixed(3)} dB / ${chromium.metrics.ssim.toFixed(4)} (${chromium.gaussians})`);
  expect(chromium.steps).toBe(30);
  expect(Math.abs(chromium.metrics.psnr - node.metrics.psnr)).toBeLessThan(0.3);
  expect(Math.abs(chromium.metrics.ssim - node.metrics.ssim)).toBeLessThan(0.01);
});

test('baking, video export and driving the same avatar on Chromium WebGPU give the dawn.node images (≥ 40 dB)', async () => {
  test.setTimeout(600_000);
  expect(avatarId).not.toBe('');
  const W = 64;
  const { node, chromium } = await onBoth(library, 'render', async (host, dir) => {
    await run(host, 'bake.start', { avatarId, mapSize: 256, steps: 6, levels: 2 });
    const summary = JSON.parse(fs.readFileSync(path.join(host.services.projects.folderOf(projectId), `avatars/${avatarId}/bake/report.json`), 'utf8')) as { lossLast: number | null };
    const colour = PNG.sync.read(fs.readFileSync(path.join(host.services.projects.folderOf(projectId), `avatars/${avatarId}/bake/colour.png`)));
    const seqDir = path.join(dir, 'out-seq');
    await run(host, 'exports.create', { avatarId, format: 'png-sequence', path: seqDir, video: { sequence: 'turntable', width: W, height: W, frames: 3 } });
    const seq = fs.readdirSync(seqDir).filter((f) => f.endsWith('.png')).sort().map((f) => PNG.sync.read(fs.readFileSync(path.join(seqDir, f))).data);
    const driven = path.join(dir, 'driven.mp4');
    await run(host, 'drive.start', { avatarId, video: path.join(media, 'face.mp4'), path: driven, size: W, calibrationFrames: 4, smoothing: 0, followPose: false });
    return { lossLast: summary.lossLast, colour: colour.data, seq, driven: decodeFrames(driven, W) };
  });
  const bakeDb = psnr8(node.colour, chromium.colour);
  const seqDb = node.seq.map((f, k) => psnr8(f, chromium.seq[k]!));
  const driveDb = node.driven.map((f, k) => psnr8(f, chromium.driven[k]!));
  console.log(`[gpu-jobs] bake: colour map ${bakeDb.toFixed(1)} dB, last loss ${node.lossLast} vs ${chromium.lossLast}; video frames ${seqDb.map((d) => d.toFixed(1)).join(', ')} dB; driven frames min ${Math.min(...driveDb).toFixed(1)} dB over ${driveDb.length}`);
  expect(bakeDb).toBeGreaterThanOrEqual(40);
  expect(seqDb).toHaveLength(3);
  for (const d of seqDb) expect(d).toBeGreaterThanOrEqual(40);
  expect(chromium.driven.length).toBe(node.driven.length);
  expect(driveDb.length).toBeGreaterThan(0);
  for (const d of driveDb) expect(d).toBeGreaterThanOrEqual(40);
});
