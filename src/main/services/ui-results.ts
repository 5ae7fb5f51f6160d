/**
 * A run's results as the gallery needs them: pages sorted by any column, and the k nearest normal
 * items behind one item's score. Read-only SQL over the services' tables (see store/migrations.ts).
 */
import type { Statement } from 'better-sqlite3';
import { z } from 'zod';
import type { Neighbors, RunItem } from '../../shared/ipc';
import { blobSchema, blobToFloat32, parseRow, parseRows, sqliteInteger } from '../store/columns';
import { itemPageRowSchema } from '../store/results-repository';
import type { PolarisStore } from '../store/store';
import { NotFoundError } from './app-services';

export type ItemSortKey = 'rank' | 'score' | 'label' | 'file' | 'index';
export type SortDirection = 'asc' | 'desc';

export interface SortedItemsQuery {
  runId: string;
  offset: number;
  limit: number;
  sortBy: ItemSortKey;
  direction: SortDirection;
  split?: 'train' | 'test' | undefined;
}

/**
 * ORDER BY per sort key and direction: a fixed table, never text from a request. Items without a
 * result sort last either way; ties fall back to the rank (most anomalous first), then the index.
 */
const ORDER_BY: Readonly<Record<ItemSortKey, Readonly<Record<SortDirection, string>>>> = {
  rank: { asc: 'r.rank IS NULL, r.rank ASC, i.item_index', desc: 'r.rank IS NULL, r.rank DESC, i.item_index' },
  score: { asc: 'r.score IS NULL, r.score ASC, i.item_index', desc: 'r.score IS NULL, r.score DESC, i.item_index' },
  label: {
    asc: 'i.label IS NULL, i.label COLLATE NOCASE ASC, r.rank IS NULL, r.rank, i.item_index',
    desc: 'i.label IS NULL, i.label COLLATE NOCASE DESC, r.rank IS NULL, r.rank, i.item_index',
  },
  file: { asc: 'i.file COLLATE NOCASE ASC, i.item_index', desc: 'i.file COLLATE NOCASE DESC, i.item_index' },
  index: { asc: 'i.item_index ASC', desc: 'i.item_index DESC' },
};

const SELECT_ITEMS = `
  SELECT i.item_index, i.file, i.label, i.anomaly, i.split, r.score, r.rank, u.label AS user_label
  FROM run_items i
  JOIN runs ON runs.id = i.run_id
  LEFT JOIN results r ON r.run_id = i.run_id AND r.item_index = i.item_index
  LEFT JOIN user_labels u ON u.dataset_id = runs.dataset_id AND u.file = i.file
  WHERE i.run_id = @runId AND (@split IS NULL OR i.split = @split)`;

const countRowSchema = z.object({ count: sqliteInteger });
const bankRowSchema = z.object({ item_index: sqliteInteger, file: z.string(), label: z.string().nullable(), latent_mean: blobSchema });
const latentRowSchema = z.object({ item_index: sqliteInteger, split: z.enum(['train', 'test']), score: z.number().nullable(), latent_mean: blobSchema.nullable() });

function toRunItem(row: z.output<typeof itemPageRowSchema>): RunItem {
  return { index: row.item_index, file: row.file, label: row.label, anomaly: row.anomaly, split: row.split, score: row.score, rank: row.rank, userLabel: row.user_label };
}

/** The training items' latent means of one run, the bank its scores were computed against. */
interface LatentBank {
  key: string;
  indexes: Int32Array;
  files: string[];
  labels: (string | null)[];
  dimension: number;
  /** rows × dimension, float64 for exact distances. */
  values: Float64Array;
}

export class UiResultsService {
  private readonly pageStatements = new Map<string, Statement>();
  private readonly countStatement: Statement;
  private readonly bankStatement: Statement;
  private readonly latentStatement: Statement;
  private bank: LatentBank | null = null;

  constructor(private readonly store: PolarisStore) {
    this.countStatement = store.db.prepare('SELECT count(*) AS count FROM run_items WHERE run_id = @runId AND (@split IS NULL OR split = @split)');
    this.bankStatement = store.db.prepare(`
      SELECT i.item_index, i.file, i.label, r.latent_mean
      FROM run_items i JOIN results r ON r.run_id = i.run_id AND r.item_index = i.item_index
      WHERE i.run_id = ? AND i.split = 'train' AND r.latent_mean IS NOT NULL
      ORDER BY i.item_index`);
    this.latentStatement = store.db.prepare(`
      SELECT i.item_index, i.split, r.score, r.latent_mean
      FROM run_items i LEFT JOIN results r ON r.run_id = i.run_id AND r.item_index = i.item_index
      WHERE i.run_id = ? AND i.item_index = ?`);
  }

