/**
 * The GPU kit's entry (bundled by bench/gpu-kit/pack.mjs into kit.mjs; run by run.sh). Progress goes to stderr; the
 * last stdout line is ONE JSON object:
 *
 *   adapter      the adapter report of createNodeDevice() ('auto': a real GPU first)
 *   conformance  GPU kernels vs the CPU reference, both kernel families (conformance.ts)
 *   bench        forward / backward / train step / sorts at 512² for 10k / 65k / 250k Gaussians (bench/engine)
 *   training     the packed capture trained with the studio's AvatarTrainer, held-out PSNR/SSIM (avatar.ts)
 *   live         per-frame cost of the live path on the trained avatar (avatar.ts)
 *   totalSeconds, budgetSeconds, …
 *
 * Every section is guarded: a failure is reported as { error } in its place and the others still run. A global time
 * budget (default 420 s on a GPU, 900 s on a CPU adapter) shortens the later sections; a watchdog prints what there
 * is and exits if the process is still running 45 s after it (a hung GPU queue).
 *
 *   node kit.mjs [--quick] [--steps N] [--sizes 10000,65000,250000] [--res 512] [--iters 5] [--preset high]
 *                [--train-size 512] [--uv 256] [--live-size 512] [--live-frames 50] [--budget S]
 *                [--skip conformance,bench,training,live] [--adapter auto|default|swiftshader|opengles] [--capture DIR]
 * On a CPU adapter (SwiftShader, llvmpipe) the defaults shrink: 10k only at 256², 256² training, UV 64², 100 steps.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isCpuDevice } from '../../../native/engine/gpu/adapter-kind';
import { enableSentinelFill } from '../../../native/engine/gpu/buffers';
import type { EngineDevice } from '../../../native/engine/gpu/engine-device';
import { createNodeDevice, type AdapterChoice } from '../../../native/engine/gpu/node-device';
import { TRAINING_PRESETS } from '../../../src/main/services/training/presets';
import { runEngineBench } from '../../engine/index';
import { runLive, runTraining, untrainedAvatar, type TrainedAvatar } from './avatar';
import { loadKitCapture, type LoadedCapture } from './capture';
import { runConformance } from './conformance';

const KIT_VERSION = 1;
const T0 = performance.now();
const log = (section: string) => (m: string) => process.stderr.write(`[${section} ${((performance.now() - T0) / 1000).toFixed(0)}s] ${m}\n`);
const say = log('kit');
const r2 = (x: number) => Math.round(x * 100) / 100;
const errorText = (e: unknown) => String((e as Error)?.stack ?? e).slice(0, 1000);

const USAGE =
  'node kit.mjs [--quick] [--steps N] [--sizes 10000,65000,250000] [--res 512] [--iters 5] [--preset high] [--train-size 512] [--uv 256] ' +
  '[--live-size 512] [--live-frames 50] [--budget S] [--skip conformance,bench,training,live] [--adapter auto|default|swiftshader|opengles] [--capture DIR]';
const o = (() => {
  try {
    return parseKitArgs();
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ kit: 'avatar-studio-gpu-kit', version: KIT_VERSION, ok: false, error: `bad arguments: ${(e as Error).message}`, usage: USAGE })}\n`);
    process.exit(2);
  }
})();
function parseKitArgs() {
  return parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      steps: { type: 'string' },
      sizes: { type: 'string' },
      res: { type: 'string' },
      iters: { type: 'string' },
      preset: { type: 'string' },
      'train-size': { type: 'string' },
      uv: { type: 'string' },
      'live-size': { type: 'string' },
      'live-frames': { type: 'string' },
      budget: { type: 'string' },
      skip: { type: 'string', default: '' },
      adapter: { type: 'string' },
      capture: { type: 'string' },
    },
  }).values;
}
if (o.preset && !(o.preset in TRAINING_PRESETS)) {
  process.stdout.write(`${JSON.stringify({ kit: 'avatar-studio-gpu-kit', version: KIT_VERSION, ok: false, error: `bad arguments: --preset ${o.preset} is not one of ${Object.keys(TRAINING_PRESETS).join(', ')}`, usage: USAGE })}\n`);
  process.exit(2);
}
if (o.adapter) process.env.STUDIO_GPU_ADAPTER = o.adapter;
const skip = new Set(o.skip!.split(',').map((s) => s.trim()).filter(Boolean));
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

const result: Record<string, unknown> = {
  kit: 'avatar-studio-gpu-kit',
  version: KIT_VERSION,
  node: process.version,
  host: { platform: `${process.platform}-${process.arch}`, cpus: os.availableParallelism(), memoryGiB: r2(os.totalmem() / 2 ** 30) },
  // What run.sh set up (carried libraries, driver files), for diagnosing an adapter problem.
  setup: {
    notes: (process.env.GPU_KIT_NOTES ?? '').split(';').map((s) => s.trim()).filter(Boolean),
    ldLibraryPath: process.env.LD_LIBRARY_PATH ?? null,
    vkDriverFiles: process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES ?? null,
  },
};
let emitted = false;
function emit(extra: Record<string, unknown> = {}): void {
  if (emitted) return;
  emitted = true;
  Object.assign(result, extra, { totalSeconds: r2((performance.now() - T0) / 1000), loadAverage1m: r2(os.loadavg()[0]!) });
  const line = JSON.stringify(result);
  // Also beside the bundle, for run.sh to find if stdout was lost (best effort).
  try {
    if (process.env.GPU_KIT_RESULT) fs.writeFileSync(process.env.GPU_KIT_RESULT, `${line}\n`);
  } catch {
    /* best effort */
  }
  process.stdout.write(`${line}\n`);
}
process.on('unhandledRejection', (e) => say(`unhandled rejection: ${errorText(e)}`));

