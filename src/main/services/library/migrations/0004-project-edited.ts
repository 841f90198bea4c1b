import type { Migration } from './types';

/** Milliseconds since the epoch, as `Date.now()` gives (SQLite ≥ 3.42). */
const NOW = `CAST(unixepoch('subsec') * 1000 AS INTEGER)`;

/** `UPDATE projects` moving a project's edited time to now (never backwards) for the project `projectId` names. */
const touch = (projectId: string) => `UPDATE projects SET updated_at = ${NOW} WHERE id = ${projectId} AND updated_at < ${NOW};`;

/** The project of a row, as an SQL expression over NEW / OLD (`row`), per table. */
const PROJECT_OF: Record<string, (row: string) => string> = {
  captures: (row) => `${row}.project_id`,
  cameras: (row) => `(SELECT project_id FROM captures WHERE id = ${row}.capture_id)`,
  frames: (row) => `(SELECT project_id FROM captures WHERE id = ${row}.capture_id)`,
  tracks: (row) => `(SELECT c.project_id FROM frames f JOIN captures c ON c.id = f.capture_id WHERE f.id = ${row}.frame_id)`,
  avatars: (row) => `${row}.project_id`,
  training_runs: (row) => `${row}.project_id`,
  texture_layers: (row) => `(SELECT project_id FROM avatars WHERE id = ${row}.avatar_id)`,
  exports: (row) => `${row}.project_id`,
  blobs: (row) => `${row}.project_id`,
};

/**
 * Which changes of a table count as editing its project. Frames and cameras are inserted with their capture (its row
 * counts), so only their updates (split edits, calibration) and deletes are watched there; training metrics come with
 * their run.
 */
const WATCHED: Record<string, readonly ('INSERT' | 'UPDATE' | 'DELETE')[]> = {
  captures: ['INSERT', 'UPDATE', 'DELETE'],
  cameras: ['UPDATE'],
  frames: ['UPDATE'],
  tracks: ['INSERT', 'UPDATE', 'DELETE'],
  avatars: ['INSERT', 'UPDATE', 'DELETE'],
  training_runs: ['INSERT', 'UPDATE', 'DELETE'],
  texture_layers: ['INSERT', 'UPDATE', 'DELETE'],
  exports: ['INSERT', 'UPDATE', 'DELETE'],
  blobs: ['INSERT', 'UPDATE', 'DELETE'],
};

/** The triggers' SQL, exported for the test that checks every project-scoped table is watched. */
export function projectEditedTriggers(): string {
  const out: string[] = [];
  for (const [table, ops] of Object.entries(WATCHED)) {
    for (const op of ops) {
      const row = op === 'DELETE' ? 'OLD' : 'NEW';
      out.push(`CREATE TRIGGER ${table}_${op.toLowerCase()}_edits_project AFTER ${op} ON ${table} BEGIN ${touch(PROJECT_OF[table]!(row))} END;`);
    }
  }
  return out.join('\n');
}

/**
 * A project's edited time (`projects.updated_at`: "Edited 1 h ago", the library's sort) moves whenever anything
 * recorded for it changes — footage imported, renamed, split or deleted; tracking, training, baking, texture layers
 * saved, a texture applied, exports, any file recorded in its folder — not only on create and rename. Triggers, so
 * every service and job commit keeps it right without remembering to, in the same transaction as the change.
 * Rows inserted while a project row is itself being deleted find no project and change nothing.
 */
export const migration0004ProjectEdited: Migration = {
  version: 4,
  name: 'project-edited',
  up(db) {
    db.exec(projectEditedTriggers());
  },
};
