/**
 * The Chromium engine page: the engine on `navigator.gpu`, serving the host protocol over a MessagePort.
 *
 * The port arrives as a window message `{ type: 'studio-engine:port' }` carrying one MessagePort, posted by this
 * window itself: in Electron by the engine window's preload (src/preload/engine.ts), which receives the port from
 * main; in tests by `page.evaluate`. Messages from other windows are ignored. One connection per page.
 */
import { wrapDevice, type EngineDevice } from '../../gpu/engine-device';
import { NoAdapterError } from '../../gpu/errors';
import { engineDeviceLimits } from '../../gpu/limits';
import { EngineServer } from '../engine-server';

export const ENGINE_PORT_MESSAGE = 'studio-engine:port';

// Minimal DOM surface (this file is type-checked with the Node tsconfig, which has no DOM lib).
interface MinimalPort {
  onmessage: ((e: { data: unknown }) => void) | null;
  postMessage(message: unknown, transfer?: unknown[]): void;
  start(): void;
}
interface MinimalMessageEvent {
  data: unknown;
  source: unknown;
  ports: readonly MinimalPort[];
}
const page = globalThis as unknown as {
  navigator: { gpu?: GPU };
  location: { search: string };
  addEventListener(type: 'message', l: (e: MinimalMessageEvent) => void): void;
  document: { getElementById(id: string): { textContent: string } | null };
  __studioEngine?: { connected: boolean };
};

async function createBrowserDevice(): Promise<EngineDevice> {
  const gpu = page.navigator.gpu;
  if (!gpu) throw new NoAdapterError(['navigator.gpu is missing'], 'WebGPU is disabled in this Chromium (Linux needs --enable-unsafe-webgpu) or the page is not a secure context.');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new NoAdapterError(['navigator.gpu.requestAdapter() returned null'], 'Chromium found no usable GPU adapter (see chrome://gpu).');
  const device = await adapter.requestDevice({ label: 'studio-engine', requiredLimits: engineDeviceLimits(adapter) });
  return wrapDevice(device, { backend: 'browser', via: 'chromium', isFallbackAdapter: Boolean((adapter.info as { isFallbackAdapter?: boolean }).isFallbackAdapter) });
}

function setStatus(text: string): void {
  const el = page.document.getElementById('status');
  if (el) el.textContent = text;
}

page.__studioEngine = { connected: false };

page.addEventListener('message', (e) => {
  if (e.source !== page || (e.data as { type?: unknown } | null)?.type !== ENGINE_PORT_MESSAGE || e.ports.length !== 1) return;
  if (page.__studioEngine!.connected) return;
  const port = e.ports[0]!;
  // Transfers are off by default: Electron's MessagePortMain cannot receive transferred ArrayBuffers
  // (electron/electron#34905); `transfer: true` in the message turns them on for plain-browser channels.
  const transfer = (e.data as { transfer?: unknown }).transfer === true;
  const server = new EngineServer({
    createDevice: createBrowserDevice,
    send: (message, buffers) => port.postMessage(message, buffers),
    transfer,
  });
  port.onmessage = (m) => void server.handle(m.data);
  port.start();
  page.__studioEngine!.connected = true;
  setStatus('connected');
});
