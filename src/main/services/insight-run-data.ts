/**
 * A run's items, scores and latent means as columns in memory, for the insight views: read once per
 * run state (cached), while the user's labels are read fresh on every call because they change with
 * every key press. Read-only SQL over the store's tables (see store/migrations.ts).
 */
import type { Statement } from 'better-sqlite3';
import { z } from 'zod';
import type { InsightItem } from '../../shared/ipc-insight';
import { blobSchema, blobToFloat32, parseRows, sqliteInteger } from '../store/columns';
import type { RunRecord } from '../store/runs-repository';
import type { PolarisStore } from '../store/store';
import { NotFoundError } from './app-services';

export type Split = 'train' | 'test';

/** One run's items in item-index order; `row` positions index every column. */
export interface RunTable {
  run: RunRecord;
  /** Changes whenever the run's results may have changed. */
  key: string;
  indexes: Int32Array;
  files: string[];
  labels: (string | null)[];
  anomaly: (0 | 1 | null)[];
  splits: Split[];
  /** NaN where an item has no score (yet). */
  scores: Float64Array;
  /** 0 where an item has no rank. */
  ranks: Int32Array;
  rowOfIndex: Map<number, number>;
  rowOfFile: Map<string, number>;
}

/** Latent means μ of the items that have one, row-aligned with a RunTable. */
export interface LatentColumns {
  dimension: number;
  /** rows × dimension; the rows of items without a mean hold NaN. */
  values: Float32Array;
  hasMean: Uint8Array;
  count: number;
}

/** The user's labels of a run's items, by table row (null: no label). */
export interface UserLabelColumns {
  labels: (string | null)[];
  updatedAt: (string | null)[];
}

const itemRowSchema = z.object({
  item_index: sqliteInteger,
  file: z.string(),
  label: z.string().nullable(),
  anomaly: z.union([z.literal(0), z.literal(1)]).nullable(),
  split: z.enum(['train', 'test']),
  score: z.number().nullable(),
  rank: sqliteInteger.nullable(),
});
const latentRowSchema = z.object({ item_index: sqliteInteger, latent_mean: blobSchema });
const labelRowSchema = z.object({ item_index: sqliteInteger, label: z.string(), updated_at: z.string() });

/** How many runs' columns stay in memory (a comparison of up to 8 runs reloads what does not fit). */
const CACHED_RUNS = 8;

export class InsightRunData {
  private readonly itemsStatement: Statement;
  private readonly latentStatement: Statement;
  private readonly labelsStatement: Statement;
  private readonly tables = new Map<string, RunTable>();
  private readonly latents = new Map<string, LatentColumns>();

  constructor(private readonly store: PolarisStore) {
    this.itemsStatement = store.db.prepare(`
      SELECT i.item_index, i.file, i.label, i.anomaly, i.split, r.score, r.rank
      FROM run_items i LEFT JOIN results r ON r.run_id = i.run_id AND r.item_index = i.item_index
      WHERE i.run_id = ? ORDER BY i.item_index`);
    this.latentStatement = store.db.prepare(`
      SELECT item_index, latent_mean FROM results WHERE run_id = ? AND latent_mean IS NOT NULL ORDER BY item_index`);
    this.labelsStatement = store.db.prepare(`
      SELECT i.item_index, u.label, u.updated_at
      FROM run_items i
      JOIN runs ON runs.id = i.run_id
      JOIN user_labels u ON u.dataset_id = runs.dataset_id AND u.file = i.file
      WHERE i.run_id = ?`);
  }

  requireRun(runId: string): RunRecord {
    const run = this.store.runs.get(runId);
    if (run === undefined) throw new NotFoundError(`No run ${runId}`);
    return run;
  }

  /** Every scored run, newest first (the store's order). */
  scoredRuns(): RunRecord[] {
    return this.store.runs.list().filter((run) => this.store.results.countResults(run.id) > 0);
  }

