/**
 * Numbered schema migrations, in the manner of Signal Desktop's ts/sql/migrations: the schema version
 * lives in SQLite's own `PRAGMA user_version`, every migration runs in its own transaction together
 * with the version bump (so a crash leaves the database at the old or the new version, never in
 * between), and a database written by a newer Polaris is refused instead of being "downgraded".
 *
 * Rules for adding a migration: append, never edit a released one; STRICT tables; say why in a comment.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3, …: the user_version the database has after this migration. */
  readonly version: number;
  readonly name: string;
  readonly up: (db: Database) => void;
}

export class DatabaseTooNewError extends Error {
  override readonly name = 'DatabaseTooNewError';

  constructor(
    readonly databasePath: string,
    readonly databaseVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      `${databasePath} was written by a newer version of Polaris (database schema ${databaseVersion}; this version understands up to ${supportedVersion}). ` +
        'Update Polaris to open it, or point this version at another data folder. The database was left untouched.',
    );
  }
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Version 1: the whole first schema. Times are ISO-8601 UTC strings; JSON columns are checked by json_valid. */
const initialSchema: Migration = {
  version: 1,
  name: 'initial schema: datasets, runs, epochs, items, results, labels, checkpoints',
  up: (db) => {
    db.exec(`
      -- A dataset is a folder on this machine (or the embedded demo); (kind, path) identifies it.
      CREATE TABLE datasets (
        id           INTEGER PRIMARY KEY,
        kind         TEXT    NOT NULL CHECK (kind IN ('folder', 'demo')),
        path         TEXT    NOT NULL,
        labels_csv   TEXT,
        file_count   INTEGER NOT NULL DEFAULT 0 CHECK (file_count >= 0),
        total_bytes  INTEGER NOT NULL DEFAULT 0 CHECK (total_bytes >= 0),
        -- Shape of a sample image as found on disk (scan), and the model input side (runs).
        image_width  INTEGER CHECK (image_width IS NULL OR image_width > 0),
        image_height INTEGER CHECK (image_height IS NULL OR image_height > 0),
        channels     INTEGER CHECK (channels IS NULL OR channels > 0),
        input_size   INTEGER CHECK (input_size IS NULL OR input_size > 0),
        created_at   TEXT    NOT NULL,
        scanned_at   TEXT,
        UNIQUE (kind, path)
      ) STRICT;

      -- Files of a dataset: relative path with '/' separators, content hash, and the label from the
      -- dataset's own labels CSV (ground truth). The user's labels live in user_labels.
      CREATE TABLE dataset_files (
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        file       TEXT    NOT NULL,
        bytes      INTEGER CHECK (bytes IS NULL OR bytes >= 0),
        sha256     TEXT    CHECK (sha256 IS NULL OR length(sha256) = 64),
        label      TEXT,
        PRIMARY KEY (dataset_id, file)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE runs (
        id               TEXT    PRIMARY KEY,
        dataset_id       INTEGER REFERENCES datasets(id),
        dataset_path     TEXT    NOT NULL,
        run_dir          TEXT    NOT NULL,
        origin           TEXT    NOT NULL CHECK (origin IN ('app', 'imported')),
        method           TEXT    NOT NULL,
        config_json      TEXT    NOT NULL CHECK (json_valid(config_json)),
        seed             INTEGER NOT NULL,
        epochs_total     INTEGER NOT NULL CHECK (epochs_total >= 0),
        epochs_completed INTEGER NOT NULL DEFAULT 0 CHECK (epochs_completed >= 0),
        backend          TEXT,
        app_version      TEXT    NOT NULL,
        status           TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'interrupted')),
        -- Why an interrupted run stopped: the user cancelled it, its process died, or the app quit.
        stop_reason      TEXT    CHECK (stop_reason IS NULL OR stop_reason IN ('cancelled', 'crashed', 'shutdown')),
        error_name       TEXT,
        error_message    TEXT,
        -- What the queue needs to (re)start the job: dataset spec, overrides, test fraction.
        request_json     TEXT    CHECK (request_json IS NULL OR json_valid(request_json)),
        metrics_json     TEXT    CHECK (metrics_json IS NULL OR json_valid(metrics_json)),
        created_at       TEXT    NOT NULL,
        queued_at        TEXT,
        started_at       TEXT,
        finished_at      TEXT,
        train_seconds    REAL    NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX runs_by_status ON runs (status, queued_at);

      -- Each time a run is started or resumed; the owner columns let a later process tell a run whose
      -- process died (interrupted) from one that another live process is still training.
      CREATE TABLE run_attempts (
        run_id      TEXT    NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        attempt     INTEGER NOT NULL CHECK (attempt >= 1),
        from_epoch  INTEGER NOT NULL CHECK (from_epoch >= 0),
        owner_pid   INTEGER NOT NULL,
        owner_host  TEXT    NOT NULL,
        owner_token TEXT    NOT NULL,
        started_at  TEXT    NOT NULL,
        -- Refreshed while the attempt trains: a stale heartbeat means the owner is gone even if its pid was reused.
        heartbeat_at TEXT   NOT NULL,
        ended_at    TEXT,
        outcome     TEXT    CHECK (outcome IS NULL OR outcome IN ('done', 'failed', 'interrupted', 'crashed')),
        PRIMARY KEY (run_id, attempt)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE epochs (
        run_id            TEXT    NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch             INTEGER NOT NULL CHECK (epoch >= 0),
        images_per_second REAL    NOT NULL,
        seconds           REAL    NOT NULL,
        beta_effective    REAL,
        annealing         REAL,
        learning_rate     REAL,
        PRIMARY KEY (run_id, epoch)
      ) STRICT, WITHOUT ROWID;

      -- Every loss term of an epoch (the terms depend on the method), one row each, so a term can be
      -- plotted across epochs and runs with plain SQL.
      CREATE TABLE epoch_losses (
        run_id TEXT    NOT NULL,
        epoch  INTEGER NOT NULL,
        term   TEXT    NOT NULL,
        value  REAL    NOT NULL,
        PRIMARY KEY (run_id, epoch, term),
        FOREIGN KEY (run_id, epoch) REFERENCES epochs(run_id, epoch) ON DELETE CASCADE
      ) STRICT, WITHOUT ROWID;

      -- The items of a run (items.csv): which file, its ground-truth label and split.
      CREATE TABLE run_items (
        run_id     TEXT    NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        item_index INTEGER NOT NULL CHECK (item_index >= 0),
        file       TEXT    NOT NULL,
        label      TEXT,
        anomaly    INTEGER CHECK (anomaly IS NULL OR anomaly IN (0, 1)),
        split      TEXT    NOT NULL CHECK (split IN ('train', 'test')),
        PRIMARY KEY (run_id, item_index)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX run_items_by_file ON run_items (run_id, file);

      -- Results of a finished run. Rows hold ~1 KB of float32 blobs, so this keeps its rowid
      -- (SQLite advises WITHOUT ROWID only for small rows).
      CREATE TABLE results (
        run_id        TEXT    NOT NULL,
        item_index    INTEGER NOT NULL,
        score         REAL    NOT NULL,
        rank          INTEGER NOT NULL CHECK (rank >= 1),
        -- Encoder mean μ (float32, little-endian) and the cosines of its n−1 hyperspherical angles.
        latent_mean   BLOB,
        angle_cosines BLOB,
        UNIQUE (run_id, item_index),
        FOREIGN KEY (run_id, item_index) REFERENCES run_items(run_id, item_index) ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX results_by_rank ON results (run_id, rank);

      -- The user's own labels. No ON DELETE CASCADE on purpose: deleting a dataset row must never
      -- silently take the user's work with it.
      CREATE TABLE user_labels (
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        file       TEXT    NOT NULL,
        label      TEXT    NOT NULL,
        -- Content hash of the file when it was labelled, when known, to notice a changed file.
        sha256     TEXT    CHECK (sha256 IS NULL OR length(sha256) = 64),
        updated_at TEXT    NOT NULL,
        PRIMARY KEY (dataset_id, file)
      ) STRICT, WITHOUT ROWID;

      -- The checkpoint a run resumes from (a run folder keeps only its latest one).
      CREATE TABLE checkpoints (
        run_id     TEXT    PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        next_epoch INTEGER NOT NULL CHECK (next_epoch >= 0),
        path       TEXT    NOT NULL,
        bytes      INTEGER NOT NULL CHECK (bytes >= 0),
        sha256     TEXT    NOT NULL,
        written_at TEXT    NOT NULL
      ) STRICT;
    `);
  },
};

export const MIGRATIONS: readonly Migration[] = [initialSchema];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

export function readSchemaVersion(db: Database): number {
  const version = db.pragma('user_version', { simple: true });
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new MigrationError(`PRAGMA user_version returned ${String(version)}`);
  }
  return version;
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new MigrationError(`Migration "${migration.name}" is number ${migration.version} but sits at position ${index + 1}; migrations must be numbered 1, 2, 3, … in order`);
    }
  });
}

/**
 * Brings the database up to the newest schema, one migration per transaction. Returns the versions
 * applied. Throws DatabaseTooNewError, before changing anything, when the file is from a newer Polaris.
 */
export function runMigrations(db: Database, databasePath: string, migrations: readonly Migration[] = MIGRATIONS): number[] {
  checkMigrationList(migrations);
  const latest = migrations.length;
  const current = readSchemaVersion(db);
  if (current > latest) throw new DatabaseTooNewError(databasePath, current, latest);
  const applied: number[] = [];
  for (const migration of migrations.slice(current)) {
    db.transaction(() => {
      migration.up(db);
      // user_version is part of the database header, written in the same transaction.
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
    applied.push(migration.version);
  }
  return applied;
}
