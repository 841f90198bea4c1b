/**
 * Static fit demo: render a synthetic head-sized textured object (known Gaussians) from training and held-out views,
 * fit a fresh random Gaussian set from scratch with the engine (forward + L1/D-SSIM + backward + Adam,
 * densify/prune), report held-out PSNR, write a PNG (ground truth | render | error) and print one JSON line.
 *
 *   npm run engine:fit -- [--size 128] [--iters 500] [--train 28] [--test 6] [--out bench/engine-fit/out]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createStorageBuffer } from '../../native/engine/gpu/buffers';
import { createNodeDevice } from '../../native/engine/gpu/node-device';
import { readF32 } from '../../native/engine/gpu/readback';
import { psnr } from '../../native/engine/reference/losses';
import { ForwardRenderer } from '../../native/engine/splat/forward';
import { GaussianScene } from '../../native/engine/splat/scene';
import { SplatTrainer } from '../../native/engine/train/trainer';
import { encodePngRgb, hconcat } from '../lib/png';
import { adapterFields } from '../lib/adapter';
import { orbitViews, randomInit, texturedHead } from '../lib/synthetic';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '128' },
    iters: { type: 'string', default: '500' },
    train: { type: 'string', default: '28' },
    test: { type: 'string', default: '6' },
    gt: { type: 'string', default: '600' },
    init: { type: 'string', default: '400' },
    out: { type: 'string', default: 'bench/engine-fit/out' },
    'max-gaussians': { type: 'string', default: '1200' },
  },
});
const size = Number(args.size);
const iters = Number(args.iters);
const log = (msg: string) => process.stderr.write(`${msg}\n`);

const t0 = performance.now();
const engine = await createNodeDevice({ label: 'engine-fit' });
const device = engine.device;
const adapter = `${engine.adapter.vendor} ${engine.adapter.architecture} ${engine.adapter.description}`.trim() + ` (${engine.adapter.backend}, via ${engine.adapter.via})`;
log(`adapter: ${adapter}`);
const background: [number, number, number] = [0, 0, 0];
const { trainCams, testCams } = orbitViews(Number(args.train), Number(args.test), size);

// Ground truth: render every view once; targets stay on the GPU (RGBA f32).
const gt = GaussianScene.fromData(device, texturedHead(Number(args.gt)), { shDegree: 0 });
const gtRenderer = new ForwardRenderer(device);
const pixels = size * size;
async function renderToBuffer(cams: typeof trainCams): Promise<GPUBuffer[]> {
  const out: GPUBuffer[] = [];
  for (const cam of cams) {
    const state = await gtRenderer.render(gt, cam, { background });
    const b = createStorageBuffer(device, pixels * 16, 'target');
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(state.color, 0, b, 0, pixels * 16);
    device.queue.submit([enc.finish()]);
    out.push(b);
  }
  return out;
}
const trainTargets = await renderToBuffer(trainCams);
const testTargets = await renderToBuffer(testCams);
const testImages = await Promise.all(testTargets.map((b) => readF32(device, b, 0, pixels * 4)));

// Fresh random Gaussians, fitted from scratch.
const init = randomInit(Number(args.init), 1.1, 0.06);
const scene = GaussianScene.fromData(device, init, { shDegree: 0 });
const trainer = new SplatTrainer(scene, {
  width: size, height: size, background,
  learningRates: { means: 1.5e-3, logScales: 1e-2, rotations: 2e-3, opacities: 5e-2, shDC: 1e-2 },
});

const rgbOnly = (rgba: Float32Array) => Float32Array.from({ length: pixels * 3 }, (_, i) => rgba[Math.floor(i / 3) * 4 + (i % 3)]);
/** PSNR over the object only: pixels where the ground truth has alpha > 0.01 (the background is easy). */
function objectPsnr(img: Float32Array, gtImg: Float32Array): number {
  let se = 0;
  let n = 0;
  for (let p = 0; p < pixels; p++) {
    if (!(gtImg[p * 4 + 3] > 0.01)) continue;
    for (let c = 0; c < 3; c++) se += (img[p * 4 + c] - gtImg[p * 4 + c]) ** 2;
    n += 3;
  }
  return -10 * Math.log10(Math.max(1e-20, se / Math.max(1, n)));
}
async function heldOutPsnr(): Promise<{ mean: number; object: number; renders: Float32Array[] }> {
  const renders: Float32Array[] = [];
  let sum = 0;
  let sumObj = 0;
  for (let v = 0; v < testCams.length; v++) {
    const state = await trainer.render(testCams[v]);
    const img = await readF32(device, state.color, 0, pixels * 4);
    renders.push(img);
    sum += psnr(rgbOnly(img), rgbOnly(testImages[v]));
    sumObj += objectPsnr(img, testImages[v]);
  }
  return { mean: sum / testCams.length, object: sumObj / testCams.length, renders };
}

