/** The user's own labels on dataset files: the work the app must never lose. */
import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import { parseRow, parseRows, sqliteInteger } from './columns';

export interface UserLabelRecord {
  datasetId: number;
  file: string;
  label: string;
  sha256: string | null;
  updatedAt: string;
}

const labelRowSchema = z.object({
  dataset_id: sqliteInteger,
  file: z.string(),
  label: z.string(),
  sha256: z.string().nullable(),
  updated_at: z.string(),
});

function toRecord(row: z.output<typeof labelRowSchema>): UserLabelRecord {
  return { datasetId: row.dataset_id, file: row.file, label: row.label, sha256: row.sha256, updatedAt: row.updated_at };
}

export class LabelsRepository {
  private readonly upsertStatement: Statement;
  private readonly deleteStatement: Statement;
  private readonly getStatement: Statement;
  private readonly listStatement: Statement;

  constructor(
    db: Database,
    private readonly now: () => string,
  ) {
    this.upsertStatement = db.prepare(`
      INSERT INTO user_labels (dataset_id, file, label, sha256, updated_at) VALUES (@datasetId, @file, @label, @sha256, @now)
      ON CONFLICT (dataset_id, file) DO UPDATE SET label = excluded.label, sha256 = excluded.sha256, updated_at = excluded.updated_at
      RETURNING *`);
    this.deleteStatement = db.prepare('DELETE FROM user_labels WHERE dataset_id = ? AND file = ?');
    this.getStatement = db.prepare('SELECT * FROM user_labels WHERE dataset_id = ? AND file = ?');
    this.listStatement = db.prepare('SELECT * FROM user_labels WHERE dataset_id = ? ORDER BY file');
  }

  /** Sets (or with null, removes) the user's label of one file; committed when this returns. */
  set(datasetId: number, file: string, label: string | null, sha256: string | null): UserLabelRecord | null {
    if (label === null) {
      this.deleteStatement.run(datasetId, file);
      return null;
    }
    return toRecord(parseRow(labelRowSchema, this.upsertStatement.get({ datasetId, file, label, sha256, now: this.now() }), 'user label'));
  }

  get(datasetId: number, file: string): UserLabelRecord | undefined {
    const row: unknown = this.getStatement.get(datasetId, file);
    return row === undefined ? undefined : toRecord(parseRow(labelRowSchema, row, 'user label'));
  }

  list(datasetId: number): UserLabelRecord[] {
    return parseRows(labelRowSchema, this.listStatement.all(datasetId), 'user label').map(toRecord);
  }
}
