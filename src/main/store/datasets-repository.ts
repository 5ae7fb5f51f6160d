/** Datasets and their files (with content hashes and ground-truth labels). */
import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import { parseRow, parseRows, sqliteInteger } from './columns';

export type DatasetKind = 'folder' | 'demo';

export interface DatasetRecord {
  id: number;
  kind: DatasetKind;
  path: string;
  labelsCsv: string | null;
  fileCount: number;
  totalBytes: number;
  imageWidth: number | null;
  imageHeight: number | null;
  channels: number | null;
  inputSize: number | null;
  createdAt: string;
  scannedAt: string | null;
  /** Files the user has labelled. */
  userLabelCount: number;
}

export interface DatasetFileRecord {
  file: string;
  bytes: number | null;
  sha256: string | null;
  label: string | null;
}

export interface ScannedDataset {
  labelsCsv: string | null;
  imageWidth: number | null;
  imageHeight: number | null;
  channels: number | null;
  files: readonly DatasetFileRecord[];
}

const datasetRowSchema = z.object({
  id: sqliteInteger,
  kind: z.enum(['folder', 'demo']),
  path: z.string(),
  labels_csv: z.string().nullable(),
  file_count: sqliteInteger,
  total_bytes: sqliteInteger,
  image_width: sqliteInteger.nullable(),
  image_height: sqliteInteger.nullable(),
  channels: sqliteInteger.nullable(),
  input_size: sqliteInteger.nullable(),
  created_at: z.string(),
  scanned_at: z.string().nullable(),
  user_label_count: sqliteInteger,
});

const fileRowSchema = z.object({
  file: z.string(),
  bytes: sqliteInteger.nullable(),
  sha256: z.string().nullable(),
  label: z.string().nullable(),
});

const idRowSchema = z.object({ id: sqliteInteger });
const countRowSchema = z.object({ count: sqliteInteger });

function toRecord(row: z.output<typeof datasetRowSchema>): DatasetRecord {
  return {
    id: row.id,
    kind: row.kind,
    path: row.path,
    labelsCsv: row.labels_csv,
    fileCount: row.file_count,
    totalBytes: row.total_bytes,
    imageWidth: row.image_width,
    imageHeight: row.image_height,
    channels: row.channels,
    inputSize: row.input_size,
    createdAt: row.created_at,
    scannedAt: row.scanned_at,
    userLabelCount: row.user_label_count,
  };
}

const SELECT_DATASET = `
  SELECT d.*, (SELECT count(*) FROM user_labels u WHERE u.dataset_id = d.id) AS user_label_count
  FROM datasets d`;

export class DatasetsRepository {
  private readonly ensureStatement: Statement;
  private readonly byIdStatement: Statement;
  private readonly allStatement: Statement;
  private readonly deleteFilesStatement: Statement;
  private readonly insertFileStatement: Statement;
  private readonly mergeRunFileStatement: Statement;
  private readonly updateScanStatement: Statement;
  private readonly updateShapeStatement: Statement;
  private readonly pageFilesStatement: Statement;
  private readonly countFilesStatement: Statement;
  private readonly fileStatement: Statement;

