/**
 * Profile of one avatar training step, per kernel and per stage, on the synthetic open-head avatar at a preset's
 * image size, UV resolution, SH degree and head tuning (the trainer the `avatar.train` job runs).
 *
 *  - step: wall time of `trainStep()` to GPU completion, and the part spent before `trainStep()` returned (on the GL
 *    backend Dawn runs the GPU work inside submit, so there it includes GPU time), medians over --steps;
 *  - kernels: every dispatch of one step is recorded (`observeDispatches`) and replayed alone --replays times, each in
 *    its own submission awaited to completion; its median minus an empty submission's is its cost. Grouped by kernel
 *    label and by stage (forward render, loss, backward, deformer, regularisers, Adam, health);
 *  - the rest of the step (step − Σ kernels) is CPU work and synchronisation: posing, head tuning, readbacks.
 *
 * Usage: npm run bench:train-profile -- [--preset preview|standard|high] [--size PX] [--uv N] [--steps 5] [--replays 5]
 *   [--head-tuning on|off] (default: the preset's)
 * Set STUDIO_GPU_ADAPTER to compare adapters. Last stdout line: JSON.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { BoundGaussians } from '../../native/engine/avatar/binding/bound-gaussians';
import { AvatarTrainer } from '../../native/engine/avatar/trainer/avatar-trainer';
import { openHeadWithExpressions, proceduralTexture, randomCamera, randomHeadParams, renderFrames, uvAvatar } from '../../native/engine/avatar/trainer/test-fixtures';
import { observeDispatches, type DispatchRecord } from '../../native/engine/gpu/kernel';
import { createNodeDevice } from '../../native/engine/gpu/node-device';
import { readCounters, type ForwardState } from '../../native/engine/splat/forward';
import { adapterFields } from '../lib/adapter';
import { TRAINING_PRESETS } from '../../src/shared/model/avatar';

const { values: o } = parseArgs({
  options: {
    preset: { type: 'string', default: 'preview' },
    size: { type: 'string' },
    uv: { type: 'string' },
    steps: { type: 'string', default: '5' },
    replays: { type: 'string', default: '5' },
    'head-tuning': { type: 'string' },
  },
});
const preset = TRAINING_PRESETS[o.preset as keyof typeof TRAINING_PRESETS];
if (!preset) throw new Error(`unknown preset ${o.preset}: preview, standard or high`);
const SIZE = Number(o.size ?? preset.imageLongSide);
const UV = Number(o.uv ?? preset.uvResolution);
const STEPS = Math.max(1, Number(o.steps));
const REPLAYS = Math.max(1, Number(o.replays));
const HEAD_TUNING = o['head-tuning'] === undefined ? preset.headTuning : o['head-tuning'] === 'on';
const log = (s: string) => process.stderr.write(`${s}\n`);
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

const engine = await createNodeDevice({ label: 'bench-train-profile' });
const device = engine.device;
const a = engine.adapter;
const adapter = `${a.vendor} ${a.architecture} ${a.description}`.trim() + ` (${a.backend}, via ${a.via})`;
log(`adapter: ${adapter}; preset ${o.preset}: ${SIZE} px, UV ${UV}², SH ${preset.shDegree}, head tuning ${HEAD_TUNING}`);

const model = openHeadWithExpressions();
const gt = uvAvatar(model, Math.max(UV, 64), { texture: proceduralTexture(), opacity: 0.8, scaleFactor: 0.8 });
const views = Array.from({ length: 8 }, (_, i) => ({ head: randomHeadParams(model, 100 + i), camera: randomCamera(200 + i, SIZE) }));
const frames = await renderFrames(device, model, gt, views);
const init = uvAvatar(model, UV);
const bound = BoundGaussians.fromData(device, init);
const trainer = new AvatarTrainer(model, bound, frames, {
  lambda: preset.dssimWeight,
  shDegree: preset.shDegree,
  seed: 1,
  intersectionCapacity: 'adaptive',
  lossWeights: { mouth: preset.mouthWeight },
  headTuning: HEAD_TUNING ? {} : null,
  densify: null,
  prune: null,
});
log(`${trainer.count} Gaussians; warming up`);
await trainer.train(3);
await device.queue.onSubmittedWorkDone();

const stepMs: number[] = [];
const jsMs: number[] = [];
for (let i = 0; i < STEPS; i++) {
  const t0 = performance.now();
  await trainer.trainStep();
  const t1 = performance.now();
  await device.queue.onSubmittedWorkDone();
  stepMs.push(performance.now() - t0);
  jsMs.push(t1 - t0);
}
log(`step median ${median(stepMs).toFixed(1)} ms (returned after ${median(jsMs).toFixed(1)} ms)`);

// The frame's intersections (tile × Gaussian pairs): the rasterisers' work is ~ intersections × tile pixels.
const lastFrame = trainer.frameForStep(trainer.step);
const state = await (trainer as unknown as { renderFrame(i: number, bg: readonly number[]): Promise<ForwardState> }).renderFrame(lastFrame, [0.5, 0.5, 0.5]);
const { intersections } = await readCounters(device, state);
log(`${intersections} intersections (${(intersections / trainer.count).toFixed(2)} tiles per Gaussian)`);

const dispatches: DispatchRecord[] = [];
await observeDispatches((d) => dispatches.push(d), async () => {
  await trainer.trainStep();
  await device.queue.onSubmittedWorkDone();
});

async function timeSubmission(record: (pass: GPUComputePassEncoder) => void): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPLAYS; i++) {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    record(pass);
    pass.end();
    const t0 = performance.now();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    times.push(performance.now() - t0);
  }
  return median(times);
}
const emptyMs = await timeSubmission(() => undefined);
const byKernel = new Map<string, { ms: number; dispatches: number; workgroups: number }>();
for (const d of dispatches) {
  const ms = Math.max(0, (await timeSubmission((pass) => {
    pass.setPipeline(d.kernel.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.x, d.y, d.z);
  })) - emptyMs);
  const k = byKernel.get(d.kernel.label) ?? { ms: 0, dispatches: 0, workgroups: 0 };
  k.ms += ms;
  k.dispatches += 1;
  k.workgroups += d.x * d.y * d.z;
  byKernel.set(d.kernel.label, k);
}

/** Stage of a kernel, by its label. */
function stageOf(label: string): string {
  if (label.startsWith('loss.')) return 'loss';
  if (label.startsWith('bw.')) return 'backward';
  if (label.startsWith('binding.backward')) return 'deform backward';
  if (label.startsWith('binding.')) return 'deform';
  if (label.startsWith('adam')) return 'adam';
  if (label.startsWith('health') || label === 'avatar.health') return 'health';
  if (label.includes('regularis') || label.startsWith('reg')) return 'regularisers';
  if (/^(project|depth-order-init|gather-tile-counts|intersection-count|emit-intersections|tile-ranges|radix|scan|rasterize)/.test(label)) return 'forward';
  return 'other';
}
const kernels = [...byKernel.entries()].map(([label, k]) => ({ label, stage: stageOf(label), ms: r2(k.ms), dispatches: k.dispatches, workgroups: k.workgroups })).sort((p, q) => q.ms - p.ms);
const stages: Record<string, number> = {};
for (const k of kernels) stages[k.stage] = r2((stages[k.stage] ?? 0) + k.ms);
const kernelSum = r2(kernels.reduce((s, k) => s + k.ms, 0));
for (const k of kernels.slice(0, 12)) log(`  ${k.label.padEnd(34)} ${k.stage.padEnd(16)} ${k.ms.toFixed(2).padStart(9)} ms  ×${k.dispatches}`);
log(`stages: ${JSON.stringify(stages)}; kernels ${kernelSum} ms of a ${median(stepMs).toFixed(1)} ms step`);

console.log(
  JSON.stringify({
    bench: 'train-profile',
    ...adapterFields(engine),
    preset: o.preset,
    size: SIZE,
    uv: UV,
    shDegree: preset.shDegree,
    headTuning: HEAD_TUNING,
    gaussians: trainer.count,
    intersections,
    steps: STEPS,
    replays: REPLAYS,
    stepMs: r2(median(stepMs)),
    stepReturnedMs: r2(median(jsMs)),
    kernelMs: kernelSum,
    restMs: r2(median(stepMs) - kernelSum),
    emptySubmitMs: r2(emptyMs),
    dispatches: dispatches.length,
    stages,
    kernels,
    loadavg: loadavg().map(r2),
  }),
);
trainer.destroy();
bound.destroy();
engine.destroy();
process.exit(0);
