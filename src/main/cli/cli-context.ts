import { createStudioClient, type StudioClient, type StudioTransport } from '@shared/api/client';
import type { CallArgs, MethodName, MethodResult } from '@shared/api/contract';
import { StudioError } from '@shared/api/errors';
import type { Job } from '@shared/model/job';
import { ProjectId, type Project } from '@shared/model/project';
import { StudioHost } from '../host/studio-host';
import { AppConfigStore } from '../services/library/app-config';
import { readLiveLockOwner } from '../services/library/lock';
import { jobExitCode } from './exit-codes';
import { ProgressBar } from './progress-bar';
import { connectRemoteStudio } from './remote-transport';

export interface GlobalOptions {
  library?: string;
  json?: boolean;
}

/**
 * One CLI run. Commands talk to the StudioApi: through a StudioHost opened in this process, or, when a web-mode
 * studio already holds the library, through that studio (so both stay consistent and the window updates live).
 */
export class CliContext {
  private hostInstance: StudioHost | null = null;
  private client: StudioClient | null = null;
  private closeTransport: (() => void) | null = null;
  private readonly appConfig = new AppConfigStore();
  constructor(readonly opts: GlobalOptions) {}

  get json(): boolean {
    return !!this.opts.json;
  }

  get libraryDir(): string {
    return this.appConfig.resolveLibraryDir(this.opts.library);
  }

  /** Opens the library in this process; `serve` opens it as the web front door. */
  host(frontDoor: 'cli' | 'web' = 'cli'): StudioHost {
    if (!this.hostInstance) this.hostInstance = StudioHost.open({ libraryDir: this.libraryDir, frontDoor, appConfig: this.appConfig });
    return this.hostInstance;
  }

  private async api(): Promise<StudioClient> {
    if (this.client) return this.client;
    const owner = readLiveLockOwner(this.libraryDir);
    if (owner?.endpoint) {
      try {
        const remote = await connectRemoteStudio(owner.endpoint.port, owner.endpoint.token);
        this.closeTransport = remote.close;
        this.client = createStudioClient(remote);
        return this.client;
      } catch {
        // fall through to a local (read-only) view
      }
    }
    const host = this.host();
    const local: StudioTransport = {
      call: (method, params) => host.dispatch(method, params),
      subscribe: (listener) => {
        host.on('event', listener);
        return () => host.off('event', listener);
      },
    };
    this.client = createStudioClient(local);
    return this.client;
  }

  async call<M extends MethodName>(method: M, ...args: CallArgs<M>): Promise<MethodResult<M>> {
    return (await this.api()).call(method, ...args);
  }

  /** Accepts a project id or a project's exact name (case-insensitive). */
  async resolveProject(ref: string, trashed = false): Promise<Project> {
    if (ProjectId.safeParse(ref).success) return this.call('projects.get', { id: ref });
    const all = await this.call('projects.list', { trashed });
    const matches = all.filter((p) => p.name.toLowerCase() === ref.toLowerCase());
    if (matches.length === 1) return matches[0]!;
    if (matches.length === 0) throw new StudioError('NOT_FOUND', `No ${trashed ? 'trashed ' : ''}project named “${ref}”. List them with: avatar-studio projects list${trashed ? ' --trash' : ''}`);
    throw new StudioError('CONFLICT', `Several projects are named “${ref}”; use an id instead: ${matches.map((m) => m.id).join(', ')}`);
  }

  /** Waits for a job, drawing progress on stderr; Ctrl+C cancels it. Returns the exit code the job's end maps to. */
  async followJob(started: Job, title = started.title): Promise<{ job: Job; exitCode: number }> {
    const api = await this.api();
    const bar = new ProgressBar(title);
    const isFinal = (j: Job) => j.status !== 'queued' && j.status !== 'running'; // paused ends the wait too
    const onSigint = () => {
      process.stderr.write('\nCancelling…\n');
      void api.call('jobs.cancel', { id: started.id }).catch(() => undefined);
    };
    process.once('SIGINT', onSigint);
    let unsubscribe = () => {};
    try {
      const final = await new Promise<Job>((resolve, reject) => {
        unsubscribe = api.on('job.updated', (j) => {
          if (j.id !== started.id) return;
          bar.update(j.progress);
          if (isFinal(j)) resolve(j);
        });
        // The job may have finished before the subscription.
        api.call('jobs.get', { id: started.id }).then((j) => isFinal(j) && resolve(j), reject);
      });
      bar.done();
      return { job: final, exitCode: jobExitCode(final) };
    } finally {
      unsubscribe();
      process.off('SIGINT', onSigint);
    }
  }

  async close(): Promise<void> {
    this.closeTransport?.();
    await this.hostInstance?.close();
  }
}
