/**
 * Reading a run folder (run.json, items.csv, scores.csv, latents.npy, history.jsonl, checkpoint) into
 * the database. The same code mirrors the app's own runs when they end and imports folders written by
 * `polaris train` on a workstation or cluster node, so the two can never disagree about the format.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { RunIdSchema } from '../../shared/ipc';
import { parseCsv } from '../data/labels';
import { readNpyFile } from '../data/npy';
import { readHistory, readManifest, RUN_FILES, RunFolderError, type RunManifest } from '../runs/run-folder';
import type { ItemResultRecord, RunItemRecord } from '../store/results-repository';
import type { EpochRecord, ErrorInfo, RunStatus, StopReason } from '../store/runs-repository';
import type { PolarisStore } from '../store/store';
import { inspectCheckpoint } from './checkpoint-summary';
import { angleCosines, DEFAULT_ANGLE_COSINE_EPS } from './latent-angles';
import { EpochLogMessageSchema } from './worker-protocol';

export interface RunFolderContents {
  folder: string;
  manifest: RunManifest;
  /** items.csv, or null when the run stopped before writing it. */
  items: RunItemRecord[] | null;
  /** scores.csv joined with latents.npy, or null before the run was scored. */
  results: ItemResultRecord[] | null;
  history: EpochRecord[];
}

const optionalText = z.string().transform((value) => (value === '' ? null : value));
const anomalyCell = z.enum(['', '0', '1']).transform((value) => (value === '' ? null : value === '1' ? 1 : 0));
const itemRowSchema = z.object({
  index: z.coerce.number().pipe(z.int().nonnegative()),
  file: z.string().min(1),
  label: optionalText,
  anomaly: anomalyCell,
  split: z.enum(['train', 'test']),
});
const scoreRowSchema = itemRowSchema.extend({
  score: z.coerce.number().pipe(z.number()),
  rank: z.coerce.number().pipe(z.int().positive()),
});

/** Rows of a CSV file as objects keyed by header, each validated; errors name the file and line. */
function readCsvRows<Schema extends z.ZodType>(path: string, schema: Schema): z.output<Schema>[] {
  const table = parseCsv(readFileSync(path, 'utf8'), path);
  return table.rows.map((cells, row) => {
    const record = Object.fromEntries(table.columns.map((column, columnIndex) => [column, cells[columnIndex] ?? '']));
    const parsed = schema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RunFolderError(`${path}: data row ${row + 1}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid row'}`);
    }
    return parsed.data;
  });
}

function checkIndices(path: string, rows: readonly { index: number }[]): void {
  rows.forEach((row, position) => {
    if (row.index !== position) throw new RunFolderError(`${path}: row ${position + 1} has index ${row.index}; indices must run 0, 1, 2, … in order`);
  });
}

function readResults(folder: string, manifest: RunManifest, itemCount: number): ItemResultRecord[] | null {
  const scoresPath = join(folder, RUN_FILES.scores);
  if (!existsSync(scoresPath)) return null;
  const scores = readCsvRows(scoresPath, scoreRowSchema);
  checkIndices(scoresPath, scores);
  if (scores.length !== itemCount) throw new RunFolderError(`${scoresPath}: ${scores.length} rows, items.csv has ${itemCount}`);
  const latentsPath = join(folder, RUN_FILES.latents);
  let latents: { rows: number; cols: number; data: ArrayLike<number> } | null = null;
  if (existsSync(latentsPath)) {
    const array = readNpyFile(latentsPath);
    const [rows, cols] = array.shape;
    if (array.shape.length !== 2 || rows !== itemCount || cols === undefined) {
      throw new RunFolderError(`${latentsPath}: shape (${array.shape.join(', ')}), expected (${itemCount}, latent dimension)`);
    }
    latents = { rows, cols, data: array.data };
  }
  const configuredEps = manifest.config['cosineEps'];
  const eps = typeof configuredEps === 'number' && Number.isFinite(configuredEps) ? configuredEps : DEFAULT_ANGLE_COSINE_EPS;
  return scores.map((row) => {
    if (latents === null) return { index: row.index, score: row.score, rank: row.rank, latentMean: null, angleCosines: null };
    const mean = Float32Array.from({ length: latents.cols }, (_, j) => latents.data[row.index * latents.cols + j] as number);
    return { index: row.index, score: row.score, rank: row.rank, latentMean: mean, angleCosines: angleCosines(mean, eps) };
  });
}

