import { BrowserWindow, MessageChannelMain } from 'electron';
import { createChromiumEngineHost, type EnginePageConnection } from '../../../native/engine/host/chromium-engine-host';
import type { EngineHost } from '../../../native/engine/host/engine-host';
import { ENGINE_PAGE_URL } from './security-policy';

/**
 * The Chromium engine host in Electron: a hidden, sandboxed window on studio://app/engine.html runs the engine on
 * Chromium's WebGPU (Dawn in the GPU process, so a GPU fault costs a renderer, not the app). Main creates a
 * MessageChannelMain, keeps port1 and sends port2 to the window's preload (src/preload/engine.ts), which hands it
 * to the page. Replies carry typed arrays by value: transferring ArrayBuffers to MessagePortMain is broken
 * (electron/electron#34905), so the page does not transfer.
 */
export function createElectronEngineHost(preload: string, onWindow?: (win: BrowserWindow) => void): EngineHost {
  return createChromiumEngineHost(() => openEngineWindow(preload, onWindow));
}

/** Opens one hidden engine window (the viewport's, or one GPU job's: job-gpu-relay.ts). */
export async function openEngineWindow(preload: string, onWindow?: (win: BrowserWindow) => void): Promise<EnginePageConnection> {
  const win = new BrowserWindow({
    show: false,
    width: 320,
    height: 240,
    title: 'Avatar Studio engine',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      // A hidden window is throttled by default; the engine must run at full speed.
      backgroundThrottling: false,
      spellcheck: false,
    },
  });
  onWindow?.(win);
  const goneListeners: ((reason: string) => void)[] = [];
  let gone = false;
  const report = (reason: string) => {
    if (gone) return;
    gone = true;
    for (const l of goneListeners) l(reason);
  };
  win.webContents.on('render-process-gone', (_e, details) => report(`engine window's renderer ${details.reason} (exit code ${details.exitCode})`));
  win.on('closed', () => report('engine window closed'));
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (e) => e.preventDefault());

  await win.loadURL(ENGINE_PAGE_URL);
  const { port1, port2 } = new MessageChannelMain();
  const dataListeners: ((data: unknown) => void)[] = [];
  port1.on('message', (e) => {
    for (const l of dataListeners) l(e.data);
  });
  port1.on('close', () => report('engine port closed'));
  port1.start();
  win.webContents.postMessage('engine:port', null, [port2]);
  return {
    port: {
      postMessage: (m) => port1.postMessage(m),
      onData: (l) => dataListeners.push(l),
      close: () => port1.close(),
    },
    onGone: (l) => goneListeners.push(l),
    close: () => {
      gone = true;
      if (!win.isDestroyed()) win.destroy();
    },
  };
}