  private stateKey(run: RunRecord): string {
    return `${run.id}|${run.status}|${run.finishedAt ?? ''}|${run.epochsCompleted}|${this.store.results.countResults(run.id)}`;
  }

  table(runId: string): RunTable {
    const run = this.requireRun(runId);
    const key = this.stateKey(run);
    const cached = this.tables.get(runId);
    if (cached?.key === key) {
      // Refresh the record (metrics, times) but keep the columns; move to the back of the LRU order.
      this.tables.delete(runId);
      const refreshed = { ...cached, run };
      this.tables.set(runId, refreshed);
      return refreshed;
    }
    const rows = parseRows(itemRowSchema, this.itemsStatement.all(runId), 'run item');
    const table: RunTable = {
      run,
      key,
      indexes: Int32Array.from(rows, (row) => row.item_index),
      files: rows.map((row) => row.file),
      labels: rows.map((row) => row.label),
      anomaly: rows.map((row) => row.anomaly),
      splits: rows.map((row) => row.split),
      scores: Float64Array.from(rows, (row) => row.score ?? Number.NaN),
      ranks: Int32Array.from(rows, (row) => row.rank ?? 0),
      rowOfIndex: new Map(rows.map((row, position) => [row.item_index, position])),
      rowOfFile: new Map(rows.map((row, position) => [row.file, position])),
    };
    this.tables.delete(runId);
    this.tables.set(runId, table);
    this.latents.delete(runId);
    while (this.tables.size > CACHED_RUNS) {
      const oldest = this.tables.keys().next().value as string;
      this.tables.delete(oldest);
      this.latents.delete(oldest);
    }
    return table;
  }

  /** The latent means of the table's items, or null when the run stored none (pixel baselines, unscored runs). */
  latentMeans(table: RunTable): LatentColumns | null {
    const cached = this.latents.get(table.run.id);
    if (cached !== undefined && this.tables.get(table.run.id)?.key === table.key) return cached;
    const rows = parseRows(latentRowSchema, this.latentStatement.all(table.run.id), 'latent mean');
    if (rows.length === 0) return null;
    const dimension = blobToFloat32((rows[0] as z.output<typeof latentRowSchema>).latent_mean).length;
    const values = new Float32Array(table.indexes.length * dimension).fill(Number.NaN);
    const hasMean = new Uint8Array(table.indexes.length);
    let count = 0;
    for (const row of rows) {
      const position = table.rowOfIndex.get(row.item_index);
      const mean = blobToFloat32(row.latent_mean);
      if (position === undefined || mean.length !== dimension) continue;
      values.set(mean, position * dimension);
      hasMean[position] = 1;
      count++;
    }
    const columns = { dimension, values, hasMean, count };
    this.latents.set(table.run.id, columns);
    return columns;
  }

  userLabels(table: RunTable): UserLabelColumns {
    const labels: (string | null)[] = new Array<string | null>(table.indexes.length).fill(null);
    const updatedAt: (string | null)[] = new Array<string | null>(table.indexes.length).fill(null);
    for (const row of parseRows(labelRowSchema, this.labelsStatement.all(table.run.id), 'user label')) {
      const position = table.rowOfIndex.get(row.item_index);
      if (position === undefined) continue;
      labels[position] = row.label;
      updatedAt[position] = row.updated_at;
    }
    return { labels, updatedAt };
  }
}

/** The gallery's view of one row. */
export function itemAt(table: RunTable, labels: UserLabelColumns, row: number): InsightItem {
  const score = table.scores[row] as number;
  const rank = table.ranks[row] as number;
  return {
    index: table.indexes[row] as number,
    file: table.files[row] as string,
    label: table.labels[row] ?? null,
    anomaly: table.anomaly[row] ?? null,
    split: table.splits[row] as Split,
    score: Number.isNaN(score) ? null : score,
    rank: rank > 0 ? rank : null,
    userLabel: labels.labels[row] ?? null,
  };
}
