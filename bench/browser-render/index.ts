/**
 * Browser render benchmark: the engine's forward render on Chromium's WebGPU (the adapter the desktop app's
 * viewport, Live view and — in Electron — every GPU job run on), per rasteriser variant, at a Live-sized frame.
 * Builds native/engine/viewport-proof, serves it on 127.0.0.1 and opens it in Debian's Chromium once per variant.
 * Prints one JSON object as the last line.
 *
 *   npm run bench:browser-render -- [--side 448] [--count 4000] [--iters 15] [--variants cpu,direct,gpu]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium, serveFolder } from '../../e2e/chromium';
import { build } from 'vite';
import type { ProofResult } from '../../native/engine/viewport-proof/main';

const { values } = parseArgs({
  options: {
    side: { type: 'string', default: '448' },
    count: { type: 'string', default: '4000' },
    iters: { type: 'string', default: '15' },
    variants: { type: 'string', default: 'cpu,direct,gpu' },
  },
});
const side = Number(values.side), count = Number(values.count), iters = Number(values.iters);

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-render-'));
await build({ configFile: false, root: path.resolve('native/engine/viewport-proof'), base: './', logLevel: 'warn', build: { outDir, emptyOutDir: true, minify: false, target: 'es2022' } });
const server = await serveFolder(outDir, 'index.html');
const browser = await launchChromium();
const rows: Record<string, unknown>[] = [];
let adapter: unknown = null;
try {
  for (const variant of values.variants.split(',')) {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/index.html?kernels=${variant}&timing=${iters}&side=${side}&count=${count}`);
    await page.waitForFunction(() => (globalThis as { __engineProof?: unknown }).__engineProof, undefined, { timeout: 600_000, polling: 500 });
    const r = await page.evaluate(() => {
      const p = (globalThis as unknown as { __engineProof: ProofResult }).__engineProof;
      return { ok: p.ok, error: p.error, adapter: p.adapter, rasterMode: p.rasterMode, timing: p.timing };
    });
    await page.close();
    if (!r.ok) throw new Error(`${variant}: ${r.error}`);
    adapter = r.adapter;
    console.error(`${variant} (${r.rasterMode}): median ${r.timing?.medianMs.toFixed(1)} ms`);
    rows.push({ variant, kernels: r.rasterMode, medianMs: Number(r.timing!.medianMs.toFixed(2)), minMs: Number(r.timing!.minMs.toFixed(2)) });
  }
} finally {
  await browser.close();
  server.close();
  fs.rmSync(outDir, { recursive: true, force: true });
}
console.log(JSON.stringify({ bench: 'browser-render', side, count, iters, load: os.loadavg()[0], adapter, rows }));
