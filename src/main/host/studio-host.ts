import { EventEmitter } from 'node:events';
import { isMethodName, methods, type EventName, type EventPayload } from '@shared/api/contract';
import { describeValidationError, StudioError, type StudioErrorShape } from '@shared/api/errors';
import type { CallOutcome } from '@shared/api/wire';
import type { AppInfo, LibraryInfo } from '@shared/model/settings';
import { JobRunner } from '../jobs/job-runner';
import { nodeForkLauncher, type WorkerLauncher } from '../jobs/launcher';
import type { JobGpuPlacement } from '../jobs/job-gpu-relay';
import { toStudioFsError } from '../services/fs/atomic-write';
import { AppConfigStore } from '../services/library/app-config';
import { importCaptureJob } from '../services/capture/capture-jobs';
import { trackCaptureJob } from '../services/tracking/tracking-jobs';
import { trainAvatarJob } from '../services/training/training-jobs';
import { exportAvatarJob } from '../services/export/export-jobs';
import { bakeAvatarJob } from '../services/bake/bake-jobs';
import { applyTextureJob } from '../services/texture/apply-jobs';
import { driveAvatarJob } from '../services/drive/drive-jobs';
import { duplicateProjectJob, emptyTrashJob } from '../services/projects/project-jobs';
import { openServices, type StudioServices } from '../services/studio-services';
import { handlers } from './handlers';
import { ProjectEditWatch } from './project-edit-watch';
import { pruneUploads } from '../web/upload';
import { APP_VERSION } from './version';
import type { GpuInfo } from '@shared/api/contract';
import type { EngineHost } from '../../../native/engine/host/engine-host';
import { createNodeEngineHost } from '../../../native/engine/host/node-engine-host';

export type FrontDoor = AppInfo['frontDoor'];

export interface StudioHostOptions {
  libraryDir: string;
  frontDoor: FrontDoor;
  launcher?: WorkerLauncher;
  /** Where the chosen library is remembered (omit in tests to leave the user's config alone). */
  appConfig?: AppConfigStore;
  createLibrary?: boolean;
  /** Extra version strings for app.info (Electron, Chromium, GPU adapter). */
  versions?: Record<string, string>;
  /**
   * Creates the engine host on first use (app.gpu, later render/train calls). Default: the Node host (engine in a
   * child process on dawn.node); Electron passes the Chromium host. `null`: no engine in this front door.
   */
  engineHost?: (() => EngineHost) | null;
  /**
   * Where job workers' GPU sessions run (job-gpu-relay.ts). Default 'node': each GPU job on dawn.node in its own
   * process. Electron passes 'chromium' with its engine windows, chosen with the viewport's host by `pickEngineHost`.
   */
  jobGpu?: JobGpuPlacement;
}

/**
 * The services host: one open library, its job runner, and the single `dispatch` every front door (Electron IPC,
 * web-mode WebSocket, CLI) calls. Validation of parameters and the mapping of failures to typed errors happen here
 * and nowhere else.
 */
export class StudioHost extends EventEmitter<{ event: [string, unknown] }> {
  services: StudioServices;
  jobs: JobRunner;
  private editWatch!: ProjectEditWatch;

  private constructor(
    private readonly opts: StudioHostOptions,
    services: StudioServices,
  ) {
    super();
    this.services = services;
    this.jobs = this.createRunner(services);
  }

  static open(opts: StudioHostOptions): StudioHost {
    const services = openServices(opts.libraryDir, { frontDoor: opts.frontDoor, create: opts.createLibrary ?? true });
    return new StudioHost(opts, services);
  }

  private createRunner(services: StudioServices): JobRunner {
    this.editWatch = new ProjectEditWatch(services.library.db);
    const runner = new JobRunner(services, this.opts.launcher ?? nodeForkLauncher, undefined, this.opts.jobGpu);
    runner.register(duplicateProjectJob);
    runner.register(emptyTrashJob);
    runner.register(importCaptureJob);
    runner.register(trackCaptureJob);
    runner.register(trainAvatarJob);
    runner.register(exportAvatarJob);
    runner.register(bakeAvatarJob);
    runner.register(driveAvatarJob);
    runner.register(applyTextureJob);
    runner.on('updated', (job) => {
      this.emitEvent('job.updated', job);
      this.announceEdits();
      if (job.status !== 'completed') return;
      if (job.kind === 'capture.import' && job.projectId) {
        this.emitEvent('captures.changed', { projectId: job.projectId, captureIds: [(job.result as { captureId: string }).captureId] });
        this.emitEvent('projects.changed', { ids: [job.projectId] });
      } else if (job.kind === 'capture.track' && job.projectId) {
        this.emitEvent('captures.changed', { projectId: job.projectId, captureIds: [(job.result as { captureId: string }).captureId] });
      } else if (job.kind === 'project.duplicate') {
        this.emitEvent('projects.changed', { ids: [(job.result as { projectId: string }).projectId] });
      }
    });
    if (!services.library.readOnly) {
      runner.recoverAfterRestart();
      pruneUploads(services.library.dir);
    }
    return runner;
  }

  /** Projects a handler has announced since the last look (all of them after an empty `ids`), not to repeat. */
  private announced: Set<string> | 'all' = new Set();

