/**
 * One training run from dataset to scores, writing a self-contained run folder (run-folder.ts):
 * load and normalize the data, train with a checkpoint after every epoch, then encode every item,
 * score it by its mean distance to the k nearest training means (method.md §7), rank, and compute
 * the metrics on the test split when anomalies are known. The CLI runs it in-process; the desktop
 * app runs it in a worker thread. Resuming reads the manifest and the last checkpoint.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type BackendInfo, initBackend } from '../../ml/backend';
import { type CompVaeConfig, resolveConfig } from '../../ml/config';
import { KnnDetector } from '../../ml/detectors';
import { selectRows } from '../../ml/matrix';
import { computeAnomalyMetrics } from '../../ml/metrics';
import { CompVaeTrainer, type EpochLog, type StepInfo } from '../../ml/train';
import { writeNpyFile } from '../data/npy';
import { checkpointExists, readCheckpoint, writeCheckpoint } from '../runs/checkpoint';
import {
  ensureRunFolder,
  rankScores,
  readManifest,
  RUN_FILES,
  type RunItem,
  type RunManifest,
  type RunStatus,
  writeHistory,
  writeItems,
  writeManifest,
  writeMetrics,
  writeScores,
  appendHistory,
} from '../runs/run-folder';
import { datasetSummary, type DatasetSpec, prepareDataset, type PreparedDataset } from './dataset-prep';
import { DEFAULT_SNAPSHOT_ITEMS, snapshotSample, writeLatentSnapshot, writeSnapshotItems } from '../runs/latent-snapshots';

export interface TrainJobCallbacks {
  onStatus?(status: RunStatus, message: string): void;
  onBackend?(info: BackendInfo): void;
  onLoadProgress?(done: number, total: number): void;
  onBatchEnd?(info: StepInfo): void;
  onEpochEnd?(log: EpochLog): void;
  /** Polled between batches; true stops after the current batch (status 'interrupted', resumable). */
  shouldStop?(): boolean;
}

export interface TrainJobOptions {
  /** Required for a new run; on resume the manifest's stored spec is used when omitted. */
  dataset?: DatasetSpec;
  runDir: string;
  /** Config overrides (method, latentDim, epochs, seed, …); ignored on resume except `epochs`. */
  overrides?: Partial<CompVaeConfig>;
  resume?: boolean;
  testFraction?: number;
  balancedTest?: boolean;
  /**
   * Items whose latent means are saved after every epoch (latent-snapshots/), so the app can show how
   * the island around the pole forms. A fixed seeded sample; 0 turns snapshots off. Default 512.
   */
  snapshotItems?: number;
  /** Recorded in the manifest; default: derived from the folder name / this package's version. */
  runId?: string;
  appVersion?: string;
  callbacks?: TrainJobCallbacks;
}

export interface TrainJobResult {
  status: RunStatus;
  manifest: RunManifest;
  epochsCompleted: number;
}