let running: string | null = null;
/** Runs a section; its value or { error } goes into the result under `name`. */
async function section<T>(name: string, fn: () => Promise<T>): Promise<T | null> {
  if (skip.has(name)) {
    result[name] = { skipped: true };
    return null;
  }
  const t = performance.now();
  say(`${name}: start`);
  running = name;
  try {
    const v = await fn();
    result[name] = v;
    say(`${name}: done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return v;
  } catch (e) {
    result[name] = { error: errorText(e), seconds: r2((performance.now() - t) / 1000) };
    say(`${name}: FAILED: ${errorText(e)}`);
    return null;
  }
}

// A hung GPU queue would block forever: print what there is and leave (420 + 45 s: inside 8 minutes on a GPU).
const WATCHDOG_S = 45;
let watchdog: NodeJS.Timeout | undefined;
function armWatchdog(budgetSeconds: number): void {
  clearTimeout(watchdog);
  watchdog = setTimeout(() => {
    say(`watchdog: past the budget + ${WATCHDOG_S} s, giving up`);
    if (running && !(running in result)) result[running] = { error: 'still running when the watchdog fired (a hung GPU queue?)' };
    emit({ aborted: `watchdog: the budget + ${WATCHDOG_S} s passed (a section hung?)`, ok: false });
    process.exit(3);
  }, (budgetSeconds + WATCHDOG_S) * 1000 - (performance.now() - T0));
}
armWatchdog(num(o.budget) ?? 420); // until the adapter is known

// ---- adapter ------------------------------------------------------------------------------------------------------
let engine: EngineDevice | null = null;
await section('adapter', async () => {
  const t = performance.now();
  engine = await createNodeDevice({ label: 'gpu-kit', adapter: (o.adapter as AdapterChoice | undefined) ?? undefined });
  const a = engine.adapter;
  say(`adapter: ${a.vendor} ${a.architecture} ${a.description} (${a.backend}, via ${a.via})`);
  const seconds = r2((performance.now() - t) / 1000);
  const cpuAdapter = isCpuDevice(engine.device);
  // On a CPU adapter, say why the native backend (a real GPU) gave none: the first thing to know on a GPU machine.
  let nativeBackendError: string | undefined;
  if (cpuAdapter && a.via !== 'default' && !o.adapter && !process.env.STUDIO_GPU_ADAPTER) {
    try {
      (await createNodeDevice({ label: 'gpu-kit-probe', adapter: 'default' })).destroy();
    } catch (e) {
      nativeBackendError = (e as Error).message.slice(0, 600);
    }
  }
  return { ...a, cpuAdapter, seconds, ...(nativeBackendError ? { nativeBackendError } : {}) };
});
const cpu = engine ? isCpuDevice((engine as EngineDevice).device) : true;
const quick = o.quick!;
const budgetS = num(o.budget) ?? (cpu ? (quick ? 400 : 900) : quick ? 200 : 420);
const deadline = T0 + budgetS * 1000;
const cfg = {
  sizes: (o.sizes ?? (cpu ? '10000' : quick ? '10000,65000' : '10000,65000,250000')).split(',').map(Number),
  res: num(o.res) ?? (cpu ? 256 : 512),
  iters: num(o.iters) ?? (cpu ? 2 : quick ? 3 : 5),
  preset: (o.preset ?? 'high') as 'preview' | 'standard' | 'high',
  trainSize: num(o['train-size']) ?? (cpu ? 256 : 512),
  uv: num(o.uv) ?? (cpu ? 64 : 256),
  steps: num(o.steps) ?? (cpu ? (quick ? 30 : 100) : quick ? 500 : 3000),
  liveSize: num(o['live-size']) ?? (cpu ? 256 : 512),
  liveFrames: num(o['live-frames']) ?? 50,
};
result.mode = { cpuAdapter: cpu, quick, budgetSeconds: budgetS, ...cfg };
say(`mode: ${JSON.stringify(result.mode)}`);
armWatchdog(budgetS);

const left = () => (deadline - performance.now()) / 1000;
/** Deadline for a section: at most `maxS` seconds, and `reserveS` seconds left for what follows. */
const until = (maxS: number, reserveS: number) => Math.min(performance.now() + maxS * 1000, deadline - reserveS * 1000);
const needEngine = (): EngineDevice => {
  if (!engine) throw new Error('no GPU adapter (see adapter.error)');
  return engine;
};

// ---- conformance (a device of its own, sentinel-filled buffers as in the tests) ------------------------------------
await section('conformance', async () => {
  const t = performance.now();
  // The same adapter as the main device (its `via`), on a device of its own.
  const own = await createNodeDevice({ label: 'gpu-kit-conformance', adapter: needEngine().adapter.via as AdapterChoice });
  enableSentinelFill(own.device);
  try {
    const stopAt = until(cpu ? 300 : 90, cpu ? 400 : 300);
    const report = await runConformance(own, { log: log('conformance'), shouldStop: () => performance.now() > stopAt });
    return { ...report, seconds: r2((performance.now() - t) / 1000) };
  } finally {
    own.destroy();
  }
});

// ---- engine bench -------------------------------------------------------------------------------------------------
await section('bench', async () => {
  const e = needEngine();
  const t = performance.now();
  const stopAt = until(cpu ? 120 : 150, cpu ? 250 : 200);
  const results = await runEngineBench(e.device, { sizes: cfg.sizes, res: cfg.res, iters: cfg.iters, log: log('bench'), shouldStop: () => performance.now() > stopAt });
  const errors = e.takeErrors();
  return { res: cfg.res, iters: cfg.iters, shDegree: 3, results, skippedSizes: cfg.sizes.slice(results.length), seconds: r2((performance.now() - t) / 1000), ...(errors.length ? { gpuErrors: errors.slice(0, 5) } : {}) };
});

// ---- training -----------------------------------------------------------------------------------------------------
let capture: LoadedCapture | null = null;
let avatar: TrainedAvatar | null = null;
const captureDir = o.capture ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'capture');
const loadCapture = () => {
  if (!capture) {
    const t = performance.now();
    capture = loadKitCapture(captureDir, cfg.trainSize);
    say(`capture: ${capture.train.length} train + ${capture.test.length} test frames at ${capture.width}x${capture.height} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
  return capture;
};
await section('training', async () => {
  const e = needEngine();
  const cap = loadCapture();
  // Keep time for evaluation and the live section.
  const { report, avatar: a } = await runTraining(e, cap, { preset: cfg.preset, steps: cfg.steps, uvResolution: cfg.uv, deadline: deadline - (cpu ? 90 : 45) * 1000, log: log('training') });
  avatar = a;
  return report; // with `error` when a step or the evaluation failed (what ran is still reported)
});

// ---- live ---------------------------------------------------------------------------------------------------------
await section('live', async () => {
  const e = needEngine();
  const cap = loadCapture();
  const a = avatar ?? untrainedAvatar(e, cap, cfg.uv, TRAINING_PRESETS[cfg.preset].shDegree);
  try {
    return await runLive(e, cap, a, { size: cfg.liveSize, frames: cfg.liveFrames, deadline: Math.max(deadline, performance.now() + 20_000), log: log('live') });
  } finally {
    if (a !== avatar) a.destroy();
  }
});

clearTimeout(watchdog);
(avatar as TrainedAvatar | null)?.destroy();
const conformance = result.conformance as { failed?: number; skipped?: number } | undefined;
emit({ budgetLeftSeconds: r2(left()), ok: ['adapter', 'conformance', 'bench', 'training', 'live'].every((k) => !(result[k] as { error?: unknown } | undefined)?.error) && !conformance?.failed && !conformance?.skipped });
(engine as EngineDevice | null)?.destroy();
process.exit(0);
