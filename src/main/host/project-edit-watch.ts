import type Database from 'better-sqlite3';

/**
 * Tells which projects' edited time (`projects.updated_at`) moved since the last look, so the host can announce them
 * (`projects.changed`) whatever changed them: a method, a job's commit or one of the triggers that keep the time
 * (migration 0004). It looks only when this connection wrote something since (SQLite's `total_changes()`), so the
 * read-only calls that come many times a second cost one tiny query.
 */
export class ProjectEditWatch {
  private readonly seen = new Map<string, number>();
  private lastChanges: number;
  private readonly changes: Database.Statement;
  private readonly stamps: Database.Statement;

  constructor(db: Database.Database) {
    this.changes = db.prepare('SELECT total_changes()').pluck();
    this.stamps = db.prepare('SELECT id, updated_at AS at FROM projects');
    this.lastChanges = this.changes.get() as number;
    for (const r of this.stamps.all() as { id: string; at: number }[]) this.seen.set(r.id, r.at);
  }

  /** Ids of the projects whose edited time moved (or that appeared) since the last call. */
  poll(): string[] {
    const n = this.changes.get() as number;
    if (n === this.lastChanges) return [];
    this.lastChanges = n;
    const moved: string[] = [];
    const present = new Set<string>();
    for (const r of this.stamps.all() as { id: string; at: number }[]) {
      present.add(r.id);
      if (this.seen.get(r.id) !== r.at) moved.push(r.id);
      this.seen.set(r.id, r.at);
    }
    for (const id of this.seen.keys()) if (!present.has(id)) this.seen.delete(id);
    return moved;
  }
}
