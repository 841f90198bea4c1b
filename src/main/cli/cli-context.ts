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
import type { SignalTarget, StopSignal } from './signals';

export interface GlobalOptions {
  library?: string;
  json?: boolean;
}

/**
 * One CLI run. Commands talk to the StudioApi: through a StudioHost opened in this process, or, when a web-mode
 * studio already holds the library, through that studio (so both stay consistent and the window updates live).
 */
export class CliContext implements SignalTarget {
  private hostInstance: StudioHost | null = null;
  private client: StudioClient | null = null;
  private closeTransport: (() => void) | null = null;
  private closing: Promise<void> | null = null;
  private readonly appConfig = new AppConfigStore();
  /** What the command does with a signal before the CLI stops at once (signals.ts); each takes one signal. */
  private readonly signalTakers = new Set<{ signals: readonly StopSignal[]; take: (signal: StopSignal) => void }>();
  /** The job being followed, named when a signal stops the CLI. */
  private followed: Job | null = null;
  /** The signal that stopped this run at once; the command's own output is then left out. */
  stoppedBy: StopSignal | null = null;
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

  /**
   * Lets the command take the next of these signals instead of the CLI stopping at once (installStopSignals): e.g. Ctrl+C
   * cancels the followed job, `serve` stops its server. Taken once; returns the function that withdraws it.
   */
  onSignal(signals: readonly StopSignal[], take: (signal: StopSignal) => void): () => void {
    const entry = { signals, take };
    this.signalTakers.add(entry);
    return () => this.signalTakers.delete(entry);
  }

  takeSignal(signal: StopSignal): boolean {
    const takers = [...this.signalTakers].filter((t) => t.signals.includes(signal));
    for (const t of takers) {
      this.signalTakers.delete(t);
      t.take(signal);
    }
    return takers.length > 0;
  }

  /** A signal stops the CLI at once: the library closes (the followed job is left interrupted and resumable, its worker ends, the lock is released). */
  async stopNow(signal: StopSignal): Promise<{ message: string; json?: Record<string, unknown> }> {
    this.stoppedBy = signal;
    const job = this.followed;
    const remote = this.closeTransport !== null;
    await this.close();
    if (!job) return { message: `Stopped by ${signal}.` };
    const ref = { id: job.id, title: job.title };
    if (remote) return { message: `Stopped by ${signal}. The job ${job.title} goes on in the studio that holds the library.`, json: { job: ref } };
    return {
      message: `Stopped by ${signal}. The job ${job.title} is left interrupted; resume it with: avatar-studio jobs resume ${job.id}`,
      json: { job: { ...ref, status: 'interrupted' } },
    };
  }

  /** Waits for a job, drawing progress on stderr; Ctrl+C cancels it (again: stops at once). Returns the exit code the job's end maps to. */
  async followJob(started: Job, title = started.title): Promise<{ job: Job; exitCode: number }> {
    const api = await this.api();
    const bar = new ProgressBar(title);
    const isFinal = (j: Job) => j.status !== 'queued' && j.status !== 'running'; // paused ends the wait too
    const withdraw = this.onSignal(['SIGINT'], () => {
      process.stderr.write('\nCancelling… (Ctrl+C again stops at once and leaves the job interrupted)\n');
      void api.call('jobs.cancel', { id: started.id }).catch(() => undefined);
    });
    this.followed = started;
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
      withdraw();
      this.followed = null;
    }
  }

  /** Closes the transport and the library (once; later calls wait for the same close). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closeTransport?.();
      await this.hostInstance?.close();
    })();
    return this.closing;
  }
}
