import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StudioError, type StudioErrorShape } from '@shared/api/errors';
import { canResumeJob, type JobStatus } from '@shared/model/job';
import type { LibraryInfo } from '@shared/model/settings';
import { toStudioFsError } from '../fs/atomic-write';
import { recoverFolderCommits, type CommitJournal } from '../fs/folder-commit';
import { LibraryCommitJournal } from './commit-journal';
import { acquireLibraryLock, type LockOwner } from './lock';
import { LATEST_SCHEMA_VERSION, migrate, schemaVersion } from './migrations';

export const DB_FILE = 'library.sqlite';
export const PROJECTS_DIR = 'projects';
export const TRASH_DIR = 'trash';

export interface OpenLibraryOptions {
  /** Create the folder and database when missing (default true). */
  create?: boolean;
  /** Who is opening it, recorded in the lock file (electron, web, cli). */
  frontDoor?: string;
  /** Open read-only even when the library could be written. */
  readOnly?: boolean;
}

/**
 * A library folder: the SQLite database (WAL, foreign keys, migrated on open) plus one folder per project. The
 * instance that holds the lock writes; any other instance gets a read-only view with the reason.
 */
export class Library {
  /** Folder commits in progress (fs/folder-commit.ts): what every job commit and import passes to `commitFolder`. */
  readonly commits: CommitJournal;

  private constructor(
    readonly dir: string,
    readonly db: Database.Database,
    readonly readOnlyReason: string | null,
    private readonly releaseLock: (() => void) | null,
    private readonly advertiseLock: ((endpoint: LockOwner['endpoint']) => void) | null,
  ) {
    this.commits = new LibraryCommitJournal(db, dir);
  }

  /** Lets other processes on this host (the CLI) reach this studio's web-mode API instead of opening read-only. */
  advertiseEndpoint(endpoint: { port: number; token: string }): void {
    this.advertiseLock?.(endpoint);
  }

  get readOnly(): boolean {
    return this.readOnlyReason !== null;
  }

