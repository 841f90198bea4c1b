import type { Migration } from './types';

/** The first schema: projects, jobs and settings. */
export const migration0001Core: Migration = {
  version: 1,
  name: 'core',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE projects (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        folder     TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        trashed_at INTEGER
      ) STRICT;

      CREATE TABLE jobs (
        id          TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        title       TEXT NOT NULL,
        project_id  TEXT REFERENCES projects(id) ON DELETE CASCADE,
        status      TEXT NOT NULL,
        params      TEXT NOT NULL,
        progress    TEXT NOT NULL,
        checkpoint  TEXT,
        result      TEXT,
        error       TEXT,
        created_at  INTEGER NOT NULL,
        started_at  INTEGER,
        finished_at INTEGER,
        attempts    INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX jobs_status ON jobs(status);
    `);
  },
};
