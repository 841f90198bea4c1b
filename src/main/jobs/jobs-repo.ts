import type { StudioErrorShape } from '@shared/api/errors';
import { StudioError } from '@shared/api/errors';
import type { Job, JobKind, JobProgress, JobStatus } from '@shared/model/job';
import type { Library } from '../services/library/library';

interface JobRow {
  id: string;
  kind: JobKind;
  title: string;
  project_id: string | null;
  status: JobStatus;
  params: string;
  progress: string;
  checkpoint: string | null;
  result: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  attempts: number;
}

export interface JobRecord extends Omit<Job, 'captureId'> {
  params: unknown;
  checkpoint: unknown;
}

const parse = (s: string | null): unknown => (s === null ? null : JSON.parse(s));

function toRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    projectId: r.project_id,
    status: r.status,
    progress: JSON.parse(r.progress) as JobProgress,
    result: parse(r.result),
    error: parse(r.error) as StudioErrorShape | null,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    attempts: r.attempts,
    params: JSON.parse(r.params),
    checkpoint: parse(r.checkpoint),
  };
}

export function toPublicJob(j: JobRecord): Job {
  const { params, checkpoint: _c, ...job } = j;
  const fromParams = (params as { captureId?: unknown } | null)?.captureId;
  const fromResult = (j.result as { captureId?: unknown } | null)?.captureId;
  const captureId = typeof fromParams === 'string' && j.kind !== 'capture.import' ? fromParams : typeof fromResult === 'string' ? fromResult : null;
  return { ...job, captureId };
}

/** Jobs as rows in the library, so they survive a restart of the studio. */
export class JobsRepo {
  constructor(private readonly lib: Library) {}

  insert(job: { id: string; kind: JobKind; title: string; projectId: string | null; params: unknown; progress: JobProgress }): JobRecord {
    this.lib.db
      .prepare(
        `INSERT INTO jobs (id, kind, title, project_id, status, params, progress, created_at, attempts)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, 0)`,
      )
      .run(job.id, job.kind, job.title, job.projectId, JSON.stringify(job.params), JSON.stringify(job.progress), Date.now());
    return this.get(job.id);
  }

  find(id: string): JobRecord | null {
    const row = this.lib.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toRecord(row) : null;
  }

  get(id: string): JobRecord {
    const j = this.find(id);
    if (!j) throw new StudioError('NOT_FOUND', 'That job no longer exists.', { id });
    return j;
  }

  list(opts: { projectId?: string; includeFinished?: boolean } = {}): JobRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (opts.projectId) {
      where.push('project_id = ?');
      args.push(opts.projectId);
    }
    if (opts.includeFinished === false) where.push(`status IN ('queued', 'running', 'paused', 'interrupted')`);
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT 500`;
    return (this.lib.db.prepare(sql).all(...args) as JobRow[]).map(toRecord);
  }

  update(
    id: string,
    patch: Partial<{ status: JobStatus; progress: JobProgress; checkpoint: unknown; result: unknown; error: StudioErrorShape | null; startedAt: number | null; finishedAt: number | null; attempts: number }>,
  ): JobRecord {
    const cols: string[] = [];
    const args: unknown[] = [];
    const set = (col: string, v: unknown) => {
      cols.push(`${col} = ?`);
      args.push(v);
    };
    if (patch.status !== undefined) set('status', patch.status);
    if (patch.progress !== undefined) set('progress', JSON.stringify(patch.progress));
    if (patch.checkpoint !== undefined) set('checkpoint', patch.checkpoint === null ? null : JSON.stringify(patch.checkpoint));
    if (patch.result !== undefined) set('result', patch.result === null ? null : JSON.stringify(patch.result));
    if (patch.error !== undefined) set('error', patch.error === null ? null : JSON.stringify(patch.error));
    if (patch.startedAt !== undefined) set('started_at', patch.startedAt);
    if (patch.finishedAt !== undefined) set('finished_at', patch.finishedAt);
    if (patch.attempts !== undefined) set('attempts', patch.attempts);
    if (cols.length) this.lib.db.prepare(`UPDATE jobs SET ${cols.join(', ')} WHERE id = ?`).run(...args, id);
    return this.get(id);
  }

  delete(id: string): void {
    this.lib.db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
  }

  /** After a restart nothing is running: jobs that were running or waiting become interrupted and resumable. */
  markInterrupted(): string[] {
    const rows = this.lib.db.prepare(`SELECT id FROM jobs WHERE status IN ('queued', 'running')`).all() as { id: string }[];
    const error = (withCheckpoint: boolean): string => JSON.stringify({ code: 'CANCELLED', message: `The studio stopped while this job was running. ${resumeHint(withCheckpoint)}` } satisfies StudioErrorShape);
    this.lib.db
      .prepare(`UPDATE jobs SET status = 'interrupted', error = CASE WHEN checkpoint IS NULL THEN ? ELSE ? END WHERE status IN ('queued', 'running')`)
      .run(error(false), error(true));
    return rows.map((r) => r.id);
  }
}

/** What resuming an interrupted job will do: continue from its last checkpoint, or start over (a kind without one, or a job stopped before its first). */
export function resumeHint(hasCheckpoint: boolean): string {
  return hasCheckpoint ? 'Resume it to continue from the last checkpoint.' : 'Resume it to start it again (it had no checkpoint yet).';
}