  /**
   * `projects.changed` for the projects whose edited time moved (a method, a job's commit), so lists show it — except
   * those the handler announced itself.
   */
  private announceEdits(): void {
    let ids: string[];
    try {
      ids = this.editWatch.poll();
    } catch {
      return; // the library is closing or being switched
    }
    const already = this.announced;
    const fresh = already === 'all' ? [] : ids.filter((id) => !already.has(id));
    if (fresh.length) this.emit('event', 'projects.changed', { ids: fresh });
    this.announced = new Set();
  }

  emitEvent<E extends EventName>(event: E, payload: EventPayload<E>): void {
    if (event === 'projects.changed') {
      const ids = (payload as EventPayload<'projects.changed'>).ids;
      if (ids.length === 0) this.announced = 'all';
      else if (this.announced !== 'all') for (const id of ids) this.announced.add(id);
    }
    this.emit('event', event, payload);
  }

  private engineHostInstance: EngineHost | null = null;
  private gpuInfoPending: Promise<GpuInfo> | null = null;

  /** The engine host, created on first use; null when this front door has none. */
  engine(): EngineHost | null {
    if (this.engineHostInstance) return this.engineHostInstance;
    const factory = this.opts.engineHost === undefined ? () => createNodeEngineHost() : this.opts.engineHost;
    if (!factory) return null;
    const host = factory();
    host.on('device-lost', () => (this.gpuInfoPending = null));
    host.on('exit', () => (this.gpuInfoPending = null));
    this.engineHostInstance = host;
    return host;
  }

  /** Starts the engine if needed and reports its adapter (cached until the device is lost or the engine exits). */
  gpuInfo(): Promise<GpuInfo> {
    const engine = this.engine();
    if (!engine) return Promise.resolve({ host: null, adapter: null, kernels: null, error: 'This front door runs no GPU engine.' });
    this.gpuInfoPending ??= engine.start().then(
      (info) => ({ host: engine.kind, adapter: info.adapter, kernels: `${info.rasterMode}/${info.scanSortMode}`, error: null }),
      (e: Error) => {
        this.gpuInfoPending = null;
        return { host: engine.kind, adapter: null, kernels: null, error: e.message };
      },
    );
    return this.gpuInfoPending;
  }

  appInfo(): AppInfo {
    return {
      version: APP_VERSION,
      frontDoor: this.opts.frontDoor,
      platform: `${process.platform}-${process.arch}`,
      versions: { node: process.versions.node, sqlite: this.services.library.db.prepare('select sqlite_version() v').pluck().get() as string, ...this.opts.versions },
    };
  }

  /** Opens another library folder in place of the current one and remembers it for the next start. */
  async switchLibrary(dir: string, create: boolean): Promise<LibraryInfo> {
    const next = openServices(dir, { frontDoor: this.opts.frontDoor, create });
    await this.jobs.close();
    this.services.library.close();
    this.services = next;
    this.jobs = this.createRunner(next);
    if (this.opts.appConfig) this.opts.appConfig.write({ ...this.opts.appConfig.read(), libraryPath: next.library.dir });
    const info = next.library.info();
    this.emitEvent('library.changed', info);
    return info;
  }

  async dispatch(method: unknown, rawParams: unknown): Promise<CallOutcome> {
    if (!isMethodName(method)) {
      return fail({ code: 'UNKNOWN_METHOD', message: `Unknown request “${String(method).slice(0, 100)}”. The studio and this window may be different versions; reload the window.` });
    }
    const spec = methods[method];
    const parsed = spec.params.safeParse(rawParams ?? {});
    if (!parsed.success) return fail({ code: 'BAD_REQUEST', message: describeValidationError(parsed.error, `parameters for ${method}`) });
    try {
      const handler = handlers[method] as (p: unknown, h: StudioHost) => unknown;
      const result = await handler(parsed.data, this);
      return { ok: true, result };
    } catch (err) {
      return fail(this.toErrorShape(err));
    } finally {
      this.announceEdits();
    }
  }

  private toErrorShape(err: unknown): StudioErrorShape {
    const mapped = toStudioFsError(err, 'saving');
    if (mapped instanceof StudioError) return mapped.toShape();
    const code = (err as { code?: string } | null)?.code;
    if (code === 'SQLITE_READONLY' || code === 'SQLITE_READONLY_DBMOVED')
      return { code: 'LIBRARY_READ_ONLY', message: this.services.library.readOnlyReason ?? 'The library database cannot be written.' };
    if (code === 'SQLITE_FULL') return { code: 'DISK_FULL', message: 'The disk is full. Free some space and try again; nothing was changed.' };
    if (code === 'SQLITE_BUSY') return { code: 'CONFLICT', message: 'The library is busy with another write. Try again in a moment.' };
    console.error('[studio] unexpected error', err);
    return { code: 'INTERNAL', message: `Something went wrong inside the studio: ${(err as Error)?.message ?? String(err)}. Your library was not changed by this request.` };
  }

  async close(): Promise<void> {
    await this.engineHostInstance?.dispose();
    await this.jobs.close();
    this.services.library.close();
  }
}

function fail(error: StudioErrorShape): CallOutcome {
  return { ok: false, error };
}
