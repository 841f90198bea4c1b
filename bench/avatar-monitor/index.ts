/**
 * Cost of the avatar trainer's NaN watch / live-loss readback (native/engine/avatar/trainer, `monitor`): on the
 * synthetic open-head avatar (UV N² init, S² frames) it times
 *   - training steps, each to GPU completion, with the monitor off and with a check every step (medians, ms),
 *   - the health check alone: `checks` kernel + 32-byte async readbacks issued back to back, then all awaited (ms each),
 *   - one blocking `readStats()` and one snapshot (`checkpoint()`, the full readback taken every snapshotInterval steps).
 * Usage: npm run bench:avatar-monitor -- [--uv 64] [--size 64] [--steps 10] [--checks 50]. Last stdout line: JSON.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createNodeDevice } from '../../native/engine/gpu/node-device';
import { timeTrainerSteps } from '../lib/trainer-steps';
import { adapterFields } from '../lib/adapter';
import { openHeadWithExpressions, proceduralTexture, randomCamera, randomHeadParams, renderFrames, uvAvatar } from '../../native/engine/avatar/trainer/test-fixtures';

const { values: o } = parseArgs({ options: { uv: { type: 'string', default: '64' }, size: { type: 'string', default: '64' }, steps: { type: 'string', default: '10' }, checks: { type: 'string', default: '50' } } });
const UV = Number(o.uv), SIZE = Number(o.size), STEPS = Number(o.steps), CHECKS = Number(o.checks);
const log = (s: string) => process.stderr.write(`${s}\n`);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const engine = await createNodeDevice({ label: 'bench-avatar-monitor' });
const device = engine.device;
const a = engine.adapter;
const adapter = `${a.vendor} ${a.architecture} ${a.description}`.trim() + ` (${a.backend}, via ${a.via})`;
log(`adapter: ${adapter}`);
const model = openHeadWithExpressions();
const gt = uvAvatar(model, UV, { texture: proceduralTexture(), opacity: 0.8, scaleFactor: 0.8 });
const views = Array.from({ length: 8 }, (_, i) => ({ head: randomHeadParams(model, 100 + i), camera: randomCamera(200 + i, SIZE) }));
const frames = await renderFrames(device, model, gt, views);

const stepTimes = (monitor: boolean) => timeTrainerSteps(device, model, frames, UV, STEPS, { monitor: monitor ? { interval: 1, snapshotInterval: 1_000_000 } : null, seed: 1 });

const off = await stepTimes(false);
off.trainer.destroy();
off.bound.destroy();
const on = await stepTimes(true);
const tr = on.trainer;
log(`${tr.count} Gaussians; step median off ${median(off.times).toFixed(1)} ms, check every step ${median(on.times).toFixed(1)} ms`);

// The check alone (queue drained first): kernel + async 32-byte readback, issued back to back, then awaited together.
await device.queue.onSubmittedWorkDone();
const t0 = performance.now();
const reads: Promise<unknown>[] = [];
for (let i = 0; i < CHECKS; i++) {
  const enc = device.createCommandEncoder();
  tr.health.encode(enc, tr.loss.result, tr.bound.params);
  device.queue.submit([enc.finish()]);
  reads.push(tr.health.read());
}
await Promise.all(reads);
const perCheck = (performance.now() - t0) / CHECKS;
const tb = performance.now();
for (let i = 0; i < 5; i++) await tr.readStats();
const blocking = (performance.now() - tb) / 5;
const ts = performance.now();
const ck = await tr.checkpoint();
const snapshot = performance.now() - ts;
log(`health check ${perCheck.toFixed(2)} ms each (async, pipelined), blocking readStats ${blocking.toFixed(2)} ms, snapshot ${snapshot.toFixed(1)} ms (${(ck.byteLength / 1e6).toFixed(2)} MB)`);
const result = {
  bench: 'avatar-monitor', ...adapterFields(engine), gaussians: tr.count, image: SIZE, steps: STEPS,
  stepMedianMs: { monitorOff: +median(off.times).toFixed(1), checkEveryStep: +median(on.times).toFixed(1) },
  healthCheckMs: +perCheck.toFixed(3), blockingReadStatsMs: +blocking.toFixed(2), snapshotMs: +snapshot.toFixed(1), snapshotBytes: ck.byteLength,
  hostLoadAvg1m: +loadavg()[0].toFixed(2),
};
tr.destroy();
on.bound.destroy();
engine.destroy();
console.log(JSON.stringify(result));
