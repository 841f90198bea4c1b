/**
 * The engine tests' GPU-vs-CPU-reference comparisons, as plain functions (no Vitest) so the kit can run them on
 * whatever adapter it finds — on a real GPU, where the GPU-style kernel families ('shared' rasteriser, 'parallel'
 * scan/sort) are the defaults but the project's CI (CPU adapters) only ever ran them on SwiftShader/llvmpipe.
 *
 * Same cases and tolerances as native/engine/splat/forward.test.ts, backward.test.ts, sort-scan.test.ts and
 * native/engine/train/loss.test.ts, adam.test.ts, for every kernel family where there are several. Each check
 * returns { name, ok, maxError, ms, detail?, error? }: `maxError` is the check's largest deviation (absolute for
 * images, relative to the gradient scale for gradients, absolute integer difference for scans/sorts).
 */
import { createBufferFrom, createStorageBuffer, writeArray } from '../../../native/engine/gpu/buffers';
import type { EngineDevice } from '../../../native/engine/gpu/engine-device';
import { readF32, readU32 } from '../../../native/engine/gpu/readback';
import { adamState, adamStep } from '../../../native/engine/reference/adam';
import { backwardReference } from '../../../native/engine/reference/backward';
import { makeCamera } from '../../../native/engine/reference/camera';
import { renderReference } from '../../../native/engine/reference/forward';
import { photometricLoss } from '../../../native/engine/reference/losses';
import { exclusiveScanU32 } from '../../../native/engine/reference/scan';
import { stableSortPairs } from '../../../native/engine/reference/sort';
import { randomScene, rng, smoothScene, testCamera } from '../../../native/engine/reference/test-scenes';
import type { Camera, RefScene } from '../../../native/engine/reference/types';
import { backwardInputsFromForward, SplatBackward } from '../../../native/engine/splat/backward';
import { SceneGradients } from '../../../native/engine/splat/backward-grads';
import { referenceBackwardInputs } from '../../../native/engine/splat/backward-test-inputs';
import type { BackwardRasterMode } from '../../../native/engine/splat/backward-wgsl';
import { ForwardRenderer, readCounters, type ForwardRendererOptions } from '../../../native/engine/splat/forward';
import { readForwardImages, type ForwardImages } from '../../../native/engine/splat/images';
import { RadixSort } from '../../../native/engine/splat/radix-sort';
import { PrefixScan } from '../../../native/engine/splat/scan';
import { GaussianScene, SCENE_PARAMS, type GaussianData, type ShDegree } from '../../../native/engine/splat/scene';
import { GpuAdam } from '../../../native/engine/train/adam';
import { PhotometricLoss } from '../../../native/engine/train/loss';

export interface CheckResult {
  name: string;
  ok: boolean;
  maxError: number | null;
  ms: number;
  detail?: string;
  error?: string;
}

interface Outcome {
  ok: boolean;
  maxError: number;
  detail?: string;
}

type ScanSortMode = 'parallel' | 'serial';

// ---------------------------------------------------------------------------------------------------------------------
// helpers (as in the tests)

function toData(s: RefScene): GaussianData {
  const f = (a: ArrayLike<number>) => Float32Array.from(a);
  return {
    count: s.count,
    means: f(s.means),
    logScales: f(s.logScales),
    rotations: f(s.rotations),
    opacities: f(s.opacities),
    sh: f(s.sh),
    ...(s.features && (s.featureDim ?? 0) > 0 ? { features: f(s.features) } : {}),
  };
}

function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10(1 / mse);
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

function badFraction(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): number {
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= tol)) bad++;
  return bad / Math.max(1, a.length);
}

