import type Database from 'better-sqlite3';
import { StudioError } from '@shared/api/errors';
import { migration0001Core } from './0001-core';
import { migration0002Pipeline } from './0002-pipeline';
import { migration0003TextureLayerKind } from './0003-texture-layer-kind';
import { migration0004ProjectEdited } from './0004-project-edited';
import type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [migration0001Core, migration0002Pipeline, migration0003TextureLayerKind, migration0004ProjectEdited];
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

for (let i = 1; i < MIGRATIONS.length; i++) {
  if (MIGRATIONS[i]!.version <= MIGRATIONS[i - 1]!.version) throw new Error('migration versions must increase');
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database to `target` (default: latest) in one transaction, so a crash leaves it at the old version.
 * A database from a newer studio is refused, never downgraded.
 */
export function migrate(db: Database.Database, target = LATEST_SCHEMA_VERSION): { from: number; to: number } {
  const from = schemaVersion(db);
  if (from > LATEST_SCHEMA_VERSION) {
    throw new StudioError(
      'LIBRARY_TOO_NEW',
      `This library was last opened by a newer Avatar Studio (schema ${from}; this version understands up to ${LATEST_SCHEMA_VERSION}). Update Avatar Studio to open it; the library was left untouched.`,
      { schemaVersion: from, supported: LATEST_SCHEMA_VERSION },
    );
  }
  const pending = MIGRATIONS.filter((m) => m.version > from && m.version <= target);
  if (pending.length === 0) return { from, to: from };
  db.transaction(() => {
    for (const m of pending) {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
  db.pragma('optimize');
  return { from, to: schemaVersion(db) };
}
