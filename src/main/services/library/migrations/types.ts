import type Database from 'better-sqlite3';

export interface Migration {
  /** Strictly increasing; written to PRAGMA user_version when the step has run. */
  version: number;
  name: string;
  up(db: Database.Database): void;
}