function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** A list of failed conditions → Outcome. */
function outcome(maxError: number, failures: string[], extra = ''): Outcome {
  return { ok: failures.length === 0, maxError, detail: [failures.join('; '), extra].filter(Boolean).join(' | ') || undefined };
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

// ---------------------------------------------------------------------------------------------------------------------
// forward

const FORWARD_VARIANTS: Array<{ label: string; options: Required<ForwardRendererOptions> }> = [
  { label: 'shared/parallel', options: { rasterMode: 'shared', scanSortMode: 'parallel' } },
  { label: 'rows/serial', options: { rasterMode: 'rows', scanSortMode: 'serial' } },
  { label: 'direct/serial', options: { rasterMode: 'direct', scanSortMode: 'serial' } },
];

const FORWARD_CASES: Array<{ name: string; seed: number; count: number; deg: ShDegree; F: number; size: [number, number]; bg?: [number, number, number] }> = [
  { name: '300 Gaussians, SH3, 64×64', seed: 1, count: 300, deg: 3, F: 0, size: [64, 64] },
  { name: '2000 Gaussians, SH3, 128×96, grey background', seed: 2, count: 2000, deg: 3, F: 0, size: [128, 96], bg: [0.2, 0.3, 0.4] },
  { name: '500 Gaussians, SH1, 3 features, 50×37', seed: 3, count: 500, deg: 1, F: 3, size: [50, 37] },
  { name: '200 Gaussians, SH0, 2 features, 17×128', seed: 4, count: 200, deg: 0, F: 2, size: [17, 128] },
];

async function forwardCase(device: GPUDevice, c: (typeof FORWARD_CASES)[number], options: ForwardRendererOptions): Promise<Outcome> {
  const ref = randomScene(c.seed, c.count, c.deg, c.F);
  const [w, h] = c.size;
  const base = testCamera([0.3, -0.2, -4], 32, 0.9);
  const cam = makeCamera(w, h, 0.9, base.viewMatrix);
  cam.fy = cam.fx * 1.1;
  cam.cx = w * 0.45;
  cam.cy = h * 0.55;
  const scene = GaussianScene.fromData(device, toData(ref), { shDegree: c.deg, featureDim: c.F });
  const renderer = new ForwardRenderer(device, options);
  try {
    const state = await renderer.render(scene, cam, c.bg ? { background: c.bg } : {});
    const img = await readForwardImages(device, state);
    const expected = renderReference(ref, cam, c.bg ? { background: c.bg } : {});
    const counters = await readCounters(device, state);
    const f: string[] = [];
    const p = psnr(img.rgb, expected.rgb);
    if (!(p > 50)) f.push(`rgb PSNR ${p.toFixed(1)} dB ≤ 50`);
    const bad = { rgb: badFraction(img.rgb, expected.rgb, 1e-3), alpha: badFraction(img.alpha, expected.alpha, 1e-3), depth: badFraction(img.depth, expected.depth, 1e-2) };
    for (const [k, v] of Object.entries(bad)) if (!(v < 0.002)) f.push(`${k}: ${(v * 100).toFixed(2)} % of values off`);
    if (c.F > 0) {
      const bf = badFraction(img.features!, expected.features!, 1e-3);
      if (!(bf < 0.002)) f.push(`features: ${(bf * 100).toFixed(2)} % off`);
    }
    let finalT = 0;
    for (let q = 0; q < w * h; q++) finalT = Math.max(finalT, Math.abs(img.finalT[q]! - (1 - expected.alpha[q]!)));
    if (!(finalT < 5e-4)) f.push(`final T off by ${fmt(finalT)}`);
    const same = img.contributors.filter((v, i) => v === expected.nContrib[i]).length / (w * h);
    if (!(same > 0.99)) f.push(`contributor counts match on ${(same * 100).toFixed(1)} %`);
    const expectedIsects = expected.projected.reduce((s, q) => s + (q.visible ? (q.tileMax[0] - q.tileMin[0]) * (q.tileMax[1] - q.tileMin[1]) : 0), 0);
    if (Math.abs(counters.intersections - expectedIsects) > Math.max(2, expectedIsects * 0.002)) f.push(`intersections ${counters.intersections} vs ${expectedIsects}`);
    if (counters.overflow) f.push('overflow flagged');
    return outcome(maxAbs(img.rgb, expected.rgb), f, `PSNR ${p === Infinity ? '∞' : p.toFixed(1)} dB`);
  } finally {
    renderer.destroy();
    scene.destroy();
  }
}

/** forward.test.ts: the three kernel families give the same images on one scene (and match the reference). */
async function forwardFamilies(device: GPUDevice): Promise<Outcome> {
  const ref = randomScene(9, 800, 2, 2);
  const cam = testCamera([0.1, 0.3, -3.5], 64, 1.0);
  const scene = GaussianScene.fromData(device, toData(ref), { shDegree: 2, featureDim: 2 });
  const images: ForwardImages[] = [];
  try {
    for (const v of FORWARD_VARIANTS) {
      const renderer = new ForwardRenderer(device, v.options);
      try {
        images.push(await readForwardImages(device, await renderer.render(scene, cam, { background: [0.1, 0.1, 0.1] })));
      } finally {
        renderer.destroy();
      }
    }
  } finally {
    scene.destroy();
  }
  const [a, ...others] = images;
  const f: string[] = [];
  let m = 0;
  others.forEach((b, k) => {
    const label = FORWARD_VARIANTS[k + 1]!.label;
    const d = Math.max(maxAbs(a!.rgb, b.rgb), maxAbs(a!.alpha, b.alpha), maxAbs(a!.depth, b.depth), maxAbs(a!.features!, b.features!));
    m = Math.max(m, d);
    if (!(d < 1e-6)) f.push(`${label} vs shared: max |Δ| ${fmt(d)}`);
    if (firstMismatch(a!.lastContributor, b.lastContributor) !== -1) f.push(`${label}: last contributors differ`);
    if (firstMismatch(a!.contributors, b.contributors) !== -1) f.push(`${label}: contributor counts differ`);
  });
  const expected = renderReference(ref, cam, { background: [0.1, 0.1, 0.1] });
  const p = psnr(a!.rgb, expected.rgb);
  if (!(p > 50)) f.push(`shared vs reference PSNR ${p.toFixed(1)} dB`);
  return outcome(m, f);
}

// ---------------------------------------------------------------------------------------------------------------------
// backward

async function backwardCase(device: GPUDevice, mode: BackwardRasterMode, scene: RefScene, cam: Camera, seed: number, bg: [number, number, number], maxBad: number, viaForward: boolean): Promise<Outcome> {
  const n = cam.width * cam.height;
  const F = scene.featureDim ?? 0;
  const r = rng(seed);
  const dRgb = Float32Array.from({ length: n * 3 }, () => r() - 0.5);
  const dAlpha = Float32Array.from({ length: n }, () => r() - 0.5);
  const dDepth = Float32Array.from({ length: n }, () => 0.1 * (r() - 0.5));
  const dFeat = Float32Array.from({ length: n * F }, () => r() - 0.5);
  const ref = backwardReference(scene, cam, { rgb: dRgb, alpha: dAlpha, depth: dDepth, features: F ? dFeat : null }, { background: bg });
  const gs = GaussianScene.fromData(device, toData(scene), { shDegree: scene.shDegree as ShDegree, featureDim: F });
  const grads = new SceneGradients(gs);
  const bw = new SplatBackward(gs, { rasterMode: mode });
  let fwd: ForwardRenderer | null = null;
  const buffers: GPUBuffer[] = [];
  try {
    let inputs;
    let rgbStride = 3;
    let rgbGrad = dRgb;
    if (viaForward) {
      fwd = new ForwardRenderer(device);
      inputs = backwardInputsFromForward(await fwd.render(gs, cam, { background: bg }));
      rgbStride = 4;
      rgbGrad = new Float32Array(n * 4);
      for (let p = 0; p < n; p++) rgbGrad.set([dRgb[p * 3]!, dRgb[p * 3 + 1]!, dRgb[p * 3 + 2]!, 123], p * 4);
    } else {
      inputs = referenceBackwardInputs(device, scene, cam, { background: bg });
    }
    const pg = {
      rgbStride,
      rgb: createBufferFrom(device, rgbGrad, 'dRgb'),
      alpha: createBufferFrom(device, dAlpha, 'dAlpha'),
      depth: createBufferFrom(device, dDepth, 'dDepth'),
      features: F ? createBufferFrom(device, dFeat, 'dFeat') : null,
    };
    buffers.push(pg.rgb, pg.alpha, pg.depth, ...(pg.features ? [pg.features] : []));
    const enc = device.createCommandEncoder();
    bw.encode(enc, cam, inputs, pg, grads, { background: bg });
    device.queue.submit([enc.finish()]);
    const got = await grads.read();
    const f: string[] = [];
    let worst = 0;
    const compare = (name: string, g: ArrayLike<number>, want: ArrayLike<number>) => {
      let scale = 1e-12;
      for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
      let bad = 0;
      let first = '';
      for (let i = 0; i < want.length; i++) {
        const d = Math.abs(g[i]! - want[i]!);
        const rel = Number.isNaN(d) ? Infinity : d / scale;
        worst = Math.max(worst, rel);
        if (!(d <= 2e-4 * scale + 2e-3 * Math.abs(want[i]!))) {
          bad++;
          first ||= `${name}[${i}]: gpu ${g[i]} ref ${want[i]}`;
        }
      }
      if (bad > maxBad) f.push(`${name}: ${bad} values off (${first})`);
    };
    for (const key of ['means', 'logScales', 'rotations', 'opacities', 'sh', 'features'] as const) compare(key, got[key], ref[key]);
    const uv = Float32Array.from({ length: scene.count * 2 }, (_, i) => got.stats[Math.floor(i / 2) * 4 + (i % 2)]!);
    compare('means2d', uv, ref.means2d);
    let sumErr = 0;
    for (let i = 0; i < scene.count; i++) sumErr = Math.max(sumErr, Math.abs(got.stats[i * 4 + 2]! - Math.hypot(uv[i * 2]!, uv[i * 2 + 1]!)));
    if (!(sumErr < 5e-5)) f.push(`stats ‖(du, dv)‖ off by ${fmt(sumErr)}`);
    return outcome(worst, f);
  } finally {
    fwd?.destroy();
    bw.destroy();
    grads.destroy();
    gs.destroy();
    for (const b of buffers) b.destroy();
  }
}

const BACKWARD_CASES: Array<{ name: string; run: (device: GPUDevice, mode: BackwardRasterMode) => Promise<Outcome> }> = [
  { name: 'smooth 4 Gaussians, SH3, 2 features, background', run: (d, m) => backwardCase(d, m, smoothScene(21), testCamera([0, 0, -4], 32), 1, [0.2, 0.3, 0.4], 0, false) },
  { name: 'random 300, 64×64, SH3, 1 feature', run: (d, m) => backwardCase(d, m, randomScene(7, 300, 3, 1), testCamera([0.5, -0.3, -4], 64), 2, [0.1, 0.1, 0.1], 3, false) },
  {
    name: 'random 500, 48×40 (partial tiles), SH1',
    run: (d, m) => backwardCase(d, m, randomScene(8, 500, 1, 0), { ...testCamera([-0.4, 0.6, -4.2], 48), height: 40, cy: 20 }, 3, [0, 0, 0], 3, false),
  },
  { name: 'end to end on the GPU forward, 200, 64×64, SH2, 2 features', run: (d, m) => backwardCase(d, m, randomScene(9, 200, 2, 2), testCamera([0.3, 0.2, -4], 64), 4, [0.3, 0.2, 0.1], 3, true) },
];

// ---------------------------------------------------------------------------------------------------------------------
// scan and radix sort

const SCAN_CASES: Array<[string, (n: number, r: () => number) => Uint32Array, number[]]> = [
  ['random small values', (n, r) => Uint32Array.from({ length: n }, () => Math.floor(r() * 64)), [1, 3, 255, 1024, 1025, 5000, 70_001]],
  ['all zeros', (n) => new Uint32Array(n), [1, 1023, 2048]],
  ['all ones, 1 048 579', (n) => new Uint32Array(n).fill(1), [1024 * 1024 + 3]],
  ['wraps around 2^32', (n) => new Uint32Array(n).fill(0x40000000), [9]],
];

async function scanCase(device: GPUDevice, mode: ScanSortMode, make: (n: number, r: () => number) => Uint32Array, sizes: number[]): Promise<Outcome> {
  const scan = new PrefixScan(device, mode);
  const r = rng(7);
  const f: string[] = [];
  let worst = 0;
  try {
    for (const n of sizes) {
      const input = make(n, r);
      const inBuf = createBufferFrom(device, input, 'scan.in');
      const outBuf = createStorageBuffer(device, n * 4, 'scan.out');
      try {
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        scan.encode(pass, inBuf, outBuf, n);
        pass.end();
        device.queue.submit([enc.finish()]);
        const got = await readU32(device, outBuf, 0, n);
        const want = exclusiveScanU32(input).output;
        const at = firstMismatch(got, want);
        worst = Math.max(worst, maxAbs(got, want));
        if (at !== -1) f.push(`n=${n}: first mismatch at ${at}`);
      } finally {
        inBuf.destroy();
        outBuf.destroy();
      }
    }
  } finally {
    scan.destroy();
  }
  return outcome(worst, f);
}

async function sortCase(device: GPUDevice, mode: ScanSortMode, keys: Uint32Array, bits: number, capacity = keys.length): Promise<Outcome> {
  const n = keys.length;
  const values = Uint32Array.from({ length: n }, (_, i) => i);
  const sorter = new RadixSort(device, mode);
  const cap = Math.max(capacity, 1);
  const buffers = {
    keys: createStorageBuffer(device, cap * 4, 'k'),
    values: createStorageBuffer(device, cap * 4, 'v'),
    keysAlt: createStorageBuffer(device, cap * 4, 'k2'),
    valuesAlt: createStorageBuffer(device, cap * 4, 'v2'),
  };
  const counts = createBufferFrom(device, new Uint32Array([n, 0, 0, 0]), 'counts');
  try {
    if (n) {
      device.queue.writeBuffer(buffers.keys, 0, keys);
      device.queue.writeBuffer(buffers.values, 0, values);
    }
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    const out = sorter.encode(pass, buffers, counts, 0, cap, bits);
    pass.end();
    device.queue.submit([enc.finish()]);
    const got = { keys: await readU32(device, out.keys, 0, n), values: await readU32(device, out.values, 0, n) };
    const want = stableSortPairs(keys, values, n, bits);
    const f: string[] = [];
    const kv = firstMismatch(got.values, want.values), kk = firstMismatch(got.keys, want.keys);
    if (kv !== -1) f.push(`values: first mismatch at ${kv}`);
    if (kk !== -1) f.push(`keys: first mismatch at ${kk}`);
    return outcome(Math.max(maxAbs(got.keys, want.keys), maxAbs(got.values, want.values)), f);
  } finally {
    sorter.destroy();
    for (const b of Object.values(buffers)) b.destroy();
    counts.destroy();
  }
}

function sortCases(): Array<[string, Uint32Array, number, number?]> {
  const r = rng(11);
  return [
    ['random 32-bit keys, 5003', Uint32Array.from({ length: 5003 }, () => Math.floor(r() * 2 ** 32)), 32],
    ['all keys equal (stability)', new Uint32Array(3000).fill(0xdeadbeef), 32],
    ['already sorted', Uint32Array.from({ length: 2050 }, (_, i) => i * 3), 32],
    ['reverse sorted', Uint32Array.from({ length: 2050 }, (_, i) => 4_000_000_000 - i), 32],
    ['few distinct keys, 6 bits (odd pass count)', Uint32Array.from({ length: 4097 }, () => Math.floor(r() * 5)), 6],
    ['float depths as keys', new Uint32Array(Float32Array.from({ length: 1500 }, () => 0.01 + r() * 100).buffer), 32],
    ['single key', new Uint32Array([42]), 32],
    ['capacity 4096 > count 700, 16 bits', Uint32Array.from({ length: 700 }, () => Math.floor(r() * 1000)), 16, 4096],
    ['empty input', new Uint32Array(0), 32, 16],
  ];
}

// ---------------------------------------------------------------------------------------------------------------------
// loss and Adam

async function lossCase(device: GPUDevice, W: number, H: number, stride: 3 | 4, masked: boolean | 'weights'): Promise<Outcome> {
  const image = (seed: number, n: number) => {
    const r = rng(seed);
    return Float32Array.from({ length: n }, () => r());
  };
  const render = image(1, W * H * stride);
  const target = image(2, W * H * stride);
  const r = rng(3);
  const mask = Float32Array.from({ length: W * H }, () => (r() < 0.2 ? 0 : r() * (masked === 'weights' ? 5 : 1)));
  const loss = new PhotometricLoss(device, { width: W, height: H, stride });
  const bR = createBufferFrom(device, render, 'render');
  const bT = createBufferFrom(device, target, 'target');
  const bM = createBufferFrom(device, mask, 'mask');
  const bG = createStorageBuffer(device, render.byteLength, 'dRender');
  try {
    const enc = device.createCommandEncoder();
    loss.encode(enc, bR, bT, bG, masked ? bM : null);
    device.queue.submit([enc.finish()]);
    const values = await loss.readLoss();
    const grad = await readF32(device, bG, 0, W * H * stride);
    const rgb = (a: Float32Array) => Float64Array.from({ length: W * H * 3 }, (_, i) => a[Math.floor(i / 3) * stride + (i % 3)]!);
    const ref = photometricLoss(rgb(render), rgb(target), W, H, 0.2, masked ? mask : null);
    const f: string[] = [];
    for (const k of ['loss', 'l1', 'ssim'] as const) {
      const d = Math.abs(values[k] - ref[k]);
      if (!(d < 5e-6)) f.push(`${k}: gpu ${values[k]} ref ${ref[k]}`);
    }
    let scale = 0;
    for (const g of ref.grad) scale = Math.max(scale, Math.abs(g));
    let worst = 0, bad = 0;
    for (let i = 0; i < W * H * stride; i++) {
      const c = i % stride;
      const want = c < 3 ? ref.grad[Math.floor(i / stride) * 3 + c]! : 0;
      const d = Math.abs(grad[i]! - want);
      worst = Math.max(worst, Number.isFinite(grad[i]!) ? d / (scale || 1) : Infinity);
      if (!(d < 1e-3 * scale + 1e-7)) bad++;
    }
    if (bad) f.push(`${bad} gradient values off`);
    return outcome(worst, f);
  } finally {
    loss.destroy();
    for (const b of [bR, bT, bM, bG]) b.destroy();
  }
}

async function adamCase(device: GPUDevice): Promise<Outcome> {
  const N = 37;
  const ref = randomScene(5, N, 2, 2);
  const data = {
    count: N,
    means: ref.means as Float32Array,
    logScales: ref.logScales as Float32Array,
    rotations: ref.rotations as Float32Array,
    opacities: ref.opacities as Float32Array,
    sh: ref.sh as Float32Array,
    features: ref.features as Float32Array,
  };
  const scene = GaussianScene.fromData(device, data, { shDegree: 2, featureDim: 2, capacity: 50 });
  const grads = new SceneGradients(scene);
  const lr = { means: 0.01, logScales: 0.02, rotations: 0.03, opacities: 0.04, shDC: 0.05, shRest: 0.006, features: 0.07 };
  const adam = new GpuAdam(scene, lr);
  try {
    const cpu = Object.fromEntries(SCENE_PARAMS.map((p) => [p, Float64Array.from(data[p])])) as Record<string, Float64Array>;
    const states = Object.fromEntries(SCENE_PARAMS.map((p) => [p, adamState(cpu[p]!.length)]));
    const r = rng(9);
    for (let t = 1; t <= 3; t++) {
      for (const p of SCENE_PARAMS) {
        const g = Float32Array.from({ length: cpu[p]!.length }, () => r() - 0.5);
        writeArray(device, grads.buffer(p)!, g);
        if (p === 'sh') {
          const K3 = scene.shCoeffs * 3;
          const params = cpu[p]!;
          for (let i = 0; i < params.length; i++) {
            const one = Float64Array.of(params[i]!);
            const st = { m: states[p]!.m.subarray(i, i + 1), v: states[p]!.v.subarray(i, i + 1) };
            adamStep(one, [g[i]!], st, t, i % K3 < 3 ? lr.shDC : lr.shRest);
            params[i] = one[0]!;
          }
        } else {
          adamStep(cpu[p]!, g, states[p]!, t, lr[p as 'means']);
        }
      }
      const enc = device.createCommandEncoder();
      adam.step(enc, grads, t);
      device.queue.submit([enc.finish()]);
    }
    const out = await scene.read();
    const f: string[] = [];
    let worst = 0;
    for (const p of SCENE_PARAMS) {
      const got = out[p]!;
      let bad = 0;
      for (let i = 0; i < got.length; i++) {
        const rel = Math.abs(got[i]! - cpu[p]![i]!) / (1 + Math.abs(cpu[p]![i]!));
        worst = Math.max(worst, Number.isNaN(rel) ? Infinity : rel);
        if (!(rel < 2e-5)) bad++;
      }
      if (bad) f.push(`${p}: ${bad} values off`);
    }
    return outcome(worst, f);
  } finally {
    adam.destroy();
    grads.destroy();
    scene.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------------------

export interface ConformanceOptions {
  log?: (m: string) => void;
  /** Asked before each check: true skips the rest (reported as skipped). */
  shouldStop?: () => boolean;
}

export interface ConformanceReport {
  passed: number;
  failed: number;
  skipped: number;
  checks: CheckResult[];
}

/** Every check on `engine` (use a device of its own: errors are taken from it, a lost device fails the rest). */
export async function runConformance(engine: EngineDevice, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const device = engine.device;
  const log = options.log ?? (() => undefined);
  const checks: Array<{ name: string; run: () => Promise<Outcome> }> = [];
  for (const v of FORWARD_VARIANTS) for (const c of FORWARD_CASES) checks.push({ name: `forward[${v.label}] ${c.name}`, run: () => forwardCase(device, c, v.options) });
  checks.push({ name: 'forward: shared/parallel = rows/serial = direct/serial, 800 Gaussians, SH2, 2 features', run: () => forwardFamilies(device) });
  for (const mode of ['shared', 'rows'] as const) for (const c of BACKWARD_CASES) checks.push({ name: `backward[${mode}] ${c.name}`, run: () => c.run(device, mode) });
  for (const mode of ['parallel', 'serial'] as const) {
    for (const [name, make, sizes] of SCAN_CASES) checks.push({ name: `scan[${mode}] ${name}`, run: () => scanCase(device, mode, make, sizes) });
    for (const [name, keys, bits, cap] of sortCases()) checks.push({ name: `sort[${mode}] ${name}`, run: () => sortCase(device, mode, keys, bits, cap) });
  }
  for (const [W, H, stride, masked] of [[37, 29, 3, false], [64, 48, 4, true], [40, 24, 4, 'weights']] as const)
    checks.push({ name: `loss ${W}×${H} stride ${stride}${masked ? (masked === true ? ' masked' : ' weight map') : ''}`, run: () => lossCase(device, W, H, stride, masked) });
  checks.push({ name: 'adam: 3 steps, per-group rates (SH DC vs rest)', run: () => adamCase(device) });

  const results: CheckResult[] = [];
  let lost: string | null = null;
  const unsubscribe = engine.onLost((e) => (lost = e.message));
  try {
    for (const c of checks) {
      if (options.shouldStop?.()) {
        results.push({ name: c.name, ok: false, maxError: null, ms: 0, error: 'skipped: time budget' });
        continue;
      }
      if (lost) {
        results.push({ name: c.name, ok: false, maxError: null, ms: 0, error: `skipped: device lost (${lost})` });
        continue;
      }
      const t = performance.now();
      let res: CheckResult;
      try {
        const o = await c.run();
        const errors = engine.takeErrors();
        res = { name: c.name, ok: o.ok && errors.length === 0, maxError: o.maxError, ms: 0, ...(o.detail ? { detail: o.detail } : {}), ...(errors.length ? { error: `GPU errors: ${errors.join('; ').slice(0, 500)}` } : {}) };
      } catch (e) {
        engine.takeErrors();
        res = { name: c.name, ok: false, maxError: null, ms: 0, error: String((e as Error)?.stack ?? e).slice(0, 500) };
      }
      res.ms = Math.round(performance.now() - t);
      results.push(res);
      log(`${res.ok ? 'ok  ' : 'FAIL'} ${c.name} (${res.ms} ms${res.maxError !== null ? `, max err ${fmt(res.maxError)}` : ''})${res.ok ? '' : `: ${res.error ?? res.detail ?? ''}`}`);
    }
  } finally {
    unsubscribe();
  }
  const skipped = results.filter((r) => r.error?.startsWith('skipped')).length;
  const passed = results.filter((r) => r.ok).length;
  return { passed, failed: results.length - passed - skipped, skipped, checks: results };
}