export function appVersion(): string {
  const require = createRequire(import.meta.url);
  try {
    return (require('../../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function runTrainJob(options: TrainJobOptions): Promise<TrainJobResult> {
  const { runDir, callbacks = {} } = options;
  const backend = await initBackend();
  callbacks.onBackend?.(backend);
  ensureRunFolder(runDir);

  let previous: RunManifest | null = null;
  if (options.resume) {
    previous = readManifest(runDir);
    if (previous.status === 'done') throw new Error(`${runDir}: this run is already done; start a new run instead of --resume`);
    if (!checkpointExists(runDir)) throw new Error(`${runDir}: no checkpoint yet (the run stopped before its first epoch ended); start it again without --resume`);
  } else if (existsSync(join(runDir, RUN_FILES.manifest))) {
    throw new Error(`${runDir} already holds a run; choose another --out folder or use --resume`);
  }

  const config: CompVaeConfig = previous
    ? resolveConfig({ ...(previous.config as Partial<CompVaeConfig>), ...(options.overrides?.epochs !== undefined ? { epochs: options.overrides.epochs } : {}) })
    : resolveConfig(options.overrides);
  const testFraction = previous?.dataset.testFraction ?? options.testFraction ?? 0.2;
  const balancedTest = previous ? (previous.dataset.balancedTest ?? false) : (options.balancedTest ?? false);
  const datasetSpec = options.dataset ?? (previous?.datasetSpec as DatasetSpec | undefined);
  if (!datasetSpec) throw new Error('No dataset given (and the run folder does not record one)');
  callbacks.onStatus?.('running', 'loading data');
  const prepared = await prepareDataset(datasetSpec, {
    size: config.imageSize,
    protocol: { seed: config.seed, testFraction, balancedTest },
    onLoadProgress: callbacks.onLoadProgress,
  });
  if (previous && previous.dataset.items !== prepared.files.length) {
    throw new Error(`${prepared.path}: the dataset now has ${prepared.files.length} usable items, the run was started on ${previous.dataset.items}; resume needs the same data`);
  }
  if (!previous && options.overrides?.channels === undefined) config.channels = prepared.channels;
  if (prepared.channels !== config.channels) {
    throw new Error(`${prepared.path}: images have ${prepared.channels} channel(s) but the run was configured for ${config.channels}`);
  }
  const now = new Date().toISOString();
  let manifest: RunManifest = previous
    ? { ...previous, status: 'running', config: { ...config }, backend: { choice: backend.choice, name: backend.name }, error: null }
    : {
        formatVersion: 1,
        id: options.runId ?? runIdFor(runDir),
        createdAt: now,
        updatedAt: now,
        status: 'running',
        appVersion: options.appVersion ?? appVersion(),
        method: config.method,
        config: { ...config },
        backend: { choice: backend.choice, name: backend.name },
        dataset: datasetSummary(prepared, testFraction, balancedTest),
        normalization: prepared.normalization,
        datasetSpec,
        timings: { startedAt: now, finishedAt: null, trainSeconds: 0, epochsCompleted: 0 },
        error: null,
        metrics: null,
      };
  writeManifest(runDir, manifest);
  const items = runItems(prepared);
  if (!previous) writeItems(runDir, items);

  const trainer = new CompVaeTrainer(config);
  try {
    if (previous) {
      const state = readCheckpoint(runDir);
      trainer.importState(state);
      writeHistory(runDir, state.history);
    }
    const trainImages = selectRows(prepared.images, prepared.train);
    const snapshot = snapshotSample(prepared.files.length, options.snapshotItems ?? DEFAULT_SNAPSHOT_ITEMS, config.seed);
    if (!previous) writeSnapshotItems(runDir, snapshot);
    const trainStart = Date.now();
    const baseSeconds = manifest.timings.trainSeconds;
    const outcome = await trainer.fit(
      { images: trainImages },
      {
        onBatchEnd: (info) => callbacks.onBatchEnd?.(info),
        onEpochEnd: (log) => {
          // Checkpoint first, then the history line and manifest: a crash between them repeats no epoch.
          writeCheckpoint(runDir, trainer.exportState());
          appendHistory(runDir, log);
          manifest = {
            ...manifest,
            timings: { ...manifest.timings, trainSeconds: baseSeconds + (Date.now() - trainStart) / 1000, epochsCompleted: log.epoch + 1 },
          };
          writeManifest(runDir, manifest);
          if (snapshot.length > 0) writeLatentSnapshot(runDir, log.epoch, trainer.encode(selectRows(prepared.images, snapshot)).mu);
          callbacks.onEpochEnd?.(log);
        },
        shouldStop: callbacks.shouldStop,
      },
    );
    if (outcome.stopped) {
      manifest = { ...manifest, status: 'interrupted' };
      writeManifest(runDir, manifest);
      callbacks.onStatus?.('interrupted', `stopped after epoch ${outcome.epochsCompleted}; resume with --resume`);
      return { status: 'interrupted', manifest, epochsCompleted: outcome.epochsCompleted };
    }
    callbacks.onStatus?.('running', 'scoring');
    const metrics = await scoreRun(runDir, trainer, prepared, items, config.knnK);
    manifest = {
      ...manifest,
      status: 'done',
      metrics,
      timings: { ...manifest.timings, finishedAt: new Date().toISOString() },
    };
    writeManifest(runDir, manifest);
    callbacks.onStatus?.('done', 'finished');
    return { status: 'done', manifest, epochsCompleted: outcome.epochsCompleted };
  } catch (error) {
    manifest = { ...manifest, status: 'failed', error: { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) } };
    writeManifest(runDir, manifest);
    throw error;
  } finally {
    trainer.dispose();
  }
}

/** Encodes every item, scores it against the training bank (training items leave-one-out), ranks. */
async function scoreRun(
  runDir: string,
  trainer: CompVaeTrainer,
  prepared: PreparedDataset,
  items: RunItem[],
  k: number,
): Promise<Record<string, number> | null> {
  const { mu } = trainer.encode(prepared.images);
  writeNpyFile(join(runDir, RUN_FILES.latents), { shape: [mu.rows, mu.cols], data: mu.data });
  const bank = selectRows(mu, prepared.train);
  const detector = new KnnDetector({ k: Math.min(k, Math.max(1, bank.rows - 1)) });
  await detector.fit(bank);
  const scores = new Float64Array(mu.rows);
  const bankScores = await detector.score(bank, { excludeSelf: true });
  prepared.train.forEach((item, i) => (scores[item] = bankScores[i] as number));
  if (prepared.test.length > 0) {
    const testScores = await detector.score(selectRows(mu, prepared.test));
    prepared.test.forEach((item, i) => (scores[item] = testScores[i] as number));
  }
  const ranks = rankScores(scores);
  writeScores(
    runDir,
    items.map((item) => ({ ...item, score: scores[item.index] as number, rank: ranks[item.index] as number })),
  );
  const testLabels = prepared.test.map((i) => prepared.anomaly[i]);
  if (testLabels.some((l) => l === 1) && testLabels.some((l) => l === 0) && testLabels.every((l) => l !== null)) {
    const metrics = computeAnomalyMetrics(
      Float64Array.from(prepared.test, (i) => scores[i] as number),
      Uint8Array.from(testLabels as (0 | 1)[]),
    );
    const plain: Record<string, number> = { ...metrics };
    writeMetrics(runDir, plain);
    return plain;
  }
  return null;
}

function runItems(prepared: PreparedDataset): RunItem[] {
  const testSet = new Set(prepared.test);
  return prepared.files.map((file, index) => ({
    index,
    file,
    label: prepared.labels[index] ?? null,
    anomaly: prepared.anomaly[index] ?? null,
    split: testSet.has(index) ? 'test' : 'train',
  }));
}

function runIdFor(runDir: string): string {
  const base = runDir.split(/[\\/]/).filter(Boolean).pop() ?? 'run';
  return `${base}-${Date.now().toString(36)}`;
}
