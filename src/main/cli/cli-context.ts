import type { CallArgs, MethodName, MethodResult } from '@shared/api/contract';
import { StudioError } from '@shared/api/errors';
import type { Job } from '@shared/model/job';
import { ProjectId, type Project } from '@shared/model/project';
import { StudioHost } from '../host/studio-host';
import { AppConfigStore } from '../services/library/app-config';
import { EXIT } from './exit-codes';
import { ProgressBar } from './progress-bar';

export interface GlobalOptions {
  library?: string;
  json?: boolean;
}

/** One CLI run: opens the library through the same StudioHost the other front doors use, and calls its API. */
export class CliContext {
  private hostInstance: StudioHost | null = null;
  constructor(readonly opts: GlobalOptions) {}

  get json(): boolean {
    return !!this.opts.json;
  }

  /** Opens the library on first use; `serve` opens it as the web front door. */
  host(frontDoor: 'cli' | 'web' = 'cli'): StudioHost {
    if (!this.hostInstance) {
      const appConfig = new AppConfigStore();
      this.hostInstance = StudioHost.open({ libraryDir: appConfig.resolveLibraryDir(this.opts.library), frontDoor, appConfig });
    }
    return this.hostInstance;
  }

  async call<M extends MethodName>(method: M, ...args: CallArgs<M>): Promise<MethodResult<M>> {
    const outcome = await this.host().dispatch(method, args[0] ?? {});
    if (!outcome.ok) throw StudioError.fromShape(outcome.error);
    return outcome.result as MethodResult<M>;
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
  async followJob(job: Job): Promise<{ job: Job; exitCode: number }> {
    const host = this.host();
    const bar = new ProgressBar(job.title);
    const onUpdate = (j: Job) => {
      if (j.id === job.id) bar.update(j.progress);
    };
    host.jobs.on('updated', onUpdate);
    const onSigint = () => {
      process.stderr.write('\nCancelling…\n');
      try {
        host.jobs.cancel(job.id);
      } catch {
        // already finished
      }
    };
    process.once('SIGINT', onSigint);
    try {
      const final = await host.jobs.waitFor(job.id);
      bar.done();
      const exitCode =
        final.status === 'completed' ? EXIT.ok : final.status === 'cancelled' ? EXIT.cancelled : final.status === 'interrupted' ? EXIT.jobInterrupted : EXIT.jobFailed;
      return { job: final, exitCode };
    } finally {
      host.jobs.off('updated', onUpdate);
      process.off('SIGINT', onSigint);
    }
  }

  async close(): Promise<void> {
    await this.hostInstance?.close();
  }
}
