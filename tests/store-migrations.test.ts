import { readFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/main/store/database';
import { DatabaseTooNewError, LATEST_SCHEMA_VERSION, MigrationError, MIGRATIONS, type Migration, runMigrations } from '../src/main/store/migrations';
import { makeTempDir } from './helpers/temp-dir';

const temp = makeTempDir('store-migrations');
afterAll(() => temp.cleanup());
let fileCounter = 0;
const freshPath = (): string => path.join(temp.dir, `db-${fileCounter++}`, 'polaris.sqlite3');

describe('opening the database', () => {
  it('creates the schema at the latest version with WAL, full sync and foreign keys', () => {
    const db = openDatabase(freshPath());
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      const tables = db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
      expect(tables).toEqual(
        ['checkpoints', 'dataset_files', 'datasets', 'epoch_losses', 'epochs', 'results', 'run_attempts', 'run_items', 'runs', 'user_labels'].map((name) => ({ name, strict: 1 })),
      );
    } finally {
      db.close();
    }
  });

  it('is idempotent: opening again applies nothing and keeps the data', () => {
    const file = freshPath();
    const first = openDatabase(file);
    first.prepare("INSERT INTO datasets (kind, path, created_at) VALUES ('folder', '/data/a', 'now')").run();
    first.close();
    const second = openDatabase(file);
    try {
      expect(second.prepare('SELECT path FROM datasets').pluck().all()).toEqual(['/data/a']);
    } finally {
      second.close();
    }
  });

  it('STRICT tables refuse values of the wrong type', () => {
    const db = openDatabase(freshPath());
    try {
      expect(() => db.prepare("INSERT INTO datasets (kind, path, created_at, file_count) VALUES ('folder', '/x', 'now', 'many')").run()).toThrow(/datatype|cannot store/i);
      expect(() => db.prepare("INSERT INTO datasets (kind, path, created_at) VALUES ('tarball', '/x', 'now')").run()).toThrow(/CHECK constraint/);
    } finally {
      db.close();
    }
  });

  it('refuses a database from a newer Polaris with a clear message and leaves the file untouched', () => {
    const file = freshPath();
    openDatabase(file).close();
    const raw = new BetterSqlite3(file);
    raw.pragma('journal_mode = DELETE'); // so the whole database is in the one file we compare
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 3}`);
    raw.close();
    const before = readFileSync(file);

    let thrown: unknown;
    try {
      openDatabase(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DatabaseTooNewError);
    const message = (thrown as Error).message;
    expect(message).toContain(file);
    expect(message).toContain(`schema ${LATEST_SCHEMA_VERSION + 3}`);
    expect(message).toMatch(/newer version of Polaris/);
    expect(message).toMatch(/Update Polaris/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});

describe('numbered migrations', () => {
  const v1: Migration = { version: 1, name: 'notes', up: (db) => db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT') };
  const v2: Migration = { version: 2, name: 'note authors', up: (db) => db.exec("ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'me'") };

  it('applies only the migrations a database has not seen, in order', () => {
    const file = freshPath();
    const atV1 = openDatabase(file, { migrations: [v1] });
    atV1.prepare("INSERT INTO notes (text) VALUES ('kept')").run();
    atV1.close();

    const db = new BetterSqlite3(file);
    try {
      expect(runMigrations(db, file, [v1, v2])).toEqual([2]);
      expect(db.pragma('user_version', { simple: true })).toBe(2);
      expect(db.prepare('SELECT text, author FROM notes').all()).toEqual([{ text: 'kept', author: 'me' }]);
      expect(runMigrations(db, file, [v1, v2])).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('rolls a failing migration back completely, version included', () => {
    const broken: Migration = {
      version: 2,
      name: 'half done',
      up: (db) => {
        db.exec('CREATE TABLE half (id INTEGER PRIMARY KEY) STRICT');
        throw new Error('disk on fire');
      },
    };
    const file = freshPath();
    openDatabase(file, { migrations: [v1] }).close();
    expect(() => openDatabase(file, { migrations: [v1, broken] })).toThrow('disk on fire');
    const db = new BetterSqlite3(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(1);
      expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half'").pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  it('rejects a list that is not numbered 1, 2, 3, …', () => {
    const db = new BetterSqlite3(':memory:');
    try {
      expect(() => runMigrations(db, ':memory:', [v2])).toThrow(MigrationError);
    } finally {
      db.close();
    }
  });

  it("numbers the app's own migrations from 1 without gaps", () => {
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(Array.from({ length: MIGRATIONS.length }, (_, i) => i + 1));
  });
});