  private requireRun(runId: string): NonNullable<ReturnType<PolarisStore['runs']['get']>> {
    const run = this.store.runs.get(runId);
    if (run === undefined) throw new NotFoundError(`No run ${runId}`);
    return run;
  }

  sortedItems(query: SortedItemsQuery): { total: number; items: RunItem[] } {
    this.requireRun(query.runId);
    const key = `${query.sortBy}:${query.direction}`;
    let statement = this.pageStatements.get(key);
    if (statement === undefined) {
      statement = this.store.db.prepare(`${SELECT_ITEMS} ORDER BY ${ORDER_BY[query.sortBy][query.direction]} LIMIT @limit OFFSET @offset`);
      this.pageStatements.set(key, statement);
    }
    const split = query.split ?? null;
    const total = parseRow(countRowSchema, this.countStatement.get({ runId: query.runId, split }), 'item count').count;
    const rows = parseRows(itemPageRowSchema, statement.all({ runId: query.runId, split, limit: query.limit, offset: query.offset }), 'run item');
    return { total, items: rows.map(toRunItem) };
  }

  private latentBank(runId: string): LatentBank {
    // Keyed by the number of results too, so a run that was scored again reloads its bank.
    const key = `${runId}:${this.store.results.countResults(runId)}`;
    if (this.bank?.key === key) return this.bank;
    const rows = parseRows(bankRowSchema, this.bankStatement.all(runId), 'latent bank');
    const dimension = rows.length === 0 ? 0 : blobToFloat32((rows[0] as z.output<typeof bankRowSchema>).latent_mean).length;
    const values = new Float64Array(rows.length * dimension);
    rows.forEach((row, position) => values.set(blobToFloat32(row.latent_mean).subarray(0, dimension), position * dimension));
    this.bank = {
      key,
      indexes: Int32Array.from(rows, (row) => row.item_index),
      files: rows.map((row) => row.file),
      labels: rows.map((row) => row.label),
      dimension,
      values,
    };
    return this.bank;
  }

  /**
   * The k nearest training items of `index` by Euclidean distance between latent means (method.md §7),
   * the item itself left out as in the run's own scoring. Their mean distance is the item's score.
   */
  neighbors(runId: string, index: number, requestedK?: number): Neighbors {
    const run = this.requireRun(runId);
    const row: unknown = this.latentStatement.get(runId, index);
    if (row === undefined) throw new NotFoundError(`Run ${runId} has no item ${index}`);
    const item = parseRow(latentRowSchema, row, 'run item');
    const configuredK = run.config['knnK'];
    const k = requestedK ?? (typeof configuredK === 'number' && Number.isInteger(configuredK) && configuredK > 0 ? configuredK : 3);
    if (item.latent_mean === null) {
      const reason = run.method.startsWith('pixel-')
        ? 'A pixel baseline scores in pixel space: there is no latent space, so no latent neighbours to show.'
        : 'This run stored no latent means (it was not scored by a model, or not yet).';
      return { k, score: item.score, neighbors: [], unavailableReason: reason };
    }
    const bank = this.latentBank(runId);
    if (bank.indexes.length === 0) return { k, score: item.score, neighbors: [], unavailableReason: 'This run has no training items with latent means.' };
    const query = blobToFloat32(item.latent_mean);
    if (query.length !== bank.dimension) throw new RangeError(`Item ${index} has a ${query.length}-dimensional latent, the bank ${bank.dimension}`);

    const best: { position: number; distance: number }[] = [];
    for (let position = 0; position < bank.indexes.length; position++) {
      if (bank.indexes[position] === index) continue;
      let sum = 0;
      for (let d = 0, base = position * bank.dimension; d < bank.dimension; d++) {
        const difference = (bank.values[base + d] as number) - (query[d] as number);
        sum += difference * difference;
      }
      if (best.length < k || sum < (best[best.length - 1] as { distance: number }).distance) {
        best.push({ position, distance: sum });
        best.sort((a, b) => a.distance - b.distance || a.position - b.position);
        if (best.length > k) best.pop();
      }
    }
    return {
      k: best.length,
      score: item.score,
      neighbors: best.map(({ position, distance }) => ({
        index: bank.indexes[position] as number,
        file: bank.files[position] as string,
        label: bank.labels[position] ?? null,
        distance: Math.sqrt(distance),
      })),
      unavailableReason: null,
    };
  }
}