  constructor(
    private readonly db: Database,
    private readonly now: () => string,
  ) {
    this.ensureStatement = db.prepare(`
      INSERT INTO datasets (kind, path, created_at) VALUES (@kind, @path, @now)
      ON CONFLICT (kind, path) DO UPDATE SET kind = excluded.kind
      RETURNING id`);
    this.byIdStatement = db.prepare(`${SELECT_DATASET} WHERE d.id = ?`);
    this.allStatement = db.prepare(`${SELECT_DATASET} ORDER BY d.created_at DESC, d.id DESC`);
    this.deleteFilesStatement = db.prepare('DELETE FROM dataset_files WHERE dataset_id = ?');
    this.insertFileStatement = db.prepare(
      'INSERT INTO dataset_files (dataset_id, file, bytes, sha256, label) VALUES (@datasetId, @file, @bytes, @sha256, @label)',
    );
    // Files learned from a run's items.csv: keep a scan's hash and size, take the label when there is one.
    this.mergeRunFileStatement = db.prepare(`
      INSERT INTO dataset_files (dataset_id, file, label) VALUES (@datasetId, @file, @label)
      ON CONFLICT (dataset_id, file) DO UPDATE SET label = coalesce(excluded.label, dataset_files.label)`);
    this.updateScanStatement = db.prepare(`
      UPDATE datasets SET labels_csv = @labelsCsv, file_count = @fileCount, total_bytes = @totalBytes,
        image_width = @imageWidth, image_height = @imageHeight, channels = coalesce(@channels, channels), scanned_at = @now
      WHERE id = @id`);
    this.updateShapeStatement = db.prepare(`
      UPDATE datasets SET channels = @channels, input_size = @inputSize, labels_csv = coalesce(@labelsCsv, labels_csv),
        file_count = max(file_count, (SELECT count(*) FROM dataset_files WHERE dataset_id = @id))
      WHERE id = @id`);
    this.pageFilesStatement = db.prepare(
      'SELECT file, bytes, sha256, label FROM dataset_files WHERE dataset_id = ? ORDER BY file LIMIT ? OFFSET ?',
    );
    this.countFilesStatement = db.prepare('SELECT count(*) AS count FROM dataset_files WHERE dataset_id = ?');
    this.fileStatement = db.prepare('SELECT file, bytes, sha256, label FROM dataset_files WHERE dataset_id = ? AND file = ?');
  }

  /** The id of the dataset (kind, path), creating the row when it is new. */
  ensure(kind: DatasetKind, path: string): number {
    return parseRow(idRowSchema, this.ensureStatement.get({ kind, path, now: this.now() }), 'dataset id').id;
  }

  get(id: number): DatasetRecord | undefined {
    const row: unknown = this.byIdStatement.get(id);
    return row === undefined ? undefined : toRecord(parseRow(datasetRowSchema, row, 'dataset'));
  }

  list(): DatasetRecord[] {
    return parseRows(datasetRowSchema, this.allStatement.all(), 'dataset').map(toRecord);
  }

  /** Replaces the file list of a dataset with a fresh scan, in one transaction. */
  recordScan(id: number, scan: ScannedDataset): void {
    this.db.transaction(() => {
      this.deleteFilesStatement.run(id);
      let totalBytes = 0;
      for (const file of scan.files) {
        this.insertFileStatement.run({ datasetId: id, file: file.file, bytes: file.bytes, sha256: file.sha256, label: file.label });
        totalBytes += file.bytes ?? 0;
      }
      this.updateScanStatement.run({
        id,
        labelsCsv: scan.labelsCsv,
        fileCount: scan.files.length,
        totalBytes,
        imageWidth: scan.imageWidth,
        imageHeight: scan.imageHeight,
        channels: scan.channels,
        now: this.now(),
      });
    })();
  }

  /** Adds what a run knows about the dataset's files (names, labels, model input shape). Call inside a transaction. */
  mergeFromRun(id: number, details: { channels: number; inputSize: number; labelsCsv: string | null; files: readonly { file: string; label: string | null }[] }): void {
    for (const file of details.files) this.mergeRunFileStatement.run({ datasetId: id, file: file.file, label: file.label });
    this.updateShapeStatement.run({ id, channels: details.channels, inputSize: details.inputSize, labelsCsv: details.labelsCsv });
  }

  pageFiles(id: number, offset: number, limit: number): { total: number; files: DatasetFileRecord[] } {
    const total = parseRow(countRowSchema, this.countFilesStatement.get(id), 'file count').count;
    const files = parseRows(fileRowSchema, this.pageFilesStatement.all(id, limit, offset), 'dataset file');
    return { total, files };
  }

  getFile(id: number, file: string): DatasetFileRecord | undefined {
    const row: unknown = this.fileStatement.get(id, file);
    return row === undefined ? undefined : parseRow(fileRowSchema, row, 'dataset file');
  }
}
