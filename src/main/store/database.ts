/**
 * Opening the app's SQLite database (better-sqlite3): refuse a file from a newer Polaris before
 * touching it, then WAL, full fsync, foreign keys, a busy timeout, and the migrations.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { DatabaseTooNewError, MIGRATIONS, type Migration, readSchemaVersion, runMigrations } from './migrations';

export const IN_MEMORY_DATABASE = ':memory:';

export interface OpenDatabaseOptions {
  /** Defaults to the app's migrations; tests pass their own lists. */
  migrations?: readonly Migration[];
}

/**
 * Opens (creating when missing) and migrates the database at `path`. The returned connection is
 * the only writer in this process; other processes may open the same file (WAL allows readers
 * alongside one writer, and busy_timeout makes writers wait for each other instead of failing).
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database {
  const migrations = options.migrations ?? MIGRATIONS;
  if (path !== IN_MEMORY_DATABASE) mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  try {
    // Checked before any pragma that writes, so a newer database is left exactly as it was.
    const version = readSchemaVersion(db);
    if (version > migrations.length) throw new DatabaseTooNewError(path, version, migrations.length);
    db.pragma('busy_timeout = 5000');
    // WAL: readers never block the writer, and a killed process loses at most the open transaction.
    db.pragma('journal_mode = WAL');
    // FULL also fsyncs the WAL at every commit, so a committed label survives a power cut as well.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    runMigrations(db, path, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** PRAGMA integrity_check as a list of problems; ['ok'] means the file is sound. */
export function integrityCheck(db: Database): string[] {
  const rows = db.pragma('integrity_check') as unknown[];
  return rows.map((row) => {
    const value = typeof row === 'object' && row !== null ? Object.values(row)[0] : row;
    return String(value);
  });
}
