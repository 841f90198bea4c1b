import type { Migration } from './types';

/**
 * Everything the pipeline produces: blobs (files in a project folder with their hashes), captures with their
 * cameras and frames, tracks, avatars with training runs and metrics, texture layers and exports. Also adds the
 * project thumbnail.
 */
export const migration0002Pipeline: Migration = {
  version: 2,
  name: 'pipeline',
  up(db) {
    db.exec(`
      ALTER TABLE projects ADD COLUMN thumbnail TEXT;

      CREATE TABLE blobs (
        id         INTEGER PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        path       TEXT NOT NULL,
        sha256     TEXT NOT NULL,
        size       INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (project_id, path)
      ) STRICT;
      CREATE INDEX blobs_sha ON blobs(project_id, sha256);

      CREATE TABLE captures (
        id            TEXT PRIMARY KEY,
        project_id    TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name          TEXT NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('video', 'images', 'photo', 'multiview')),
        source_name   TEXT NOT NULL,
        source_sha256 TEXT NOT NULL,
        fps           REAL,
        width         INTEGER NOT NULL,
        height        INTEGER NOT NULL,
        frame_count   INTEGER NOT NULL,
        duration_s    REAL NOT NULL DEFAULT 0,
        meta          TEXT NOT NULL DEFAULT '{}',
        created_at    INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX captures_project ON captures(project_id);

      CREATE TABLE cameras (
        id         TEXT PRIMARY KEY,
        capture_id TEXT NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
        idx        INTEGER NOT NULL,
        name       TEXT NOT NULL,
        source_name TEXT NOT NULL,
        width      INTEGER NOT NULL,
        height     INTEGER NOT NULL,
        intrinsics TEXT,
        extrinsics TEXT
      ) STRICT;

      CREATE TABLE frames (
        id         INTEGER PRIMARY KEY,
        capture_id TEXT NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
        camera_id  TEXT REFERENCES cameras(id) ON DELETE CASCADE,
        idx        INTEGER NOT NULL,
        time_s     REAL NOT NULL,
        blob_id    INTEGER NOT NULL REFERENCES blobs(id),
        thumb_blob_id INTEGER REFERENCES blobs(id),
        width      INTEGER NOT NULL,
        height     INTEGER NOT NULL,
        split      TEXT NOT NULL DEFAULT 'train' CHECK (split IN ('train', 'test', 'excluded')),
        sharpness  REAL,
        exposure   REAL,
        clipped    REAL,
        UNIQUE (capture_id, camera_id, idx)
      ) STRICT;

      CREATE TABLE tracks (
        id         INTEGER PRIMARY KEY,
        frame_id   INTEGER NOT NULL REFERENCES frames(id) ON DELETE CASCADE,
        head_model TEXT NOT NULL,
        data       TEXT NOT NULL,
        confidence REAL,
        fit_error  REAL,
        created_at INTEGER NOT NULL,
        UNIQUE (frame_id, head_model)
      ) STRICT;

      CREATE TABLE avatars (
        id                 TEXT PRIMARY KEY,
        project_id         TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name               TEXT NOT NULL,
        version            INTEGER NOT NULL DEFAULT 1,
        parent_id          TEXT REFERENCES avatars(id) ON DELETE SET NULL,
        head_model         TEXT NOT NULL,
        checkpoint_blob_id INTEGER REFERENCES blobs(id),
        meta               TEXT NOT NULL DEFAULT '{}',
        created_at         INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE training_runs (
        id          TEXT PRIMARY KEY,
        project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        avatar_id   TEXT REFERENCES avatars(id) ON DELETE SET NULL,
        capture_id  TEXT REFERENCES captures(id) ON DELETE SET NULL,
        job_id      TEXT REFERENCES jobs(id) ON DELETE SET NULL,
        preset      TEXT NOT NULL,
        config      TEXT NOT NULL,
        status      TEXT NOT NULL,
        iterations  INTEGER NOT NULL DEFAULT 0,
        started_at  INTEGER,
        finished_at INTEGER
      ) STRICT;

      CREATE TABLE training_metrics (
        id        INTEGER PRIMARY KEY,
        run_id    TEXT NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
        iteration INTEGER NOT NULL,
        split     TEXT NOT NULL,
        frame_id  INTEGER REFERENCES frames(id) ON DELETE SET NULL,
        name      TEXT NOT NULL,
        value     REAL NOT NULL
      ) STRICT;
      CREATE INDEX training_metrics_run ON training_metrics(run_id, name);

      CREATE TABLE texture_layers (
        id          TEXT PRIMARY KEY,
        avatar_id   TEXT NOT NULL REFERENCES avatars(id) ON DELETE CASCADE,
        map         TEXT NOT NULL,
        name        TEXT NOT NULL,
        order_index INTEGER NOT NULL,
        visible     INTEGER NOT NULL DEFAULT 1,
        opacity     REAL NOT NULL DEFAULT 1,
        blend_mode  TEXT NOT NULL DEFAULT 'normal',
        blob_id     INTEGER REFERENCES blobs(id),
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE exports (
        id         TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        avatar_id  TEXT REFERENCES avatars(id) ON DELETE SET NULL,
        format     TEXT NOT NULL,
        settings   TEXT NOT NULL,
        path       TEXT,
        size       INTEGER,
        created_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
