/**
 * Everything the UI can ask for, as one plain Node object over the database, the run queue and the
 * run folders. No electron import: the Electron entry, `polaris serve` and the tests all build it the
 * same way, and the IPC handlers (../ipc/handlers.ts) are a thin table over it.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type {
  DatasetFile,
  DatasetRecord,
  DatasetSummary,
  EpochLogEntry,
  RunDetail,
  RunItem,
  RunItemDetail,
  RunStatus,
  RunSummary,
  UserLabel,
} from '../../shared/ipc';
import type { RunRecord } from '../store/runs-repository';
import { DATABASE_FILE_NAME, openStore, type PolarisStore } from '../store/store';
import { EventHub } from './events';
import { importRunFolder } from './import-run';
import type { Clock } from './progress-throttle';
import { type Logger, RunQueue } from './run-queue';
import { createWorkerJobRunner, type JobRunner, type WorkerEntry } from './worker-job-runner';
import type { QueuedRunRequest } from './worker-protocol';

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export interface AppServicesOptions {
  /** The app's data folder (Electron: app.getPath('userData')); holds the database and the runs. */
  dataDir: string;
  appVersion: string;
  /** Defaults to `<dataDir>/polaris.sqlite3`. */
  databasePath?: string;
  /** Defaults to `<dataDir>/runs`. */
  runsRoot?: string;
  /** How training jobs run; defaults to worker threads started from `workerEntry`. */
  runner?: JobRunner;
  workerEntry?: WorkerEntry;
  clock?: Clock;
  wallNow?: () => number;
  log?: Logger;
  /** Recover abandoned runs and start queued ones right away (default true). */
  autoStart?: boolean;
  shutdownGraceMs?: number;
}

export interface ItemsQuery {
  runId: string;
  offset: number;
  limit: number;
  orderBy: 'rank' | 'index';
  split?: 'train' | 'test' | undefined;
}

const JsonRecordSchema = z.record(z.string(), z.json());

function toRunSummary(run: RunRecord): RunSummary {
  return {
    runId: run.id,
    datasetId: run.datasetId,
    datasetPath: run.datasetPath,
    origin: run.origin,
    method: run.method,
    status: run.status,
    stopReason: run.stopReason,
    epochsCompleted: run.epochsCompleted,
    epochsTotal: run.epochsTotal,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    error: run.error,
  };
}

export class AppServices {
  readonly store: PolarisStore;
  readonly queue: RunQueue;
  readonly events = new EventHub();
  /** Runs found abandoned by a dead process at start, now marked interrupted. */
  readonly recoveredRunIds: readonly string[];

  constructor(options: AppServicesOptions) {
    this.store = openStore(options.databasePath ?? join(options.dataDir, DATABASE_FILE_NAME));
    try {
      this.queue = new RunQueue({
        store: this.store,
        runsRoot: options.runsRoot ?? join(options.dataDir, 'runs'),
        runner: options.runner ?? createWorkerJobRunner(options.workerEntry),
        owner: { pid: process.pid, host: hostname(), token: randomBytes(16).toString('hex') },
        appVersion: options.appVersion,
        emit: this.events.emit,
        clock: options.clock,
        wallNow: options.wallNow,
        log: options.log,
        shutdownGraceMs: options.shutdownGraceMs,
      });
      this.recoveredRunIds = options.autoStart === false ? [] : this.queue.start();
    } catch (error) {
      this.store.close();
      throw error;
    }
  }

  // --- datasets -------------------------------------------------------------------------------

  async scanDataset(path: string, labelsCsv?: string): Promise<DatasetSummary> {
    // Loaded on first use: the image decoders it brings (GeoTIFF, JPEG, PNG) are not needed to start.
    const { scanDatasetFolder } = await import('./dataset-scan');
    return scanDatasetFolder(this.store, path, labelsCsv === undefined ? {} : { labelsCsv });
  }

  listDatasets(): DatasetRecord[] {
    return this.store.datasets.list().map((dataset) => ({
      datasetId: dataset.id,
      kind: dataset.kind,
      path: dataset.path,
      labelsCsv: dataset.labelsCsv,
      fileCount: dataset.fileCount,
      totalBytes: dataset.totalBytes,
      imageWidth: dataset.imageWidth,
      imageHeight: dataset.imageHeight,
      channels: dataset.channels,
      inputSize: dataset.inputSize,
      createdAt: dataset.createdAt,
      scannedAt: dataset.scannedAt,
      userLabelCount: dataset.userLabelCount,
    }));
  }

