/**
 * Viewport proof: the engine renders the same seeded scene in Chromium's WebGPU (SwiftShader here) and in Node
 * through dawn.node, and the pixels agree. Self-contained: builds native/engine/viewport-proof with Vite, serves it
 * from its own static server on 127.0.0.1 (WebGPU needs a secure context; data: URLs have no navigator.gpu), and
 * launches Debian's Chromium itself. Tolerance: PSNR ≥ 40 dB and max |Δ| ≤ 0.02 per channel (same maths, different
 * shader compilers and exp() implementations).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser } from '@playwright/test';
import { build } from 'vite';
import { launchChromium, serveFolder, waitUntil } from './support';
import { createNodeDevice } from '../native/engine/gpu/node-device';
import { ForwardRenderer } from '../native/engine/splat/forward';
import { readForwardImages } from '../native/engine/splat/images';
import { GaussianScene } from '../native/engine/splat/scene';
import { PROOF, proofCamera, proofScene } from '../native/engine/viewport-proof/proof-scene';
import type { ProofResult } from '../native/engine/viewport-proof/main';


let outDir = '';
let closeServer: (() => Promise<void>) | null = null;
let baseUrl = '';
let browser: Browser;
let nodeRgb: Float32Array;
let nodeAlpha: Float32Array;

test.beforeAll(async () => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-viewport-'));
  await build({
    configFile: false,
    root: path.resolve('native/engine/viewport-proof'),
    base: './',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false, target: 'es2022' },
  });
  ({ baseUrl, close: closeServer } = await serveFolder(outDir, 'index.html'));

  browser = await launchChromium();

  // The Node/Dawn render of the same scene.
  process.env.XDG_RUNTIME_DIR ??= os.tmpdir();
  const engine = await createNodeDevice({ label: 'viewport-proof' });
  const scene = GaussianScene.fromData(engine.device, proofScene(), { shDegree: PROOF.shDegree });
  const renderer = new ForwardRenderer(engine.device);
  const img = await readForwardImages(engine.device, await renderer.render(scene, proofCamera(), { background: PROOF.background }));
  expect(engine.takeErrors()).toEqual([]);
  nodeRgb = img.rgb;
  nodeAlpha = img.alpha;
  renderer.destroy();
  scene.destroy();
  engine.destroy();
});

test.afterAll(async () => {
  await browser?.close();
  await closeServer?.();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

function compare(a: ArrayLike<number>, b: ArrayLike<number>) {
  let se = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    se += d * d;
    max = Math.max(max, Number.isNaN(d) ? Infinity : d);
  }
  const mse = se / a.length;
  return { psnr: mse === 0 ? Infinity : 10 * Math.log10(1 / mse), maxAbs: max };
}

const VARIANTS = { gpu: 'shared/parallel', cpu: 'rows/serial', direct: 'direct/serial' } as const;

for (const [kernels, modes] of Object.entries(VARIANTS)) {
  test(`browser WebGPU render matches Node/Dawn (${kernels}-style kernels: ${modes})`, async () => {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') console.log(`[page] ${m.text()}`);
    });
    await page.goto(`${baseUrl}/index.html?kernels=${kernels}`);
    // Shader compilation and the proof's renders on a CPU adapter: as long as they take on a busy machine (support.ts).
    await waitUntil('the engine proof', () => page.evaluate(() => (globalThis as { __engineProof?: unknown }).__engineProof !== undefined), (done) => done);
    const proof = (await page.evaluate(() => (globalThis as { __engineProof?: unknown }).__engineProof)) as ProofResult;
    expect(proof.error ?? '').toBe('');
    expect(proof.ok).toBe(true);
    expect(proof.gpuErrors).toEqual([]);
    expect(proof.rasterMode).toBe(modes);
    expect([proof.width, proof.height]).toEqual([PROOF.width, PROOF.height]);
    const rgb = compare(proof.rgb!, nodeRgb);
    const alpha = compare(proof.alpha!, nodeAlpha);
    console.log(`[engine-viewport] ${modes}: adapter ${JSON.stringify(proof.adapter)}; rgb PSNR ${rgb.psnr.toFixed(1)} dB, max |Δ| ${rgb.maxAbs.toExponential(2)}; alpha max |Δ| ${alpha.maxAbs.toExponential(2)}; ${proof.ms?.toFixed(0)} ms in page`);
    // The scene is not blank: enough pixels are covered for the comparison to mean something.
    expect(nodeAlpha.filter((a) => a > 0.5).length).toBeGreaterThan(PROOF.width * PROOF.height * 0.2);
    expect(rgb.psnr).toBeGreaterThanOrEqual(40);
    expect(rgb.maxAbs).toBeLessThanOrEqual(0.02);
    expect(alpha.maxAbs).toBeLessThanOrEqual(0.02);
    await page.close();
  });
}