const densifyUntil = Math.floor(iters * 0.5);
// 3DGS thresholds: 0.0002 on the NDC-space mean gradient → pixels: divide by half the image size.
const gradThreshold = 0.0002 / (0.5 * size);
let reached30: { iter: number; seconds: number } | null = null;
const tTrain = performance.now();
let order: number[] = [];
for (let it = 1; it <= iters; it++) {
  if (order.length === 0) order = trainCams.map((_, i) => i).sort(() => Math.random() - 0.5);
  const v = order.pop()!;
  await trainer.trainStep(trainCams[v], trainTargets[v]);
  if (it % 100 === 0) {
    const loss = await trainer.loss.readLoss();
    const { mean, object } = await heldOutPsnr();
    const seconds = (performance.now() - tTrain) / 1000;
    if (!reached30 && mean >= 30) reached30 = { iter: it, seconds: +seconds.toFixed(1) };
    log(`iter ${it}: loss ${loss.loss.toFixed(4)} held-out PSNR ${mean.toFixed(2)} dB (object only ${object.toFixed(2)} dB), ${scene.count} Gaussians, ${seconds.toFixed(1)} s`);
    console.log(JSON.stringify({ iter: it, loss: +loss.loss.toFixed(5), heldOutPsnr: +mean.toFixed(3), heldOutPsnrObject: +object.toFixed(3), gaussians: scene.count, seconds: +seconds.toFixed(1) }));
  }
  // Densify after the evaluation (fresh children need a few steps to settle).
  if (it % 100 === 0 && it <= densifyUntil) {
    const d = await trainer.densifier.run({ gradThreshold, cloneMaxScale: 0.03, minOpacity: 0.005, seed: it, maxGaussians: Number(args['max-gaussians']) });
    log(`iter ${it}: densify ${d.before} → ${d.after}`);
  }
}
const trainSeconds = (performance.now() - tTrain) / 1000;
const final = await heldOutPsnr();

// PNG: ground truth | render | error (×4) for each held-out view, stacked vertically.
mkdirSync(args.out!, { recursive: true });
const rows: Float32Array[] = [];
for (let v = 0; v < testCams.length; v++) {
  const err = Float32Array.from({ length: pixels * 4 }, (_, i) => Math.min(1, 4 * Math.abs(final.renders[v][i] - testImages[v][i])));
  rows.push(hconcat([{ data: testImages[v], stride: 4 }, { data: final.renders[v], stride: 4 }, { data: err, stride: 4 }], size, size));
}
const stacked = new Float32Array(rows.length * rows[0].length);
rows.forEach((r, i) => stacked.set(r, i * r.length));
const pngPath = join(args.out!, 'comparison.png');
writeFileSync(pngPath, encodePngRgb(stacked, size * 3, size * testCams.length));

console.log(JSON.stringify({
  bench: 'engine-fit', ...adapterFields(engine), size, iterations: iters, trainViews: trainCams.length, heldOutViews: testCams.length,
  gaussiansGt: gt.count, gaussiansInit: init.count, gaussiansFinal: scene.count,
  heldOutPsnr: +final.mean.toFixed(3), heldOutPsnrObject: +final.object.toFixed(3), reached30dB: reached30, trainSeconds: +trainSeconds.toFixed(1), wallSeconds: +((performance.now() - t0) / 1000).toFixed(1),
  png: pngPath, hostLoadAvg1m: +loadavg()[0].toFixed(2),
}));
trainer.destroy();
gtRenderer.destroy();
gt.destroy();
engine.destroy();