  datasetFiles(datasetId: number, offset: number, limit: number): { total: number; files: DatasetFile[] } {
    this.requireDataset(datasetId);
    const page = this.store.datasets.pageFiles(datasetId, offset, limit);
    const userLabels = new Map(this.store.labels.list(datasetId).map((label) => [label.file, label.label]));
    return { total: page.total, files: page.files.map((file) => ({ ...file, userLabel: userLabels.get(file.file) ?? null })) };
  }

  private requireDataset(datasetId: number): void {
    if (this.store.datasets.get(datasetId) === undefined) throw new NotFoundError(`No dataset ${datasetId}`);
  }

  // --- runs -----------------------------------------------------------------------------------

  listRuns(): RunSummary[] {
    return this.store.runs.list().map(toRunSummary);
  }

  private requireRun(runId: string): RunRecord {
    const run = this.store.runs.get(runId);
    if (run === undefined) throw new NotFoundError(`No run ${runId}`);
    return run;
  }

  getRun(runId: string): RunDetail {
    const run = this.requireRun(runId);
    const checkpoint = this.store.runs.checkpoint(runId);
    return {
      ...toRunSummary(run),
      runDir: run.runDir,
      config: JsonRecordSchema.parse(run.config),
      seed: run.seed,
      backend: run.backend,
      appVersion: run.appVersion,
      trainSeconds: run.trainSeconds,
      metrics: run.metrics,
      attempts: this.store.runs.attempts(runId).map((attempt) => ({
        attempt: attempt.attempt,
        fromEpoch: attempt.fromEpoch,
        startedAt: attempt.startedAt,
        endedAt: attempt.endedAt,
        outcome: attempt.outcome,
      })),
      checkpoint: checkpoint === undefined ? null : { nextEpoch: checkpoint.nextEpoch, writtenAt: checkpoint.writtenAt },
      resultCount: this.store.results.countResults(runId),
    };
  }

  startRun(request: QueuedRunRequest): { runId: string } {
    return { runId: this.queue.enqueue(request).id };
  }

  cancelRun(runId: string): { runId: string; cancelled: boolean } {
    this.requireRun(runId);
    return { runId, cancelled: this.queue.cancel(runId) };
  }

  resumeRun(runId: string): { runId: string; status: RunStatus } {
    this.requireRun(runId);
    return { runId, status: this.queue.resume(runId).status };
  }

  runEpochs(runId: string): EpochLogEntry[] {
    this.requireRun(runId);
    return this.store.runs.epochs(runId);
  }

  runItems(query: ItemsQuery): { total: number; items: RunItem[] } {
    this.requireRun(query.runId);
    return this.store.results.page(query.runId, { offset: query.offset, limit: query.limit, orderBy: query.orderBy, split: query.split ?? null });
  }

  runItem(runId: string, index: number): RunItemDetail {
    const run = this.requireRun(runId);
    const item = this.store.results.item(runId, index);
    if (item === undefined) throw new NotFoundError(`Run ${runId} has no item ${index}`);
    return {
      ...item,
      datasetId: run.datasetId,
      latentMean: item.latentMean === null ? null : Array.from(item.latentMean),
      angleCosines: item.angleCosines === null ? null : Array.from(item.angleCosines),
    };
  }

  importRun(path: string): { runId: string; status: RunStatus; itemCount: number } {
    const imported = importRunFolder(this.store, path);
    this.events.emit('runs:status', { runId: imported.runId, status: imported.status, message: `imported from ${path}`.slice(0, 2000) });
    return imported;
  }

  // --- labels ---------------------------------------------------------------------------------

  /** Committed (WAL, synchronous=FULL) before it returns: an acknowledged label survives a crash. */
  setLabel(datasetId: number, file: string, label: string | null): { datasetId: number; file: string; label: string | null } {
    this.requireDataset(datasetId);
    const sha256 = this.store.datasets.getFile(datasetId, file)?.sha256 ?? null;
    const saved = this.store.labels.set(datasetId, file, label, sha256);
    return { datasetId, file, label: saved?.label ?? null };
  }

  listLabels(datasetId: number): UserLabel[] {
    this.requireDataset(datasetId);
    return this.store.labels.list(datasetId).map((label) => ({ datasetId: label.datasetId, file: label.file, label: label.label, updatedAt: label.updatedAt }));
  }

  /** Stops the running job (it stays resumable) and closes the database. */
  async close(): Promise<void> {
    await this.queue.shutdown();
    this.store.close();
  }
}
