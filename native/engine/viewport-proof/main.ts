/**
 * Browser side of the viewport proof: renders the proof scene with the engine on navigator.gpu, draws it, and
 * publishes the pixels on `window.__engineProof` for e2e/engine-viewport.spec.ts. `?kernels=gpu|cpu` picks the
 * kernel variants (gpu: shared-memory rasteriser + parallel scan/sort; cpu: direct + serial; default: the engine's
 * choice for this adapter).
 */
import { wrapDevice } from '../gpu/engine-device';
import { engineDeviceLimits } from '../gpu/limits';
import { ForwardRenderer, type ForwardRendererOptions } from '../splat/forward';
import { readForwardImages } from '../splat/images';
import { GaussianScene } from '../splat/scene';
import { PROOF, proofCamera, proofScene } from './proof-scene';

export interface ProofResult {
  ok: boolean;
  error?: string;
  adapter?: unknown;
  rasterMode?: string;
  width?: number;
  height?: number;
  rgb?: number[];
  alpha?: number[];
  gpuErrors?: string[];
  ms?: number;
  /** `?timing=N`: median ms of N further renders of a live-sized scene (`side`² px, `count` Gaussians), each to completion. */
  timing?: { side: number; count: number; iters: number; medianMs: number; minMs: number };
}

// Minimal DOM surface (this file is type-checked with the Node tsconfig, which has no DOM lib).
interface MinimalCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { createImageData(w: number, h: number): { data: Uint8ClampedArray }; putImageData(d: unknown, x: number, y: number): void } | null;
}
const page = globalThis as unknown as {
  navigator: { gpu?: GPU };
  location: { search: string };
  document: { getElementById(id: string): ({ textContent: string } & Partial<MinimalCanvas>) | null };
  __engineProof?: ProofResult;
};

async function run(): Promise<ProofResult> {
  const started = performance.now();
  const gpu = page.navigator.gpu;
  if (!gpu) return { ok: false, error: 'navigator.gpu is missing (WebGPU disabled or not a secure context)' };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { ok: false, error: 'requestAdapter() returned null' };
  const device = await adapter.requestDevice({ requiredLimits: engineDeviceLimits(adapter) });
  const engine = wrapDevice(device, { backend: 'browser', via: 'external' });
  const kernels = new URLSearchParams(page.location.search).get('kernels');
  const variants: Record<string, ForwardRendererOptions> = {
    gpu: { rasterMode: 'shared', scanSortMode: 'parallel' },
    cpu: { rasterMode: 'rows', scanSortMode: 'serial' },
    direct: { rasterMode: 'direct', scanSortMode: 'serial' },
  };
  const renderer = new ForwardRenderer(device, variants[kernels ?? ''] ?? {});
  const scene = GaussianScene.fromData(device, proofScene(), { shDegree: PROOF.shDegree });
  const state = await renderer.render(scene, proofCamera(), { background: PROOF.background });
  const img = await readForwardImages(device, state);
  draw(img.rgb, img.width, img.height);
  const params = new URLSearchParams(page.location.search);
  const iters = Number(params.get('timing') ?? 0);
  const timing = iters > 0 ? await timeRenders(device, renderer, iters, Number(params.get('side') ?? 448), Number(params.get('count') ?? 4000)) : undefined;
  const result: ProofResult = {
    ok: true,
    adapter: engine.adapter,
    rasterMode: `${renderer.rasterMode}/${renderer.scanSortMode}`,
    width: img.width,
    height: img.height,
    rgb: Array.from(img.rgb),
    alpha: Array.from(img.alpha),
    gpuErrors: engine.takeErrors(),
    ms: performance.now() - started,
    timing,
  };
  renderer.destroy();
  scene.destroy();
  engine.destroy();
  return result;
}

/** Renders a scene of `count` seeded Gaussians at side×side `iters` times (after a warm-up), each awaited to completion. */
async function timeRenders(device: GPUDevice, renderer: ForwardRenderer, iters: number, side: number, count: number): Promise<ProofResult['timing']> {
  const scene = GaussianScene.fromData(device, proofScene(count), { shDegree: PROOF.shDegree });
  const base = proofCamera();
  const s = side / PROOF.width;
  const camera = { ...base, width: side, height: side, fx: base.fx * s, fy: base.fy * s, cx: side / 2, cy: side / 2 };
  const times: number[] = [];
  for (let i = 0; i <= iters; i++) {
    const t0 = performance.now();
    await renderer.render(scene, camera, { background: PROOF.background });
    await device.queue.onSubmittedWorkDone();
    if (i > 0) times.push(performance.now() - t0);
  }
  scene.destroy();
  times.sort((a, b) => a - b);
  return { side, count, iters, medianMs: times[Math.floor(times.length / 2)]!, minMs: times[0]! };
}

function draw(rgb: Float32Array, width: number, height: number): void {
  const canvas = page.document.getElementById('view') as MinimalCanvas | null;
  const ctx = canvas?.getContext('2d');
  if (!canvas || !ctx) return;
  canvas.width = width;
  canvas.height = height;
  const image = ctx.createImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) image.data[p * 4 + c] = Math.round(Math.min(1, Math.max(0, rgb[p * 3 + c])) * 255);
    image.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

run()
  .catch((e: unknown): ProofResult => ({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }))
  .then((result) => {
    page.__engineProof = result;
    const status = page.document.getElementById('status');
    if (status) status.textContent = result.ok ? `rendered ${result.width}×${result.height} in ${result.ms?.toFixed(0)} ms` : `failed: ${result.error}`;
  });
