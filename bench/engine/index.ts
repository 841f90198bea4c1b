/**
 * Engine benchmark: for N Gaussians at W×W pixels, median ms of forward, backward, a full training step
 * (forward + loss + backward + Adam) and the radix sorts alone (depth sort of N keys, tile sort of the frame's
 * intersections), each timed as its own submission + onSubmittedWorkDone. Prints one JSON object as the last line.
 *
 *   npm run bench:engine -- [--sizes 10000,65000,250000] [--res 512] [--iters 5]
 *
 * The measurement is `runEngineBench(device, options)`, shared with the GPU kit (bench/gpu-kit); the command line
 * below runs only when this file is the entry point.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createBufferFrom, createStorageBuffer } from '../../native/engine/gpu/buffers';
import { createNodeDevice } from '../../native/engine/gpu/node-device';
import { makeCamera, lookAt } from '../../native/engine/reference/camera';
import { rng } from '../../native/engine/reference/test-scenes';
import { backwardInputsFromForward } from '../../native/engine/splat/backward';
import { readCounters } from '../../native/engine/splat/forward';
import { RadixSort } from '../../native/engine/splat/radix-sort';
import { GaussianScene } from '../../native/engine/splat/scene';
import { SplatTrainer } from '../../native/engine/train/trainer';
import { randomInit } from '../lib/synthetic';

export interface EngineBenchOptions {
  /** Gaussian counts, one row each. */
  sizes: number[];
  /** Square image side in pixels. */
  res: number;
  /** Timed repetitions per measurement (after one warm-up). */
  iters: number;
  /** Progress lines (stderr in the CLI). */
  log?: (m: string) => void;
  /** Asked before each size: true skips the remaining sizes (the GPU kit's time budget). */
  shouldStop?: () => boolean;
}

export interface EngineBenchRow {
  gaussians: number;
  width: number;
  height: number;
  intersections: number;
  forwardMs: number;
  backwardMs: number;
  trainStepMs: number;
  sortDepthMs: number;
  sortTilesMs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((p, q) => p - q);
  return +(s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2).toFixed(2);
};

/** One row per size: medians in ms (random scene, SH 3, black background, camera 3.2 units away). */
export async function runEngineBench(device: GPUDevice, options: EngineBenchOptions): Promise<EngineBenchRow[]> {
  const { sizes, res } = options;
  const iters = Math.max(1, options.iters);
  const log = options.log ?? (() => undefined);
  const done = () => device.queue.onSubmittedWorkDone();
  async function timeIt(fn: () => Promise<void> | void): Promise<number[]> {
    await fn(); // warm-up (pipelines, buffer growth)
    await done();
    const out: number[] = [];
    for (let i = 0; i < iters; i++) {
      const t = performance.now();
      await fn();
      await done();
      out.push(performance.now() - t);
    }
    return out;
  }

  const camera = makeCamera(res, res, 0.9, lookAt([0.4, -0.3, -3.2], [0, 0, 0]));
  const results: EngineBenchRow[] = [];
  for (const n of sizes) {
    if (options.shouldStop?.()) break;
    log(`N = ${n}: building scene`);
    const data = randomInit(n, 1.0, 0.5 / Math.cbrt(n), 7, 3);
    data.opacities.fill(0);
    const scene = GaussianScene.fromData(device, data, { shDegree: 3 });
    const trainer = new SplatTrainer(scene, { width: res, height: res, background: [0, 0, 0] });
    const r = rng(3);
    const target = createBufferFrom(device, Float32Array.from({ length: res * res * 4 }, () => r()), 'bench.target');
    const dRender = createBufferFrom(device, Float32Array.from({ length: res * res * 4 }, () => (r() - 0.5) * 1e-3), 'bench.dRender');
    try {
      const forward = await timeIt(async () => {
        await trainer.render(camera);
      });
      const state = await trainer.render(camera);
      await done();
      const { intersections } = await readCounters(device, state);
      const backward = await timeIt(() => {
        const enc = device.createCommandEncoder();
        trainer.backward.encode(enc, camera, backwardInputsFromForward(state), { rgb: dRender, rgbStride: 4 }, trainer.grads, { background: [0, 0, 0] });
        device.queue.submit([enc.finish()]);
      });
      const step = await timeIt(() => trainer.trainStep(camera, target));

      // Sorts alone, on copies of this frame's keys: depth keys (32 bits, N) and tile keys (tile bits, intersections).
      const sortTime = async (count: number, bits: number, seed: number) => {
        const rr = rng(seed);
        const maxKey = bits >= 32 ? 0xffffffff : 2 ** bits - 1;
        const keys = createBufferFrom(device, Uint32Array.from({ length: count }, () => Math.floor(rr() * maxKey)), 'bench.keys');
        const values = createBufferFrom(device, Uint32Array.from({ length: count }, (_, i) => i), 'bench.values');
        const keysAlt = createStorageBuffer(device, count * 4, 'bench.keysAlt');
        const valuesAlt = createStorageBuffer(device, count * 4, 'bench.valuesAlt');
        const counts = createBufferFrom(device, new Uint32Array([count, 0, 0, 0]), 'bench.counts');
        const sort = new RadixSort(device);
        try {
          return await timeIt(() => {
            const enc = device.createCommandEncoder();
            const pass = enc.beginComputePass();
            sort.encode(pass, { keys, values, keysAlt, valuesAlt }, counts, 0, count, bits);
            pass.end();
            device.queue.submit([enc.finish()]);
          });
        } finally {
          sort.destroy();
          for (const b of [keys, values, keysAlt, valuesAlt, counts]) b.destroy();
        }
      };
      const tileBits = Math.ceil(Math.log2(Math.ceil(res / 16) ** 2));
      const sortDepth = await sortTime(n, 32, 11);
      const sortTiles = await sortTime(Math.max(1, intersections), tileBits, 12);

      const row: EngineBenchRow = {
        gaussians: n, width: res, height: res, intersections,
        forwardMs: median(forward), backwardMs: median(backward), trainStepMs: median(step),
        sortDepthMs: median(sortDepth), sortTilesMs: median(sortTiles),
      };
      log(JSON.stringify(row));
      results.push(row);
    } finally {
      trainer.destroy();
      scene.destroy();
      target.destroy();
      dRender.destroy();
    }
  }
  return results;
}

// The command line, only when run as `node --import tsx bench/engine/index.ts` (bench/run.mjs), not when imported.
if (/[\\/]bench[\\/]engine[\\/]index\.ts$/.test(process.argv[1] ?? '')) {
  const { values: args } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10000,65000,250000' },
      res: { type: 'string', default: '512' },
      iters: { type: 'string', default: '5' },
    },
  });
  const sizes = args.sizes!.split(',').map(Number);
  const res = Number(args.res);
  const iters = Math.max(1, Number(args.iters));
  const log = (m: string) => process.stderr.write(`${m}\n`);

  const engine = await createNodeDevice({ label: 'bench-engine' });
  const a = engine.adapter;
  const adapter = `${a.vendor} ${a.architecture} ${a.description}`.trim() + ` (${a.backend}, via ${a.via})`;
  log(`adapter: ${adapter}`);
  const results = await runEngineBench(engine.device, { sizes, res, iters, log });
  // Host load matters on CPU adapters (SwiftShader shares the cores with everything else).
  console.log(JSON.stringify({ bench: 'engine', adapter, adapterReason: a.reason, iters, shDegree: 3, results, hostLoadAvg1m: +loadavg()[0].toFixed(2) }));
  engine.destroy();
}
