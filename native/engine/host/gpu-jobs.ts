/**
 * GpuJobs: how a job reaches the GPU. The job opens sessions (gpu-sessions.ts) and calls their methods; where they
 * run is the placement the services host chose (`pickEngineHost`, pick-engine-host.ts) and passed to the job:
 *
 *  - `localGpuJobs`: in the job's own process on a device the placement creates (dawn.node in web mode and the CLI).
 *  - `remoteGpuJobs`: in an engine page on Chromium's WebGPU, over the engine host protocol (the desktop app; in CI,
 *    Debian's Chromium driven through Playwright). Arguments and results cross by structured clone.
 *
 * Both behave the same to the job: every method is async, device loss rejects with `DeviceLostError`, and a
 * progress callback that throws (the job was cancelled) stops the call.
 */
import type { AdapterReport, EngineDevice } from '../gpu/engine-device';
import { raceDeviceLoss } from '../gpu/device-loss';
import type { DeviceLostError } from '../gpu/errors';
import type { EngineClient } from './engine-host';
import { deviceLostError } from './session-marshal';
import { createSessionObject, sessionMethods, type GpuSession, type GpuSessionName, type SessionInit } from './gpu-sessions';

export type GpuPlacement = 'node' | 'chromium';

export interface GpuJobs {
  readonly placement: GpuPlacement;
  /** Starts the device (if needed) and reports its adapter. */
  start(): Promise<AdapterReport>;
  open<K extends GpuSessionName>(kind: K, init: SessionInit<K>): Promise<GpuSession<K>>;
  /** The device-loss error once the device was lost, else null. */
  lostError(): DeviceLostError | null;
  /** Frees every session and the device (or the engine page). Safe to call twice. */
  close(): Promise<void>;
}

/** Sessions in this process, on the device `createDevice` makes the first time one is needed. */
export function localGpuJobs(createDevice: () => Promise<EngineDevice>): GpuJobs {
  let engine: Promise<EngineDevice> | null = null;
  let lost: DeviceLostError | null = null;
  const open = new Set<{ destroy(): void }>();
  const device = () => {
    engine ??= createDevice().then((e) => {
      e.onLost((err) => (lost = err));
      return e;
    });
    return engine;
  };
  return {
    placement: 'node',
    start: async () => (await device()).adapter,
    async open(kind, init) {
      const e = await device();
      const obj = createSessionObject(kind, e, init);
      open.add(obj);
      const session: Record<string, unknown> = {
        close: async () => {
          if (open.delete(obj)) obj.destroy();
        },
      };
      for (const m of sessionMethods(kind)) {
        const fn = obj[m] as (...a: unknown[]) => unknown;
        session[m] = (...args: unknown[]) => raceDeviceLoss(e.device, Promise.resolve().then(() => fn.apply(obj, args)));
      }
      return session as GpuSession<typeof kind>;
    },
    lostError: () => lost,
    async close() {
      for (const s of open) s.destroy();
      open.clear();
      const e = engine;
      engine = null;
      if (e) (await e.catch(() => null))?.destroy();
    },
  };
}

/** Sessions in the engine behind `client` (a Chromium engine page). Closing closes the client. */
export function remoteGpuJobs(client: EngineClient): GpuJobs {
  let lost: DeviceLostError | null = null;
  client.on('device-lost', ({ reason, message }) => {
    lost = deviceLostError(message, reason);
  });
  // The engine page went away (renderer crash, window closed): to the job, as good as a lost device — its run is
  // interrupted and resumable, not failed.
  client.on('exit', ({ reason }) => {
    lost ??= deviceLostError(`The engine page running this job's GPU work went away (${reason}).`, 'engine page gone');
  });
  return {
    placement: 'chromium',
    start: async () => (await client.start()).adapter,
    async open(kind, init) {
      const sessionId = await client.openSession(kind, init);
      const session: Record<string, unknown> = { close: () => client.closeSession(sessionId).catch(() => undefined) };
      for (const m of sessionMethods(kind)) session[m] = (...args: unknown[]) => client.callSession(sessionId, m, args);
      return session as GpuSession<typeof kind>;
    },
    lostError: () => lost,
    close: () => client.dispose(),
  };
}
