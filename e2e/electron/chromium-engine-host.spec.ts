/**
 * The Chromium engine host without Electron: the engine page (native/engine/host/engine-page) runs in Debian's
 * Chromium on its WebGPU (SwiftShader here), and `ChromiumEngineHost` — the same class Electron's main process
 * uses — drives it over a MessagePort. Here the port's far end is bridged to Node through Playwright
 * (`page.evaluate` in, `exposeFunction` out); in Electron it is a MessageChannelMain handed to a hidden window.
 * The conformance cases are the ones the Node host passes in Vitest, and the two hosts' images are compared.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { build } from 'vite';
import { launchChromium, serveFolder } from '../support';
import { createChromiumEngineHost, type EnginePageConnection } from '../../native/engine/host/chromium-engine-host';
import { EngineHostExitedError, type EngineHost } from '../../native/engine/host/engine-host';
import { compareImages, conformanceCases, proofSceneData, TOLERANCE } from '../../native/engine/host/host-conformance';
import { createNodeEngineHost } from '../../native/engine/host/node-engine-host';
import { PROOF, proofCamera } from '../../native/engine/viewport-proof/proof-scene';


let outDir = '';
let closeServer: (() => Promise<void>) | null = null;
let baseUrl = '';
let browser: Browser;
let host: EngineHost;
let nodeHost: EngineHost;

/** Opens the engine page in a new tab and connects a MessagePort to it, bridged to this Node process. */
async function openEnginePage(): Promise<EnginePageConnection & { page: Page }> {
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[engine page] ${m.text()}`);
  });
  page.on('pageerror', (e) => console.log(`[engine page] ${e.message}`));
  const listeners: ((data: unknown) => void)[] = [];
  await page.exposeFunction('__engineToHost', (data: unknown) => {
    for (const l of listeners) l(data);
  });
  await page.goto(`${baseUrl}/engine.html`);
  await page.waitForFunction(() => (globalThis as { __studioEngine?: unknown }).__studioEngine !== undefined);
  await page.evaluate(() => {
    const w = globalThis as unknown as { __hostPort: MessagePort; __engineToHost(d: unknown): void } & Window;
    const ch = new MessageChannel();
    w.__hostPort = ch.port1;
    ch.port1.onmessage = (e) => w.__engineToHost(e.data);
    w.postMessage({ type: 'studio-engine:port', transfer: true }, location.origin, [ch.port2]);
  });
  await page.waitForFunction(() => (globalThis as { __studioEngine?: { connected: boolean } }).__studioEngine?.connected === true);
  return {
    page,
    port: {
      postMessage: (message) => {
        void page.evaluate((m) => (globalThis as unknown as { __hostPort: MessagePort }).__hostPort.postMessage(m), message as never).catch(() => {});
      },
      onData: (l) => listeners.push(l),
      close: () => {},
    },
    onGone: (l) => {
      page.on('close', () => l('engine page closed'));
      page.on('crash', () => l('engine page crashed'));
    },
    close: () => page.close(),
  };
}

test.beforeAll(async () => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-page-'));
  await build({
    configFile: false,
    root: path.resolve('native/engine/host/engine-page'),
    base: './',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false, target: 'es2022', rollupOptions: { input: path.resolve('native/engine/host/engine-page/engine.html') } },
  });
  ({ baseUrl, close: closeServer } = await serveFolder(outDir, 'engine.html'));
  browser = await launchChromium();
  host = createChromiumEngineHost(openEnginePage);
  process.env.XDG_RUNTIME_DIR ??= os.tmpdir();
  nodeHost = createNodeEngineHost();
});

test.afterAll(async () => {
  await host?.dispose();
  await nodeHost?.dispose();
  await browser?.close();
  await closeServer?.();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

test.describe('Chromium engine host (engine page on Chromium WebGPU)', () => {
  for (const c of conformanceCases) {
    test(c.name, async () => {
      await c.run(host);
    });
  }

  test('renders the same images as the Node host', async () => {
    const [chromiumInfo, nodeInfo] = await Promise.all([host.start(), nodeHost.start()]);
    console.log(`[chromium-engine-host] chromium: ${JSON.stringify(chromiumInfo.adapter)}; node: ${JSON.stringify(nodeInfo.adapter)}`);
    const options = { background: PROOF.background, outputs: ['rgb', 'alpha', 'depth'] as const };
    const [a, b] = await Promise.all([host.render(proofSceneData(), proofCamera(), options), nodeHost.render(proofSceneData(), proofCamera(), options)]);
    const rgb = compareImages(a.rgb!, b.rgb!);
    const alpha = compareImages(a.alpha!, b.alpha!);
    console.log(`[chromium-engine-host] vs Node host: rgb PSNR ${rgb.psnr.toFixed(1)} dB, max |Δ| ${rgb.maxAbs.toExponential(2)}; alpha max |Δ| ${alpha.maxAbs.toExponential(2)}; ${a.ms.toFixed(0)} ms vs ${b.ms.toFixed(0)} ms`);
    expect(rgb.psnr).toBeGreaterThanOrEqual(TOLERANCE.minPsnr);
    expect(rgb.maxAbs).toBeLessThanOrEqual(TOLERANCE.maxAbs);
    expect(alpha.maxAbs).toBeLessThanOrEqual(TOLERANCE.maxAbs);
  });

  test('a closed engine page rejects pending work, reports exit, and the next call opens a new page', async () => {
    let opened: (EnginePageConnection & { page: Page }) | null = null;
    const own = createChromiumEngineHost(async () => (opened = await openEnginePage()));
    const exits: string[] = [];
    own.on('exit', ({ reason }) => exits.push(reason));
    try {
      await own.start();
      const first = opened!.page;
      const pending = expect(own.render(proofSceneData(), proofCamera())).rejects.toBeInstanceOf(EngineHostExitedError);
      await first.close();
      await pending;
      expect(exits).toEqual(['engine page closed']);
      await own.start();
      expect(opened!.page).not.toBe(first);
    } finally {
      await own.dispose();
    }
  });
});
