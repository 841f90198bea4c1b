import path from 'node:path';
import type Database from 'better-sqlite3';
import type { CommitJournal, FolderCommit } from '../fs/folder-commit';

/** Journal rows live in the library's key-value table under this prefix (SettingsRepo reads only its own keys). */
const PREFIX = 'folder-commit:';

/**
 * The library's `CommitJournal` (fs/folder-commit.ts): one row per folder commit in progress, written before its
 * folders move and marked recorded in the same transaction as the rows it records, so that after a crash the library
 * knows which way to settle it. Paths are kept relative to the library folder (it may be moved between runs).
 */
export class LibraryCommitJournal implements CommitJournal {
  constructor(
    private readonly db: Database.Database,
    private readonly dir: string,
  ) {}

  begin(c: FolderCommit): void {
    const value = { partial: this.rel(c.partial), final: this.rel(c.final), hadOld: c.hadOld, recorded: false };
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(PREFIX + c.id, JSON.stringify(value));
  }

  record<T>(id: string, record: () => T): T {
    return this.db.transaction(() => {
      const result = record();
      this.db.prepare(`UPDATE settings SET value = json_set(value, '$.recorded', json('true')) WHERE key = ?`).run(PREFIX + id);
      return result;
    })();
  }

  end(id: string): void {
    this.db.prepare('DELETE FROM settings WHERE key = ?').run(PREFIX + id);
  }

  pending(): (FolderCommit & { recorded: boolean })[] {
    const rows = this.db.prepare(`SELECT key, value FROM settings WHERE substr(key, 1, ${PREFIX.length}) = ?`).all(PREFIX) as { key: string; value: string }[];
    return rows.map((r) => {
      const v = JSON.parse(r.value) as { partial: string; final: string; hadOld: boolean; recorded: boolean };
      return { id: r.key.slice(PREFIX.length), partial: path.resolve(this.dir, v.partial), final: path.resolve(this.dir, v.final), hadOld: v.hadOld, recorded: v.recorded };
    });
  }

  private rel(p: string): string {
    return path.relative(this.dir, p);
  }
}
