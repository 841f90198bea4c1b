/**
 * The engine page (native/engine/host/engine-page) outside Electron: built with Vite into a temp folder, served over
 * HTTP, opened in Debian's Chromium, and connected to this Node process through a MessagePort bridged by Playwright
 * (`page.evaluate` in, `exposeFunction` out). In Electron the same page runs in a hidden window with a
 * MessageChannelMain port (src/main/electron/engine-window.ts); the `EnginePageConnection` is the same either way.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { build } from 'vite';
import type { EnginePageConnection } from '../native/engine/host/chromium-engine-host';
import { serveFolder } from './chromium';

export interface ServedEnginePage {
  baseUrl: string;
  close(): Promise<void>;
}

/** Builds the engine page and serves it; `close` stops the server and removes the build. */
export async function serveEnginePage(): Promise<ServedEnginePage> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-page-'));
  await build({
    configFile: false,
    root: path.resolve('native/engine/host/engine-page'),
    base: './',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false, target: 'es2022', rollupOptions: { input: path.resolve('native/engine/host/engine-page/engine.html') } },
  });
  const { baseUrl, close } = await serveFolder(outDir, 'engine.html');
  return {
    baseUrl,
    close: async () => {
      await close();
      fs.rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** Opens the engine page in a new tab and connects a MessagePort to it, bridged to this Node process. */
export async function openEnginePage(browser: Browser, baseUrl: string, label = 'engine page'): Promise<EnginePageConnection & { page: Page }> {
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[${label}] ${m.text()}`);
  });
  page.on('pageerror', (e) => console.log(`[${label}] ${e.message}`));
  const listeners: ((data: unknown) => void)[] = [];
  await page.exposeFunction('__engineToHost', (data: unknown) => {
    for (const l of listeners) l(data);
  });
  await page.goto(`${baseUrl}/engine.html`);
  await page.waitForFunction(() => (globalThis as { __studioEngine?: unknown }).__studioEngine !== undefined);
  // Runs in the page; typed without the DOM lib (this file is also type-checked with the Node config, via bench/).
  await page.evaluate(() => {
    interface Port { onmessage: ((e: { data: unknown }) => void) | null; postMessage(m: unknown): void }
    const w = globalThis as unknown as {
      __hostPort: Port;
      __engineToHost(d: unknown): void;
      MessageChannel: new () => { port1: Port; port2: Port };
      location: { origin: string };
      postMessage(m: unknown, origin: string, transfer: unknown[]): void;
    };
    const ch = new w.MessageChannel();
    w.__hostPort = ch.port1;
    ch.port1.onmessage = (e) => w.__engineToHost(e.data);
    w.postMessage({ type: 'studio-engine:port', transfer: true }, w.location.origin, [ch.port2]);
  });
  await page.waitForFunction(() => (globalThis as { __studioEngine?: { connected: boolean } }).__studioEngine?.connected === true);
  return {
    page,
    port: {
      postMessage: (message) => {
        void page.evaluate((m) => (globalThis as unknown as { __hostPort: { postMessage(m: unknown): void } }).__hostPort.postMessage(m), message as never).catch(() => {});
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
