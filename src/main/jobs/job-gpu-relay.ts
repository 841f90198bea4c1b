import type { EnginePageConnection } from '@engine/host/chromium-engine-host';
import type { HostToWorker } from './protocol';

/**
 * Where job workers' GPU sessions run, as the services host decided it (`pickEngineHost`): 'node' — in the worker's
 * own process on dawn.node (web mode, CLI); 'chromium' — in an engine page on Chromium's WebGPU that the host opens
 * for the job (the desktop app: a hidden engine window; CI: Debian's Chromium through Playwright).
 */
export type JobGpuPlacement = { placement: 'node' } | { placement: 'chromium'; openEnginePage: () => Promise<EnginePageConnection> };

export const NODE_JOB_GPU: JobGpuPlacement = { placement: 'node' };

/**
 * The host's half of one job's GPU channel (placement 'chromium'): the job's engine page is opened on the worker's
 * first GPU message, messages are relayed both ways, and the page is closed with the job. One page per job, so a GPU
 * fault or a runaway kernel costs that job's page, never the app or another job.
 */
export class JobGpuRelay {
  private page: Promise<EnginePageConnection> | null = null;
  private closed = false;

  constructor(
    private readonly openPage: () => Promise<EnginePageConnection>,
    private readonly toWorker: (msg: HostToWorker) => void,
  ) {}

  fromWorker(message: unknown): void {
    if (this.closed) return;
    if (!this.page) {
      this.page = this.openPage().then(
        (page) => {
          page.port.onData((data) => {
            if (!this.closed) this.toWorker({ type: 'gpu', message: data });
          });
          page.onGone((reason) => {
            if (!this.closed) this.toWorker({ type: 'gpu-closed', reason });
          });
          if (this.closed) void page.close();
          return page;
        },
        (err: unknown) => {
          this.toWorker({ type: 'gpu-closed', reason: `the engine page could not be opened (${(err as Error)?.message ?? String(err)})` });
          throw err;
        },
      );
      this.page.catch(() => undefined);
    }
    void this.page.then((page) => {
      if (!this.closed) page.port.postMessage(message);
    }, () => undefined);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A page that fails to close is gone anyway; nothing waits on this.
    void this.page
      ?.then((page) => {
        page.port.close();
        return page.close();
      })
      .catch(() => undefined);
  }
}