  static open(dirInput: string, opts: OpenLibraryOptions = {}): Library {
    const dir = path.resolve(dirInput);
    const create = opts.create ?? true;
    const dbFile = path.join(dir, DB_FILE);
    const exists = fs.existsSync(dbFile);

    if (!fs.existsSync(dir)) {
      if (!create) throw new StudioError('LIBRARY_UNAVAILABLE', `No library folder at ${dir}. Choose an existing library or let the studio create one there.`, { path: dir });
      try {
        fs.mkdirSync(dir, { recursive: true });
      } catch (err) {
        throw new StudioError('LIBRARY_UNAVAILABLE', `Cannot create a library at ${dir}: ${(err as Error).message}. Choose a folder you can write to.`, { path: dir });
      }
    } else if (!fs.statSync(dir).isDirectory()) {
      throw new StudioError('LIBRARY_UNAVAILABLE', `${dir} is a file, not a folder. Choose a folder for the library.`, { path: dir });
    }
    if (!exists && !create) throw new StudioError('LIBRARY_UNAVAILABLE', `${dir} is not an Avatar Studio library (no ${DB_FILE}).`, { path: dir });

    let readOnlyReason: string | null = opts.readOnly ? 'Opened read-only on request.' : null;
    const folderWritable = canWrite(dir);
    if (!readOnlyReason && !folderWritable) readOnlyReason = `The library folder ${dir} cannot be written (permissions or a read-only disk). Projects can be viewed but not changed.`;
    let releaseLock: (() => void) | null = null;
    let advertiseLock: ((endpoint: LockOwner['endpoint']) => void) | null = null;
    if (!readOnlyReason) {
      const lock = acquireLibraryLock(dir, opts.frontDoor ?? 'unknown');
      if (lock.acquired) {
        releaseLock = lock.release;
        advertiseLock = lock.advertise;
      }
      else readOnlyReason = describeLockOwner(lock.owner);
    }
    if (readOnlyReason && !exists) {
      releaseLock?.();
      throw new StudioError('LIBRARY_UNAVAILABLE', `${readOnlyReason} There is no library there yet, and one cannot be created.`, { path: dir });
    }

    let db: Database.Database;
    let snapshotDir: string | null = null;
    try {
      // On a folder we cannot write, SQLite cannot create the WAL index next to the database; read a snapshot.
      if (!folderWritable) snapshotDir = snapshotDatabase(dbFile);
      const source = snapshotDir ? path.join(snapshotDir, DB_FILE) : dbFile;
      db = new Database(source, { readonly: readOnlyReason !== null, fileMustExist: readOnlyReason !== null });
    } catch (err) {
      releaseLock?.();
      if (snapshotDir) fs.rmSync(snapshotDir, { recursive: true, force: true });
      throw new StudioError('LIBRARY_UNAVAILABLE', `Cannot open the library database in ${dir}: ${(err as Error).message}`, { path: dir });
    }
    try {
      // Refuse a newer schema before anything (even the journal mode) touches the file.
      if (schemaVersion(db) > LATEST_SCHEMA_VERSION) migrate(db);
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      if (readOnlyReason === null) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        backupBeforeMigration(db, dir);
        migrate(db);
        fs.mkdirSync(path.join(dir, PROJECTS_DIR), { recursive: true });
        fs.mkdirSync(path.join(dir, TRASH_DIR), { recursive: true });
      } else {
        const v = schemaVersion(db);
        if (v < LATEST_SCHEMA_VERSION)
          throw new StudioError('LIBRARY_READ_ONLY', `${readOnlyReason} The library also needs an upgrade (schema ${v} → ${LATEST_SCHEMA_VERSION}), which needs write access.`);
      }
    } catch (err) {
      db.close();
      releaseLock?.();
      if (err instanceof StudioError) throw err;
      throw toStudioFsError(err, 'opening the library');
    }
    const cleanup = () => {
      releaseLock?.();
      if (snapshotDir) fs.rmSync(snapshotDir, { recursive: true, force: true });
    };
    const lib = new Library(dir, db, readOnlyReason, cleanup, advertiseLock);
    if (!lib.readOnly) lib.reconcileFolders();
    return lib;
  }

  info(): LibraryInfo {
    return { path: this.dir, schemaVersion: schemaVersion(this.db), readOnly: this.readOnly, readOnlyReason: this.readOnlyReason };
  }

  assertWritable(): void {
    if (this.readOnlyReason) throw new StudioError('LIBRARY_READ_ONLY', this.readOnlyReason);
  }

  projectDir(folder: string): string {
    return path.join(this.dir, folder);
  }

  /**
   * Makes folders agree with the database after a crash between a folder move and its database update: a project
   * whose folder is found in the other place (projects/ vs trash/) is pointed there; an interrupted folder commit is
   * settled (`recoverFolderCommits`).
   */
  private reconcileFolders(): void {
    const rows = this.db.prepare('SELECT id, folder, trashed_at FROM projects').all() as { id: string; folder: string; trashed_at: number | null }[];
    const fix = this.db.prepare('UPDATE projects SET folder = ?, trashed_at = ? WHERE id = ?');
    for (const row of rows) {
      if (fs.existsSync(this.projectDir(row.folder))) continue;
      const live = `${PROJECTS_DIR}/${row.id}`;
      const trashed = `${TRASH_DIR}/${row.id}`;
      if (fs.existsSync(this.projectDir(live))) fix.run(live, null, row.id);
      else if (fs.existsSync(this.projectDir(trashed))) fix.run(trashed, row.trashed_at ?? Date.now(), row.id);
      else fs.mkdirSync(this.projectDir(row.folder), { recursive: true });
    }
    // Folders detached by an "empty trash" that did not finish: the user already chose to delete them.
    for (const entry of fs.readdirSync(path.join(this.dir, TRASH_DIR))) {
      if (entry.endsWith('.purging')) fs.rmSync(path.join(this.dir, TRASH_DIR, entry), { recursive: true, force: true });
    }
    // Half-assembled copies from a duplicate that was cancelled while the studio was down.
    const pendingCopies = new Set(
      (this.db.prepare(`SELECT params FROM jobs WHERE kind = 'project.duplicate' AND status IN ('queued', 'running', 'interrupted', 'failed')`).all() as { params: string }[]).map(
        (r) => `${(JSON.parse(r.params) as { targetId: string }).targetId}.partial`,
      ),
    );
    for (const entry of fs.readdirSync(path.join(this.dir, PROJECTS_DIR))) {
      if (entry.endsWith('.partial') && !pendingCopies.has(entry)) fs.rmSync(path.join(this.dir, PROJECTS_DIR, entry), { recursive: true, force: true });
    }
    // Folder commits a crash stopped (fs/folder-commit.ts): rolled forward or back by what their journal row says,
    // before stale partial folders are judged (a rolled-back commit puts its output back into its partial folder).
    try {
      recoverFolderCommits(this.commits);
    } catch {
      // an unreadable journal row: the library opens regardless
    }
    this.removeStalePartials();
  }

  /**
   * Partial output left inside project folders by jobs that failed for good, were cancelled or dismissed, or by a
   * crash: removed unless a job still needs it. Imports (`captures/<id>.partial`: frames up to the checkpoint) and
   * trainings (`avatars/<id>.partial`: checkpoint.bin) continue from theirs when resumed, so any job of theirs that
   * can be resumed keeps it. Tracking (`captures/<id>/tracking.partial`), bakes (`avatars/<id>/bake.partial`) and
   * texture applies (`avatars/<newId>.partial`) clear theirs when they (re)start, so only a job still running keeps
   * it (a library re-opened in the same process while its jobs run). An avatar-bundle import is not a job. Folder
   * names as in capturePartialDir, trackingPartialDir, avatarPartialDir and bakePartialDir.
   */
  private removeStalePartials(): void {
    const owners: Record<string, { param: string; folder: (id: string) => string; continues: boolean }> = {
      'capture.import': { param: 'captureId', folder: (id) => `captures/${id}.partial`, continues: true },
      'avatar.train': { param: 'avatarId', folder: (id) => `avatars/${id}.partial`, continues: true },
      'capture.track': { param: 'captureId', folder: (id) => `captures/${id}/tracking.partial`, continues: false },
      'avatar.bake': { param: 'avatarId', folder: (id) => `avatars/${id}/bake.partial`, continues: false },
      'texture.apply': { param: 'newAvatarId', folder: (id) => `avatars/${id}.partial`, continues: false },
    };
    const kinds = Object.keys(owners).map((k) => `'${k}'`).join(', ');
    const needed = new Set<string>();
    for (const j of this.db.prepare(`SELECT kind, status, params, error FROM jobs WHERE kind IN (${kinds})`).all() as { kind: string; status: JobStatus; params: string; error: string | null }[]) {
      const owner = owners[j.kind]!;
      const active = j.status === 'queued' || j.status === 'running';
      // A resumed failed job continues only when its failure may pass (canResumeJob); paused and interrupted ones do.
      const resumable = j.status === 'paused' || j.status === 'interrupted' || (j.status === 'failed' && canResumeJob({ status: 'failed', error: j.error ? (JSON.parse(j.error) as StudioErrorShape) : null }));
      if (!active && !(owner.continues && resumable)) continue;
      const params = JSON.parse(j.params) as Record<string, unknown>;
      const id = params[owner.param];
      if (typeof params.projectId === 'string' && typeof id === 'string') needed.add(`${params.projectId}/${owner.folder(id)}`);
    }
    const subfolders = (dir: string): string[] => {
      try {
        return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
      } catch {
        return [];
      }
    };
    for (const { id: projectId, folder } of this.db.prepare('SELECT id, folder FROM projects').all() as { id: string; folder: string }[]) {
      const root = this.projectDir(folder);
      const candidates: string[] = [];
      for (const entry of subfolders(path.join(root, 'captures'))) candidates.push(entry.endsWith('.partial') ? `captures/${entry}` : `captures/${entry}/tracking.partial`);
      for (const entry of subfolders(path.join(root, 'avatars'))) candidates.push(entry.endsWith('.partial') ? `avatars/${entry}` : `avatars/${entry}/bake.partial`);
      for (const rel of candidates) {
        if (needed.has(`${projectId}/${rel}`) || !fs.existsSync(path.join(root, rel))) continue;
        try {
          fs.rmSync(path.join(root, rel), { recursive: true, force: true });
        } catch {
          // best effort: the library opens regardless, and the next open tries again
        }
      }
    }
  }

  close(): void {
    if (this.db.open) {
      if (!this.readOnly) {
        try {
          this.db.pragma('wal_checkpoint(TRUNCATE)');
        } catch {
          // another reader may hold the WAL; the checkpoint happens on a later close
        }
      }
      this.db.close();
    }
    this.releaseLock?.();
  }
}

