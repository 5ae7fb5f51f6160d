/**
 * The app's database as one object: the connection and a repository per aggregate. Plain Node (no
 * electron import), so services and tests open it the same way the desktop app does.
 */
import type { Database } from 'better-sqlite3';
import { integrityCheck, openDatabase, type OpenDatabaseOptions } from './database';
import { DatasetsRepository } from './datasets-repository';
import { LabelsRepository } from './labels-repository';
import { ResultsRepository } from './results-repository';
import { RunsRepository } from './runs-repository';

/** File name of the database inside the app's user-data folder. */
export const DATABASE_FILE_NAME = 'polaris.sqlite3';

export interface PolarisStore {
  readonly db: Database;
  readonly path: string;
  readonly datasets: DatasetsRepository;
  readonly runs: RunsRepository;
  readonly results: ResultsRepository;
  readonly labels: LabelsRepository;
  /** Runs fn in one IMMEDIATE transaction (taking the write lock up front, so it never fails half-way on SQLITE_BUSY). */
  transaction<T>(fn: () => T): T;
  integrityCheck(): string[];
  close(): void;
}

export interface OpenStoreOptions extends OpenDatabaseOptions {
  /** The clock for created_at / updated_at columns; ISO-8601 strings. */
  now?: () => string;
}

export function openStore(path: string, options: OpenStoreOptions = {}): PolarisStore {
  const db = openDatabase(path, options);
  const now = options.now ?? (() => new Date().toISOString());
  return {
    db,
    path,
    datasets: new DatasetsRepository(db, now),
    runs: new RunsRepository(db, now),
    results: new ResultsRepository(db),
    labels: new LabelsRepository(db, now),
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    integrityCheck: () => integrityCheck(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}
