/**
 * Cost of the bake's CPU map passes (native/engine/avatar/bake/uv-maps.ts) at studio size: an M² map with L levels and
 * the open head's UV init at N² (256² → ~50k Gaussians): sampler build, sample (forward), scatter (backward),
 * smoothness prior + gradient, push-pull fill (medians, ms). With --bake-steps > 0 also a short synthetic bake
 * (UV 64², 64² frames, 8 views) for the time per fit step, which includes the GPU render + backward + readbacks.
 * With --train-steps > 0, the before/after figure: a grey avatar trained from 16 ground-truth renders (as
 * trainer/synthetic.test.ts) is baked into --trained-map² maps from its 16 training views (--trained-bake-steps steps),
 * and both are compared with 4 held-out ground-truth frames (PSNR/SSIM, drop in dB).
 * Usage: node bench/run.mjs avatar-bake -- [--map 512] [--levels 4] [--uv 256] [--reps 5] [--bake-steps 8]
 *   [--train-steps 0] [--trained-map 64] [--trained-bake-steps 64]. Last stdout line: JSON.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { initFromUvLayout } from '../../native/engine/avatar/binding/init';
import { attributesFromBound } from '../../native/engine/avatar/bake/attributes';
import { CHANNELS, createMaps, createSampler, gaussianUvs, pushPull, sampleMaps, scatterGradients, smoothnessPrior, splatAttributes } from '../../native/engine/avatar/bake/uv-maps';
import { makeRandom } from '../../native/engine/avatar/math';

const { values: o } = parseArgs({ options: { map: { type: 'string', default: '512' }, levels: { type: 'string', default: '4' }, uv: { type: 'string', default: '256' }, reps: { type: 'string', default: '5' }, 'bake-steps': { type: 'string', default: '8' }, 'train-steps': { type: 'string', default: '0' }, 'trained-map': { type: 'string', default: '64' }, 'trained-bake-steps': { type: 'string', default: '64' } } });
const TRAIN_STEPS = Number(o['train-steps']), TRAINED_MAP = Number(o['trained-map']), TRAINED_BAKE_STEPS = Number(o['trained-bake-steps']);
const M = Number(o.map), L = Number(o.levels), UV = Number(o.uv), REPS = Number(o.reps), BAKE_STEPS = Number(o['bake-steps']);
const log = (s: string) => process.stderr.write(`${s}\n`);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const time = (f: () => void) => {
  const t: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return median(t);
};

const { openHeadWithExpressions, proceduralTexture, randomCamera, randomHeadParams, uvAvatar } = await import('../../native/engine/avatar/trainer/test-fixtures');
const model = openHeadWithExpressions();
const init = initFromUvLayout({ vertices: model.evaluate({}), triangles: model.triangles }, model.uv!, { resolution: UV, texture: proceduralTexture() });
const d = init.data;
const uvs = gaussianUvs(model.uv!, d.triangle, d.barycentric, d.count);
const attrs = attributesFromBound(d);
const maps = createMaps(M, L);
const r = makeRandom(1);
const dAttr = Float32Array.from({ length: d.count * CHANNELS }, () => r() - 0.5);
const grads = maps.levels.map((lv) => new Float32Array(lv.length));
let sampler = createSampler(maps, uvs);
const cpu = {
  sampler: time(() => (sampler = createSampler(maps, uvs))),
  sample: time(() => sampleMaps(maps, sampler)),
  scatter: time(() => scatterGradients(sampler, dAttr, grads)),
  prior: time(() => smoothnessPrior(maps, 1e-3, grads)),
  splatPushPull: time(() => {
    const s = splatAttributes(attrs, uvs, M);
    pushPull(s.sum, s.weight, M, CHANNELS);
  }),
};
log(`${d.count} Gaussians, ${M}² × ${L} levels: ${JSON.stringify(cpu)} ms`);

let bake: { steps: number; gaussians: number; fitSecondsPerStep: number; observeSeconds: number } | null = null;
if (BAKE_STEPS > 0) {
  const { createNodeDevice } = await import('../../native/engine/gpu/node-device');
  const { bakeAvatar } = await import('../../native/engine/avatar/bake/bake');
  const engine = await createNodeDevice({ label: 'bench-avatar-bake' });
  const gt = uvAvatar(model, 64, { texture: proceduralTexture(), opacity: 0.8, scaleFactor: 0.8 });
  const views = Array.from({ length: 8 }, (_, i) => ({ head: randomHeadParams(model, 300 + i), camera: randomCamera(400 + i, 64) }));
  const res = await bakeAvatar(engine.device, model, gt, views, { mapSize: 64, steps: BAKE_STEPS });
  bake = { steps: BAKE_STEPS, gaussians: gt.count, fitSecondsPerStep: res.report.seconds.fit / BAKE_STEPS, observeSeconds: res.report.seconds.observe };
  log(`bake: ${JSON.stringify(bake)}`);
}
let trained: Record<string, unknown> | null = null;
if (TRAIN_STEPS > 0) {
  const { createNodeDevice } = await import('../../native/engine/gpu/node-device');
  const { bakeAvatar } = await import('../../native/engine/avatar/bake/bake');
  const { BoundGaussians } = await import('../../native/engine/avatar/binding/bound-gaussians');
  const { AvatarTrainer } = await import('../../native/engine/avatar/trainer/avatar-trainer');
  const { renderFrames } = await import('../../native/engine/avatar/trainer/test-fixtures');
  const device = (await createNodeDevice({ label: 'bench-avatar-bake-trained' })).device;
  const gt = uvAvatar(model, 64, { texture: proceduralTexture(), opacity: 0.8, scaleFactor: 0.8 });
  const views = Array.from({ length: 20 }, (_, i) => ({ head: randomHeadParams(model, 100 + i), camera: randomCamera(200 + i, 64) }));
  const frames = await renderFrames(device, model, gt, views);
  const init = uvAvatar(model, 64);
  const bound = BoundGaussians.fromData(device, init);
  const trainer = new AvatarTrainer(model, bound, frames.slice(0, 16), {
    learningRates: { shDC: 0.05, opacities: 0.08, logScales: 0.005, rotations: 0.002, means: 5e-5 },
    densify: { from: 40, until: 40, interval: 1, maxGaussians: Math.round(1.3 * init.count), strategy: 'sampling' },
    prune: { interval: 60, minOpacity: 0.005 },
    seed: 7,
    intersectionCapacity: 'adaptive',
  });
  const t0 = performance.now();
  await trainer.train(TRAIN_STEPS);
  const data = await bound.read();
  trainer.destroy();
  bound.destroy();
  log(`trained ${data.count} Gaussians in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const res = await bakeAvatar(device, model, data, views.slice(0, 16), { mapSize: TRAINED_MAP, steps: TRAINED_BAKE_STEPS }, frames.slice(16));
  trained = { trainSteps: TRAIN_STEPS, gaussians: data.count, map: TRAINED_MAP, bakeSteps: TRAINED_BAKE_STEPS, report: res.report };
  log(`trained + baked: ${JSON.stringify(trained)}`);
}
console.log(JSON.stringify({ gaussians: d.count, map: M, levels: L, cpuMs: cpu, bake, trained, loadavg: loadavg()[0] }));
