import fs from 'node:fs';
import { StudioError } from '@shared/api/errors';
import type { Project } from '@shared/model/project';
import { toStudioFsError } from '../fs/atomic-write';
import { newId } from '../library/ids';
import { PROJECTS_DIR, TRASH_DIR, type Library } from '../library/library';

interface ProjectRow {
  id: string;
  name: string;
  folder: string;
  created_at: number;
  updated_at: number;
  trashed_at: number | null;
  thumbnail: string | null;
  captures: number;
  frames: number;
  avatars: number;
  size: number;
}

const SELECT = `
  SELECT p.id, p.name, p.folder, p.created_at, p.updated_at, p.trashed_at, p.thumbnail,
    (SELECT COUNT(*) FROM captures c WHERE c.project_id = p.id) AS captures,
    (SELECT COUNT(*) FROM frames f JOIN captures c ON c.id = f.capture_id WHERE c.project_id = p.id) AS frames,
    (SELECT COUNT(*) FROM avatars a WHERE a.project_id = p.id) AS avatars,
    (SELECT COALESCE(SUM(size), 0) FROM blobs b WHERE b.project_id = p.id) AS size
  FROM projects p`;

function toProject(r: ProjectRow): Project {
  return {
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    trashedAt: r.trashed_at,
    thumbnail: r.thumbnail,
    counts: { captures: r.captures, frames: r.frames, avatars: r.avatars },
    sizeBytes: r.size,
  };
}

/** Projects in a library: rows in `projects`, files in `projects/<id>/` (or `trash/<id>/` while trashed). */
export class ProjectsRepo {
  constructor(private readonly lib: Library) {}

  list(opts: { query?: string; trashed?: boolean } = {}): Project[] {
    const where = [opts.trashed ? 'p.trashed_at IS NOT NULL' : 'p.trashed_at IS NULL'];
    const args: unknown[] = [];
    const q = opts.query?.trim();
    if (q) {
      where.push(`p.name LIKE ? ESCAPE '\\'`);
      args.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const order = opts.trashed ? 'p.trashed_at DESC' : 'p.updated_at DESC';
    const rows = this.lib.db.prepare(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY ${order}, p.name`).all(...args) as ProjectRow[];
    return rows.map(toProject);
  }

  find(id: string): Project | null {
    const row = this.lib.db.prepare(`${SELECT} WHERE p.id = ?`).get(id) as ProjectRow | undefined;
    return row ? toProject(row) : null;
  }

  get(id: string): Project {
    const p = this.find(id);
    if (!p) throw new StudioError('NOT_FOUND', 'That project no longer exists. It may have been deleted from the trash.', { id });
    return p;
  }

  folderOf(id: string): string {
    const row = this.lib.db.prepare('SELECT folder FROM projects WHERE id = ?').get(id) as { folder: string } | undefined;
    if (!row) throw new StudioError('NOT_FOUND', 'That project no longer exists.', { id });
    return this.lib.projectDir(row.folder);
  }

  create(name: string): Project {
    this.lib.assertWritable();
    const id = newId();
    const folder = `${PROJECTS_DIR}/${id}`;
    const now = Date.now();
    try {
      fs.mkdirSync(this.lib.projectDir(folder), { recursive: true });
    } catch (err) {
      throw toStudioFsError(err, 'creating the project folder');
    }
    try {
      this.lib.db.prepare('INSERT INTO projects (id, name, folder, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, name, folder, now, now);
    } catch (err) {
      fs.rmSync(this.lib.projectDir(folder), { recursive: true, force: true });
      throw err;
    }
    return this.get(id);
  }

  rename(id: string, name: string): Project {
    this.lib.assertWritable();
    const info = this.lib.db.prepare('UPDATE projects SET name = ?, updated_at = ? WHERE id = ?').run(name, Date.now(), id);
    if (info.changes === 0) this.get(id);
    return this.get(id);
  }

  /**
   * Moves the project's edited time to now (never backwards), for a change that records no row of its own (a bake
   * swaps files only). Row changes move it by themselves (migration 0004's triggers).
   */
  touch(id: string, at = Date.now()): void {
    this.lib.db.prepare('UPDATE projects SET updated_at = ? WHERE id = ? AND updated_at < ?').run(at, id, at);
  }

  /** Moves the folder first (atomic rename), then the row; Library.reconcileFolders repairs a crash in between. */
  trash(id: string): Project {
    this.lib.assertWritable();
    const p = this.get(id);
    if (p.trashedAt !== null) return p;
    this.moveFolder(id, `${TRASH_DIR}/${id}`, Date.now());
    return this.get(id);
  }

  restore(id: string): Project {
    this.lib.assertWritable();
    const p = this.get(id);
    if (p.trashedAt === null) return p;
    this.moveFolder(id, `${PROJECTS_DIR}/${id}`, null);
    return this.get(id);
  }

  private moveFolder(id: string, target: string, trashedAt: number | null): void {
    const from = this.folderOf(id);
    const to = this.lib.projectDir(target);
    try {
      if (fs.existsSync(from)) fs.renameSync(from, to);
      else fs.mkdirSync(to, { recursive: true });
    } catch (err) {
      throw toStudioFsError(err, 'moving the project folder');
    }
    this.lib.db.prepare('UPDATE projects SET folder = ?, trashed_at = ?, updated_at = ? WHERE id = ?').run(target, trashedAt, Date.now(), id);
  }

  /** Removes the row (and, by cascade, everything recorded for it). The caller removes the folder. */
  deleteRow(id: string): void {
    this.lib.assertWritable();
    this.lib.db.prepare('DELETE FROM projects WHERE id = ?').run(id);
  }
}
