/**
 * What running a job's GPU work away from the job costs (the engine placement, docs/architecture.md "Where GPU work
 * runs"): the same training and render sessions (native/engine/host/gpu-sessions.ts) driven
 *   - in process on dawn.node (`localGpuJobs`: web mode and the CLI),
 *   - over a structured-clone channel to an EngineServer on the same device (the protocol's own cost, adapter equal),
 *   - in the engine page on Chromium's WebGPU (Debian Chromium through Playwright; what the desktop app does in a
 *     hidden window, with one more hop through main).
 * Synthetic scene: the open head with a known UV texture, N frames rendered at S². Train steps: one call a step, and
 * one call for all (the job batches ~250 ms a call), each timing closed by a loss read-back; call round trip and
 * 256² render (with its read-back): medians. The Chromium bridge here is Playwright's (page.evaluate per message),
 * slower than Electron's MessagePort.
 *
 *   node bench/run.mjs gpu-sessions [--size 128] [--frames 24] [--steps 30] [--renders 20] [--no-chromium]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { initFromUvLayout } from '../../native/engine/avatar/binding/init';
import { canonicalFace } from '../../native/engine/avatar/open-head/build';
import { proceduralExpressionBasis } from '../../native/engine/avatar/open-head/procedural-expressions';
import { openHeadFor, type StoredExpressionSpace } from '../../native/engine/avatar/open-head/stored-space';
import { posedVertices } from '../../native/engine/avatar/trainer/frames';
import { proceduralTexture, randomCamera, randomHeadParams, renderFrames, uvAvatar } from '../../native/engine/avatar/trainer/test-fixtures';
import { createNodeDevice } from '../../native/engine/gpu/node-device';
import { createChromiumEngineHost } from '../../native/engine/host/chromium-engine-host';
import { EngineClient, type EngineChannel } from '../../native/engine/host/engine-host';
import { EngineServer } from '../../native/engine/host/engine-server';
import { localGpuJobs, remoteGpuJobs, type GpuJobs } from '../../native/engine/host/gpu-jobs';
import type { TrainSessionInit } from '../../native/engine/avatar/trainer/train-session';
import { openEnginePage, serveEnginePage } from '../../e2e/engine-page';

const { values: a } = parseArgs({ options: { size: { type: 'string', default: '128' }, frames: { type: 'string', default: '24' }, steps: { type: 'string', default: '30' }, renders: { type: 'string', default: '20' }, 'no-chromium': { type: 'boolean', default: false } } });
const S = Number(a.size), N = Number(a.frames), STEPS = Number(a.steps), RENDERS = Number(a.renders);
process.env.XDG_RUNTIME_DIR ??= os.tmpdir();
const log = (m: string) => process.stderr.write(`[gpu-sessions] ${m}\n`);
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

const e = proceduralExpressionBasis();
const space: StoredExpressionSpace = { mean: Array.from(canonicalFace()), basis: Array.from(e.basis), count: e.count, range: Array.from(e.range), sigma: [], varianceKept: 1 };
const model = openHeadFor(space);
const engine = await createNodeDevice({ label: 'bench-gpu-sessions' });
const gt = uvAvatar(model, 48, { texture: proceduralTexture(), opacity: 0.8, scaleFactor: 0.8 });
const views = Array.from({ length: N }, (_, i) => ({ head: randomHeadParams(model, 100 + i), camera: randomCamera(200 + i, S) }));
const frames = await renderFrames(engine.device, model, gt, views);
const start = initFromUvLayout({ vertices: model.evaluate({}), triangles: model.triangles }, model.uv!, { resolution: 32, shDegree: 0 }).data;
const trainInit: TrainSessionInit = { space, frames, start, options: { seed: 1, densify: null, prune: null } };
const renderInit = { data: gt, triangles: model.triangles, vertexCount: model.vertexCount };
const renderCamera = randomCamera(7, 256);
const renderVertices = posedVertices(model, randomHeadParams(model, 8));
const uploadBytes = frames.reduce((s, f) => s + f.image.byteLength + (f.mask?.byteLength ?? 0), 0);

async function measure(jobs: GpuJobs, label: string) {
  const t0 = performance.now();
  const train = await jobs.open('train', trainInit);
  const openMs = performance.now() - t0;
  const stateMs: number[] = [];
  for (let i = 0; i < 15; i++) {
    const s = performance.now();
    await train.state();
    stateMs.push(performance.now() - s);
  }
  await train.train({ maxSteps: 2 }); // compile pipelines
  await train.loss();
  // A step call may return before the device has finished (a browser queues the work): each timing ends with a
  // read-back of the loss, so it counts the work done.
  let at = (await train.state()).step;
  const s0 = performance.now();
  for (const end = at + STEPS; at < end; ) at = (await train.train({ maxSteps: at + 1 })).step;
  await train.loss();
  const stepMs = (performance.now() - s0) / STEPS;
  const b0 = performance.now();
  const batched = await train.train({ maxSteps: at + STEPS, budgetMs: 1e9 });
  await train.loss();
  const batchedStepMs = (performance.now() - b0) / (batched.step - at);
  const ck0 = performance.now();
  const ck = await train.checkpoint();
  const checkpointMs = performance.now() - ck0;
  await train.close();
  const render = await jobs.open('render', renderInit);
  await render.render(renderVertices, renderCamera, { over: [0, 0, 0] });
  const renderMs: number[] = [];
  for (let i = 0; i < RENDERS; i++) {
    const s = performance.now();
    await render.render(renderVertices, renderCamera, { over: [0, 0, 0] });
    renderMs.push(performance.now() - s);
  }
  await render.close();
  const adapter = await jobs.start();
  const out = {
    adapter: `${adapter.description || adapter.device || adapter.vendor} (${adapter.backend}, via ${adapter.via})`,
    openTrainSessionMs: +openMs.toFixed(1),
    callRoundTripMs: +median(stateMs).toFixed(3),
    trainStepMs: +stepMs.toFixed(1),
    trainStepBatchedMs: +batchedStepMs.toFixed(1),
    checkpointMs: +checkpointMs.toFixed(1),
    checkpointBytes: ck.byteLength,
    render256Ms: +median(renderMs).toFixed(1),
  };
  log(`${label}: ${JSON.stringify(out)}`);
  return out;
}

/** Client ↔ EngineServer over structured clone in this process, on the same device as the local run. */
function inMemory(): GpuJobs {
  let toClient: (m: unknown) => void = () => undefined;
  const server = new EngineServer({ createDevice: async () => ({ ...engine, destroy: () => undefined }), send: (m) => setImmediate(() => toClient(structuredClone(m))) });
  const channel: EngineChannel = { post: (m) => setImmediate(() => void server.handle(structuredClone(m))), onMessage: (l) => (toClient = l), onClose: () => undefined, close: () => undefined };
  return remoteGpuJobs(new EngineClient('chromium', async () => channel));
}

const result: Record<string, unknown> = { scene: { frames: N, size: S, uploadMB: +(uploadBytes / 2 ** 20).toFixed(2), gaussiansStart: 'open head UV 32²' }, steps: STEPS };
result.local = await measure(localGpuJobs(async () => ({ ...engine, destroy: () => undefined })), 'in process (dawn.node)');
result.channel = await measure(inMemory(), 'over a structured-clone channel (same device)');
if (!a['no-chromium']) {
  const served = await serveEnginePage();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const host = createChromiumEngineHost(() => openEnginePage(browser as never, served.baseUrl));
    result.chromium = await measure(remoteGpuJobs(host as EngineClient), 'engine page (Chromium WebGPU)');
    await host.dispose();
  } finally {
    await browser.close();
    await served.close();
  }
}
engine.destroy();
result.machine = { cpus: os.cpus().length, load: os.loadavg().map((x) => +x.toFixed(1)) };
console.log(JSON.stringify(result));
