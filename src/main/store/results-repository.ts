/** The items of a run (items.csv) and their results (scores.csv, latents.npy), read back a page at a time. */
import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import { blobSchema, blobToFloat32, float32ToBlob, parseRow, parseRows, sqliteInteger } from './columns';

export type Split = 'train' | 'test';

export interface RunItemRecord {
  index: number;
  file: string;
  label: string | null;
  anomaly: 0 | 1 | null;
  split: Split;
}

export interface ItemResultRecord {
  index: number;
  score: number;
  rank: number;
  latentMean: Float32Array | null;
  angleCosines: Float32Array | null;
}

/** One row of a results page: the item, its result when the run has one, and the user's label. */
export interface ItemPageRow extends RunItemRecord {
  score: number | null;
  rank: number | null;
  userLabel: string | null;
}

export interface ItemDetail extends ItemPageRow {
  latentMean: Float32Array | null;
  angleCosines: Float32Array | null;
}

export interface ItemPageQuery {
  offset: number;
  limit: number;
  /** 'rank': most anomalous first (items without a result last); 'index': dataset order. */
  orderBy: 'rank' | 'index';
  split: Split | null;
}

/** One item of a run with its result and the user's label, as the paged queries return it. */
export const itemPageRowSchema = z.object({
  item_index: sqliteInteger,
  file: z.string(),
  label: z.string().nullable(),
  anomaly: z.union([z.literal(0), z.literal(1)]).nullable(),
  split: z.enum(['train', 'test']),
  score: z.number().nullable(),
  rank: sqliteInteger.nullable(),
  user_label: z.string().nullable(),
});
const detailRowSchema = itemPageRowSchema.extend({ latent_mean: blobSchema.nullable(), angle_cosines: blobSchema.nullable() });
const countRowSchema = z.object({ count: sqliteInteger });

function toPageRow(row: z.output<typeof itemPageRowSchema>): ItemPageRow {
  return {
    index: row.item_index,
    file: row.file,
    label: row.label,
    anomaly: row.anomaly,
    split: row.split,
    score: row.score,
    rank: row.rank,
    userLabel: row.user_label,
  };
}

const PAGE_SELECT = `
  SELECT i.item_index, i.file, i.label, i.anomaly, i.split, r.score, r.rank, u.label AS user_label
  FROM run_items i
  JOIN runs ON runs.id = i.run_id
  LEFT JOIN results r ON r.run_id = i.run_id AND r.item_index = i.item_index
  LEFT JOIN user_labels u ON u.dataset_id = runs.dataset_id AND u.file = i.file
  WHERE i.run_id = @runId AND (@split IS NULL OR i.split = @split)`;

function prepareResultStatements(db: Database) {
  const prepare = (sql: string): Statement => db.prepare(sql);
  return {
    deleteItems: prepare('DELETE FROM run_items WHERE run_id = ?'),
    insertItem: prepare('INSERT INTO run_items (run_id, item_index, file, label, anomaly, split) VALUES (?, ?, ?, ?, ?, ?)'),
    deleteResults: prepare('DELETE FROM results WHERE run_id = ?'),
    insertResult: prepare('INSERT INTO results (run_id, item_index, score, rank, latent_mean, angle_cosines) VALUES (?, ?, ?, ?, ?, ?)'),
    // ORDER BY cannot be a parameter, so each order is its own statement.
    pageByRank: prepare(`${PAGE_SELECT} ORDER BY r.rank IS NULL, r.rank, i.item_index LIMIT @limit OFFSET @offset`),
    pageByIndex: prepare(`${PAGE_SELECT} ORDER BY i.item_index LIMIT @limit OFFSET @offset`),
    count: prepare('SELECT count(*) AS count FROM run_items WHERE run_id = @runId AND (@split IS NULL OR split = @split)'),
    countResults: prepare('SELECT count(*) AS count FROM results WHERE run_id = ?'),
    detail: prepare(`
      SELECT i.item_index, i.file, i.label, i.anomaly, i.split, r.score, r.rank, u.label AS user_label, r.latent_mean, r.angle_cosines
      FROM run_items i
      JOIN runs ON runs.id = i.run_id
      LEFT JOIN results r ON r.run_id = i.run_id AND r.item_index = i.item_index
      LEFT JOIN user_labels u ON u.dataset_id = runs.dataset_id AND u.file = i.file
      WHERE i.run_id = ? AND i.item_index = ?`),
  };
}

export class ResultsRepository {
  private readonly statements: ReturnType<typeof prepareResultStatements>;

  constructor(db: Database) {
    this.statements = prepareResultStatements(db);
  }

  /** Replaces the run's items (and, through the foreign key, its results). Call inside a transaction. */
  replaceItems(runId: string, items: readonly RunItemRecord[]): void {
    this.statements.deleteItems.run(runId);
    for (const item of items) this.statements.insertItem.run(runId, item.index, item.file, item.label, item.anomaly, item.split);
  }

  /** Replaces the run's results. Call inside a transaction, after replaceItems. */
  replaceResults(runId: string, results: readonly ItemResultRecord[]): void {
    this.statements.deleteResults.run(runId);
    for (const result of results) {
      this.statements.insertResult.run(
        runId,
        result.index,
        result.score,
        result.rank,
        result.latentMean === null ? null : float32ToBlob(result.latentMean),
        result.angleCosines === null ? null : float32ToBlob(result.angleCosines),
      );
    }
  }

  page(runId: string, query: ItemPageQuery): { total: number; items: ItemPageRow[] } {
    const parameters = { runId, split: query.split, limit: query.limit, offset: query.offset };
    const statement = query.orderBy === 'rank' ? this.statements.pageByRank : this.statements.pageByIndex;
    const total = parseRow(countRowSchema, this.statements.count.get({ runId, split: query.split }), 'item count').count;
    return { total, items: parseRows(itemPageRowSchema, statement.all(parameters), 'run item').map(toPageRow) };
  }

  countResults(runId: string): number {
    return parseRow(countRowSchema, this.statements.countResults.get(runId), 'result count').count;
  }

  item(runId: string, index: number): ItemDetail | undefined {
    const row: unknown = this.statements.detail.get(runId, index);
    if (row === undefined) return undefined;
    const parsed = parseRow(detailRowSchema, row, 'run item');
    return {
      ...toPageRow(parsed),
      latentMean: parsed.latent_mean === null ? null : blobToFloat32(parsed.latent_mean),
      angleCosines: parsed.angle_cosines === null ? null : blobToFloat32(parsed.angle_cosines),
    };
  }
}
