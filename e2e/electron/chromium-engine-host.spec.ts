/**
 * The Chromium engine host without Electron: the engine page (native/engine/host/engine-page) runs in Debian's
 * Chromium on its WebGPU (SwiftShader here), and `ChromiumEngineHost` — the same class Electron's main process
 * uses — drives it over a MessagePort. Here the port's far end is bridged to Node through Playwright
 * (`page.evaluate` in, `exposeFunction` out); in Electron it is a MessageChannelMain handed to a hidden window.
 * The conformance cases are the ones the Node host passes in Vitest, and the two hosts' images are compared.
 */
import os from 'node:os';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { openEnginePage, serveEnginePage, type ServedEnginePage } from '../engine-page';
import { launchChromium } from '../support';
import { createChromiumEngineHost, type EnginePageConnection } from '../../native/engine/host/chromium-engine-host';
import { EngineHostExitedError, type EngineHost } from '../../native/engine/host/engine-host';
import { compareImages, conformanceCases, proofSceneData, TOLERANCE } from '../../native/engine/host/host-conformance';
import { createNodeEngineHost } from '../../native/engine/host/node-engine-host';
import { PROOF, proofCamera } from '../../native/engine/viewport-proof/proof-scene';


let served: ServedEnginePage | null = null;
let browser: Browser;
let host: EngineHost;
let nodeHost: EngineHost;

const openPage = () => openEnginePage(browser, served!.baseUrl);

test.beforeAll(async () => {
  served = await serveEnginePage();
  browser = await launchChromium();
  host = createChromiumEngineHost(openPage);
  process.env.XDG_RUNTIME_DIR ??= os.tmpdir();
  nodeHost = createNodeEngineHost();
});

test.afterAll(async () => {
  await host?.dispose();
  await nodeHost?.dispose();
  await browser?.close();
  await served?.close();
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
    const own = createChromiumEngineHost(async () => (opened = await openPage()));
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
