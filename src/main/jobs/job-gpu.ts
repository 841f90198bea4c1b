import { createNodeDevice } from '@engine/gpu/node-device';
import { EngineClient, type EngineChannel } from '@engine/host/engine-host';
import { localGpuJobs, remoteGpuJobs, type GpuJobs, type GpuPlacement } from '@engine/host/gpu-jobs';
import type { EngineRequest } from '@engine/host/protocol';

/**
 * A job worker's way to the GPU, for the placement the host chose: 'node' — sessions in this process on a dawn.node
 * device created here (the only place a job's device is created); 'chromium' — sessions in the job's engine page,
 * over the worker ↔ host channel (`{ type: 'gpu' }` messages) that the host relays to the page (job-gpu-relay.ts).
 */
export function openJobGpu(placement: GpuPlacement, label: string, channel: { send(message: unknown): void; onMessage(l: (message: unknown) => void): void; onClosed(l: (reason: string) => void): void }): GpuJobs {
  if (placement === 'node') return localGpuJobs(() => createNodeDevice({ label }));
  const engineChannel: EngineChannel = {
    post: (message: EngineRequest) => channel.send(message),
    onMessage: (l) => channel.onMessage(l),
    onClose: (l) => channel.onClosed(l),
    close: () => undefined,
  };
  // One page per job, for the job's whole life: no restart after the page goes away (the job fails and is resumable).
  let opened = false;
  return remoteGpuJobs(
    new EngineClient('chromium', async () => {
      if (opened) throw new Error('The engine page of this job is gone.');
      opened = true;
      return engineChannel;
    }),
  );
}
