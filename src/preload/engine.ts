import { ipcRenderer } from 'electron';

/**
 * Preload of the hidden engine window (Chromium engine host). Main sends one MessagePort on 'engine:port'; it is
 * handed to the page's main world with window.postMessage once the page has loaded (the pattern of Electron's
 * MessagePorts tutorial for context-isolated pages), where native/engine/host/engine-page serves the engine
 * protocol on it. Nothing is exposed to the page.
 */
// The page's window (this tsconfig has no DOM lib).
const page = globalThis as unknown as {
  postMessage(message: unknown, targetOrigin: string, transfer: readonly unknown[]): void;
  addEventListener(type: 'load', listener: () => void, options: { once: true }): void;
};

// Registered before any page script runs, so the load event cannot be missed.
const loaded = new Promise<void>((resolve) => page.addEventListener('load', () => resolve(), { once: true }));

ipcRenderer.on('engine:port', async (event) => {
  if (event.ports.length !== 1) return;
  await loaded;
  page.postMessage({ type: 'studio-engine:port' }, '*', event.ports);
});