function readEpochHistory(folder: string): EpochRecord[] {
  const byEpoch = new Map<number, EpochRecord>();
  for (const entry of readHistory(folder)) {
    const parsed = EpochLogMessageSchema.safeParse(entry);
    if (parsed.success) byEpoch.set(parsed.data.epoch, parsed.data); // a resumed run may repeat an epoch: the last line wins
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

export function readRunFolderContents(folder: string): RunFolderContents {
  const manifest = readManifest(folder);
  const itemsPath = join(folder, RUN_FILES.items);
  let items: RunItemRecord[] | null = null;
  if (existsSync(itemsPath)) {
    items = readCsvRows(itemsPath, itemRowSchema);
    checkIndices(itemsPath, items);
  }
  const results = items === null ? null : readResults(folder, manifest, items.length);
  return { folder, manifest, items, results, history: readEpochHistory(folder) };
}

/** A run id the database accepts, from the manifest's id (folder names may hold spaces and the like). */
export function runIdFromManifest(id: string): string {
  if (RunIdSchema.safeParse(id).success) return id;
  const cleaned = id.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128);
  if (!RunIdSchema.safeParse(cleaned).success) throw new RunFolderError(`Run id "${id.slice(0, 100)}" cannot be turned into a valid run id`);
  return cleaned;
}

export interface MirrorOptions {
  runDir: string;
  status: RunStatus;
  stopReason: StopReason | null;
  /** For a failed run: what went wrong, when the manifest does not say (the worker died). */
  error?: ErrorInfo | null;
  /** For the app's own runs: its version (a bundled worker cannot always read package.json for the manifest). */
  appVersion?: string;
}

function configNumber(config: Record<string, unknown>, key: string, fallback: number): number {
  const value = config[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/**
 * Writes everything the folder holds about the run into its (existing) database row and child tables.
 * Call inside store.transaction: the run's view in the database changes all at once or not at all.
 */
export function mirrorRunFolder(store: PolarisStore, runId: string, contents: RunFolderContents, options: MirrorOptions): void {
  const { manifest } = contents;
  const datasetId = store.datasets.ensure(manifest.dataset.kind, manifest.dataset.path);
  store.datasets.mergeFromRun(datasetId, {
    channels: manifest.dataset.channels,
    inputSize: manifest.dataset.size,
    labelsCsv: manifest.dataset.labelsCsv,
    files: contents.items ?? [],
  });
  store.runs.updateDetails(runId, {
    datasetId,
    datasetPath: manifest.dataset.path,
    method: manifest.method,
    config: manifest.config,
    seed: configNumber(manifest.config, 'seed', 0),
    epochsTotal: configNumber(manifest.config, 'epochs', manifest.timings.epochsCompleted),
    epochsCompleted: manifest.timings.epochsCompleted,
    backend: manifest.backend.name,
    appVersion: options.appVersion ?? manifest.appVersion,
    metrics: manifest.metrics,
    startedAt: manifest.timings.startedAt,
    finishedAt: manifest.timings.finishedAt,
    trainSeconds: manifest.timings.trainSeconds,
  });
  if (contents.items !== null) {
    store.results.replaceItems(runId, contents.items);
    if (contents.results !== null) store.results.replaceResults(runId, contents.results);
  }
  store.runs.deleteEpochsFrom(runId, 0);
  for (const log of contents.history) store.runs.recordEpoch(runId, log);
  const checkpoint = inspectCheckpoint(options.runDir, { verifyContents: false });
  if (checkpoint.kind === 'usable') {
    const { summary } = checkpoint;
    store.runs.recordCheckpoint({ runId, nextEpoch: summary.nextEpoch, path: summary.path, bytes: summary.bytes, sha256: summary.sha256, writtenAt: manifest.updatedAt });
  }
  const error = options.status === 'failed' ? (options.error ?? manifest.error) : null;
  store.runs.finish(runId, options.status === 'done' || options.status === 'failed' ? options.status : 'interrupted', { stopReason: options.stopReason, error });
}

export interface ImportedRun {
  runId: string;
  status: RunStatus;
  itemCount: number;
}

export class RunImportError extends Error {
  override readonly name = 'RunImportError';
}

/**
 * Imports a run folder written by `polaris train` (here or elsewhere). The folder stays where it is;
 * its results are copied into the database. Importing the same folder again refreshes it.
 */
export function importRunFolder(store: PolarisStore, folder: string): ImportedRun {
  const runDir = resolve(folder);
  const contents = readRunFolderContents(runDir);
  const { manifest } = contents;
  const runId = runIdFromManifest(manifest.id);
  const existing = store.runs.get(runId);
  if (existing !== undefined && existing.origin === 'app') {
    throw new RunImportError(`Run ${runId} is already in the database: it was trained in this app (its folder is ${existing.runDir})`);
  }
  // A folder copied while its run was still queued or training is not running here: it can be looked at, not continued.
  const finished = manifest.status === 'done' || manifest.status === 'failed' || manifest.status === 'interrupted';
  const status: RunStatus = finished ? manifest.status : 'interrupted';
  const stopReason: StopReason | null = status === 'interrupted' ? (finished ? 'cancelled' : 'crashed') : null;
  store.transaction(() => {
    if (existing !== undefined) store.runs.delete(runId);
    store.runs.insert({
      id: runId,
      datasetId: null,
      datasetPath: manifest.dataset.path,
      runDir,
      origin: 'imported',
      method: manifest.method,
      config: manifest.config,
      seed: configNumber(manifest.config, 'seed', 0),
      epochsTotal: configNumber(manifest.config, 'epochs', manifest.timings.epochsCompleted),
      appVersion: manifest.appVersion,
      status,
      request: null,
    });
    mirrorRunFolder(store, runId, contents, { runDir, status, stopReason });
  });
  return { runId, status, itemCount: contents.items?.length ?? 0 };
}
