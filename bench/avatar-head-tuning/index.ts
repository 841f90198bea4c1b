/**
 * Per-step cost of the avatar trainer's head tuning (native/engine/avatar/trainer/head-tuning.ts): on the synthetic
 * open-head avatar (UV N² init, S² frames) it times
 *   - training steps, each to GPU completion, with head tuning off and on (medians, ms),
 *   - the V×3 f32 vertex-gradient readback alone, queue drained first (median, ms),
 *   - the CPU parts per update: posing (`vertices`) and the update (`applyGradient`: LBS backward, priors, corrective
 *     regularisers, Adam), with and without correctives (medians, ms).
 * Usage: node bench/run.mjs avatar-head-tuning [--uv 64] [--size 64] [--steps 10]. Last stdout line: JSON.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createNodeDevice } from '../../native/engine/gpu/node-device';
import { readF32 } from '../../native/engine/gpu/readback';
import { timeTrainerSteps } from '../lib/trainer-steps';
import { HeadTuning } from '../../native/engine/avatar/trainer/head-tuning';
import { adapterFields } from '../lib/adapter';
import { openHeadWithExpressions, proceduralTexture, randomCamera, randomHeadParams, renderFrames, uvAvatar } from '../../native/engine/avatar/trainer/test-fixtures';

const { values: o } = parseArgs({ options: { uv: { type: 'string', default: '64' }, size: { type: 'string', default: '64' }, steps: { type: 'string', default: '10' } } });
const UV = Number(o.uv), SIZE = Number(o.size), STEPS = Number(o.steps);
const log = (s: string) => process.stderr.write(`${s}\n`);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

const engine = await createNodeDevice({ label: 'bench-avatar-head-tuning' });
const device = engine.device;
const a = engine.adapter;
const adapter = `${a.vendor} ${a.architecture} ${a.description}`.trim() + ` (${a.backend}, via ${a.via})`;
log(`adapter: ${adapter}`);
const model = openHeadWithExpressions();
const gt = uvAvatar(model, UV, { texture: proceduralTexture(), opacity: 0.8, scaleFactor: 0.8 });
const views = Array.from({ length: 8 }, (_, i) => ({ head: randomHeadParams(model, 100 + i), camera: randomCamera(200 + i, SIZE) }));
const frames = await renderFrames(device, model, gt, views);

const stepTimes = (tuning: boolean) => timeTrainerSteps(device, model, frames, UV, STEPS, { monitor: null, densify: null, prune: null, seed: 1, headTuning: tuning ? {} : null });

const off = await stepTimes(false);
off.trainer.destroy();
off.bound.destroy();
const on = await stepTimes(true);
const ht = on.trainer.headTuning!;
const V = model.vertexCount;
// The readback alone, queue idle.
const reads: number[] = [];
for (let i = 0; i < 20; i++) {
  await device.queue.onSubmittedWorkDone();
  const t0 = performance.now();
  await readF32(device, on.trainer.deformer.vertexGrads, 0, V * 3);
  reads.push(performance.now() - t0);
}
const g = await readF32(device, on.trainer.deformer.vertexGrads, 0, V * 3);
on.trainer.destroy();
on.bound.destroy();

function cpuTimes(tuner: HeadTuning) {
  const pose: number[] = [], update: number[] = [];
  for (let i = 0; i < 20; i++) {
    const f = i % tuner.frameCount;
    const t0 = performance.now();
    tuner.vertices(f);
    const t1 = performance.now();
    tuner.applyGradient(f, g);
    pose.push(t1 - t0);
    update.push(performance.now() - t1);
  }
  return { poseMs: +median(pose).toFixed(2), updateMs: +median(update).toFixed(2) };
}
const heads = frames.map((f) => f.head);
const cpuWith = cpuTimes(new HeadTuning(model, heads, {}));
const cpuWithout = cpuTimes(new HeadTuning(model, heads, { correctives: false }));
log(`${V} vertices; step median off ${median(off.times).toFixed(1)} ms, on ${median(on.times).toFixed(1)} ms; readback ${median(reads).toFixed(2)} ms; CPU pose/update ${cpuWith.poseMs}/${cpuWith.updateMs} ms (no correctives ${cpuWithout.poseMs}/${cpuWithout.updateMs})`);
console.log(JSON.stringify({
  bench: 'avatar-head-tuning', ...adapterFields(engine), vertices: V, image: SIZE, uv: UV, steps: STEPS,
  stepMedianMs: { tuningOff: +median(off.times).toFixed(1), tuningOn: +median(on.times).toFixed(1) },
  vertexGradReadbackMs: +median(reads).toFixed(2), readbackBytes: V * 12,
  cpu: { withCorrectives: cpuWith, withoutCorrectives: cpuWithout },
  hostLoadAvg1m: +loadavg()[0].toFixed(2),
}));
engine.destroy();
