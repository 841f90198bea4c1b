import { DeviceLostError } from './errors';

/**
 * Device-loss bookkeeping that works for any GPUDevice (Dawn or browser): one `device.lost` watcher per device,
 * listeners, and a promise that pending work races against so it rejects instead of hanging.
 */
interface LossState {
  error: DeviceLostError | null;
  listeners: Set<(error: DeviceLostError) => void>;
  lostPromise: Promise<never>;
}

const states = new WeakMap<GPUDevice, LossState>();

function stateOf(device: GPUDevice): LossState {
  let state = states.get(device);
  if (state) return state;
  const listeners = new Set<(error: DeviceLostError) => void>();
  let rejectLost!: (e: DeviceLostError) => void;
  const lostPromise = new Promise<never>((_, reject) => {
    rejectLost = reject;
  });
  // Nobody may be racing when it fires; keep it from becoming an unhandled rejection.
  lostPromise.catch(() => undefined);
  const created: LossState = { error: null, listeners, lostPromise };
  states.set(device, created);
  void device.lost.then((info) => {
    const error = new DeviceLostError(String(info.reason ?? 'unknown'), info.message || 'no message');
    created.error = error;
    rejectLost(error);
    for (const listener of listeners) listener(error);
  });
  return created;
}

/** Calls `listener` once if/when the device is lost. Returns an unsubscribe function. */
export function onDeviceLost(device: GPUDevice, listener: (error: DeviceLostError) => void): () => void {
  const state = stateOf(device);
  if (state.error) {
    queueMicrotask(() => listener(state.error!));
    return () => undefined;
  }
  state.listeners.add(listener);
  return () => state.listeners.delete(listener);
}

/** Throws if the device is already known to be lost. */
export function assertDeviceAlive(device: GPUDevice): void {
  const error = stateOf(device).error;
  if (error) throw error;
}

/** Resolves like `work`, or rejects with a DeviceLostError as soon as the device is lost. */
export function raceDeviceLoss<T>(device: GPUDevice, work: Promise<T>): Promise<T> {
  const state = stateOf(device);
  if (state.error) {
    work.catch(() => undefined);
    return Promise.reject(state.error);
  }
  return Promise.race([work, state.lostPromise]);
}

/** Starts watching a device (idempotent); call when a device enters the engine. */
export function watchDevice(device: GPUDevice): void {
  stateOf(device);
}
