import { onDeviceLost, watchDevice } from './device-loss';
import type { DeviceLostError } from './errors';

/** What the engine reports about the adapter it runs on (plain, serialisable). */
export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** 'vulkan' | 'metal' | 'd3d12' | 'opengles' | 'browser' | … */
  backend: string;
  /** A CPU/software adapter (SwiftShader reports itself as a fallback adapter). */
  isFallbackAdapter: boolean;
  featureLevel: 'core' | 'compatibility';
  /** How the device was obtained: 'default', 'swiftshader', 'opengles' (Node) or 'external' (given by the host). */
  via: string;
  /** Why this adapter, in words for Settings ▸ About and bench JSON (node-device.ts `adapterChoiceReason`). */
  reason: string;
}

/** A GPUDevice plus what the engine knows about it. Engine code only ever needs `.device`. */
export interface EngineDevice {
  readonly device: GPUDevice;
  readonly adapter: AdapterReport;
  /** Calls back once if the device is lost; returns an unsubscribe function. */
  onLost(listener: (error: DeviceLostError) => void): () => void;
  /** Validation/out-of-memory errors not captured by an error scope, oldest first; clears the list. */
  takeErrors(): string[];
  destroy(): void;
}

export function adapterReport(info: GPUAdapterInfo | undefined, backend: string, via: string, featureLevel: 'core' | 'compatibility', reason = ''): AdapterReport {
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    backend,
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter),
    featureLevel,
    via,
    reason,
  };
}

/** Wraps a device created elsewhere (the browser's navigator.gpu, or a host app). */
export function wrapDevice(device: GPUDevice, adapter?: Partial<AdapterReport>, onDestroy?: () => void): EngineDevice {
  watchDevice(device);
  const errors: string[] = [];
  device.onuncapturederror = (event: GPUUncapturedErrorEvent) => {
    errors.push(event.error.message);
  };
  const report: AdapterReport = {
    ...adapterReport(device.adapterInfo, 'unknown', 'external', device.features.has('core-features-and-limits') ? 'core' : 'compatibility', 'The adapter of the WebGPU this page runs on.'),
    ...adapter,
  };
  return {
    device,
    adapter: report,
    onLost: (listener) => onDeviceLost(device, listener),
    takeErrors: () => errors.splice(0, errors.length),
    destroy: () => {
      device.destroy();
      onDestroy?.();
    },
  };
}
