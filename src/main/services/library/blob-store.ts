import { StudioError } from '@shared/api/errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { containedPath } from '../fs/contained-path';
import type { Library } from './library';

export interface BlobRecord {
  id: number;
  projectId: string;
  path: string;
  sha256: string;
  size: number;
}

/**
 * Files inside project folders, written atomically and indexed with their hash and size. Paths are relative to
 * the project folder and use forward slashes.
 */
export class BlobStore {
  constructor(
    private readonly lib: Library,
    private readonly folderOf: (projectId: string) => string,
  ) {}

  absolutePath(projectId: string, relPath: string): string {
    const full = containedPath(this.folderOf(projectId), relPath);
    if (!full) throw new StudioError('BAD_REQUEST', `"${relPath}" is not a valid path inside a project.`);
    return full;
  }

  put(projectId: string, relPath: string, data: Uint8Array | string): BlobRecord {
    this.lib.assertWritable();
    const full = this.absolutePath(projectId, relPath);
    const { sha256, size } = writeFileAtomic(full, data);
    return this.record(projectId, relPath, sha256, size);
  }

  /** Indexes a file a job already wrote atomically into the project folder. */
  record(projectId: string, relPath: string, sha256: string, size: number): BlobRecord {
    const row = this.lib.db
      .prepare(
        `INSERT INTO blobs (project_id, path, sha256, size, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (project_id, path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size
         RETURNING id`,
      )
      .get(projectId, relPath, sha256, size, Date.now()) as { id: number };
    return { id: row.id, projectId, path: relPath, sha256, size };
  }

  list(projectId: string): BlobRecord[] {
    return (
      this.lib.db.prepare('SELECT id, project_id, path, sha256, size FROM blobs WHERE project_id = ? ORDER BY path').all(projectId) as {
        id: number;
        project_id: string;
        path: string;
        sha256: string;
        size: number;
      }[]
    ).map((r) => ({ id: r.id, projectId: r.project_id, path: r.path, sha256: r.sha256, size: r.size }));
  }

  find(projectId: string, relPath: string): BlobRecord | null {
    return this.list(projectId).find((b) => b.path === relPath) ?? null;
  }
}