/** Copies the database (and its WAL, if any) to a private temp folder for a read-only view. */
function snapshotDatabase(dbFile: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avatar-studio-ro-'));
  fs.copyFileSync(dbFile, path.join(dir, DB_FILE));
  if (fs.existsSync(`${dbFile}-wal`)) fs.copyFileSync(`${dbFile}-wal`, path.join(dir, `${DB_FILE}-wal`));
  return dir;
}

function canWrite(dir: string): boolean {
  const probe = path.join(dir, `.write-probe-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe, { force: true });
    return true;
  } catch {
    return false;
  }
}

function describeLockOwner(owner: LockOwner | null): string {
  if (!owner) return 'Another Avatar Studio is using this library, so it is open read-only here. Close the other one to make changes.';
  const where = owner.frontDoor === 'cli' ? 'a command-line run' : owner.frontDoor === 'web' ? 'a web-mode studio' : 'another Avatar Studio window';
  return `This library is in use by ${where} (process ${owner.pid} on ${owner.hostname}), so it is open read-only here. Close that one to make changes.`;
}

/** Keeps a copy of the database before a schema upgrade, so an upgrade can never lose a user's library. */
function backupBeforeMigration(db: Database.Database, dir: string): void {
  const v = schemaVersion(db);
  if (v === 0 || v >= LATEST_SCHEMA_VERSION) return;
  const backup = path.join(dir, `library.v${v}.backup.sqlite`);
  if (fs.existsSync(backup)) return;
  db.exec(`VACUUM INTO '${backup.replace(/'/g, "''")}'`);
}
