/**
 * ChromiumEngineHost: the engine in a Chromium page on `navigator.gpu` (engine-page/), reached over a
 * MessagePort-like object. In Electron, main opens a hidden window on the engine page and hands it one end of a
 * `MessageChannelMain` (src/main/electron/engine-window.ts); tests here open the page in Debian's Chromium and bridge
 * a page MessagePort to Node (e2e/electron/chromium-engine-host.spec.ts). This module imports neither `electron`
 * nor the DOM, so it runs in Electron's main process and in plain Node.
 */
import { EngineClient, type EngineChannel, type EngineHost } from './engine-host';
import type { EngineRequest } from './protocol';

/** The part of `MessagePortMain` (Electron) / a bridged port the host needs. */
export interface PortLike {
  postMessage(message: unknown): void;
  /** Subscribes to incoming message data (already unwrapped from the event). */
  onData(listener: (data: unknown) => void): void;
  close(): void;
}

/** A running engine page: its port, a way to learn that it went away, and a way to close it. */
export interface EnginePageConnection {
  port: PortLike;
  /** Registers the listener called once if the page goes away on its own (renderer crash, window closed). */
  onGone(listener: (reason: string) => void): void;
  /** Closes the page (and its window). */
  close(): void | Promise<void>;
}

export function createChromiumEngineHost(openPage: () => Promise<EnginePageConnection>, requestTimeoutMs?: number): EngineHost {
  return new EngineClient('chromium', async () => pageChannel(await openPage()), requestTimeoutMs);
}

function pageChannel(page: EnginePageConnection): EngineChannel {
  let closed = false;
  const closeListeners: ((reason: string) => void)[] = [];
  page.onGone((reason) => {
    if (closed) return;
    closed = true;
    for (const l of closeListeners) l(reason);
  });
  return {
    post(message: EngineRequest) {
      if (closed) throw new Error('The engine page is closed.');
      page.port.postMessage(message);
    },
    onMessage(listener) {
      page.port.onData(listener);
    },
    onClose(listener) {
      closeListeners.push(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      page.port.close();
      await page.close();
    },
  };
}
