/**
 * The pixel baselines of the paper's comparison (k-NN and Isolation Forest on normalized pixels):
 * nothing to train, so they do not go through the training queue. The data are loaded, normalized and
 * split exactly as a training run would (services/dataset-prep.ts), scored, written as a run folder in
 * the format `polaris train` writes, and imported, so the gallery and the exports treat them like any
 * run. Progress goes out as jobs:progress and jobs:cancel stops them.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { IsolationForestDetector, KnnDetector } from '../../ml/detectors';
import { selectRows } from '../../ml/matrix';
import { computeAnomalyMetrics } from '../../ml/metrics';
import type { DatasetSpecInput } from '../../shared/ipc';
import { rankScores, type RunItem, writeItems, writeManifest, writeMetrics, writeScores, type RunManifest } from '../runs/run-folder';
import type { PolarisStore } from '../store/store';
import { datasetSummary, type DatasetSpec, prepareDataset, type PreparedDataset } from './dataset-prep';
import type { EventSink } from './events';
import { importRunFolder } from './import-run';
import type { JobHandle } from './ui-jobs';

export const BASELINE_METHODS = ['pixel-knn', 'pixel-iforest'] as const;
export type BaselineMethod = (typeof BASELINE_METHODS)[number];

export interface BaselineRequest {
  dataset: Extract<DatasetSpecInput, { kind: 'folder' }>;
  method: BaselineMethod;
  imageSize: number;
  seed: number;
  knnK: number;
  testFraction: number;
}

function newBaselineRunId(method: BaselineMethod): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${method}-${stamp}-${randomBytes(3).toString('hex')}`;
}

async function scorePixels(prepared: PreparedDataset, request: BaselineRequest): Promise<{ scores: Float64Array; backend: { choice: string; name: string } }> {
  const scores = new Float64Array(prepared.files.length);
  const bank = selectRows(prepared.images, prepared.train);
  if (request.method === 'pixel-iforest') {
    const forest = new IsolationForestDetector({ seed: request.seed });
    await forest.fit(bank);
    scores.set(await forest.score(prepared.images));
    return { scores, backend: { choice: 'cpu', name: 'javascript' } };
  }
  // k-NN in pixel space, scored like a trained run's latents: training items leave themselves out.
  const { initBackend } = await import('../../ml/backend');
  const backend = await initBackend();
  const detector = new KnnDetector({ k: Math.min(request.knnK, Math.max(1, bank.rows - 1)) });
  await detector.fit(bank);
  const bankScores = await detector.score(bank, { excludeSelf: true });
  prepared.train.forEach((item, i) => (scores[item] = bankScores[i] as number));
  if (prepared.test.length > 0) {
    const testScores = await detector.score(selectRows(prepared.images, prepared.test));
    prepared.test.forEach((item, i) => (scores[item] = testScores[i] as number));
  }
  return { scores, backend: { choice: backend.choice, name: backend.name } };
}

function testMetrics(prepared: PreparedDataset, scores: Float64Array): Record<string, number> | null {
  const labels = prepared.test.map((index) => prepared.anomaly[index]);
  if (!labels.some((label) => label === 1) || !labels.some((label) => label === 0) || labels.some((label) => label === null)) return null;
  return { ...computeAnomalyMetrics(Float64Array.from(prepared.test, (index) => scores[index] as number), Uint8Array.from(labels as (0 | 1)[])) };
}

export class UiBaselineService {
  private readonly root: string;

  constructor(
    private readonly store: PolarisStore,
    private readonly emit: EventSink,
  ) {
    this.root = path.join(path.dirname(store.path), 'baseline-runs');
  }

  async run(request: BaselineRequest, job: JobHandle): Promise<{ runId: string }> {
    const startedAt = new Date().toISOString();
    const spec: DatasetSpec = {
      kind: 'folder',
      path: request.dataset.path,
      onProblem: request.dataset.onProblem ?? 'skip',
      ...(request.dataset.labelsCsv === undefined ? {} : { labelsCsv: request.dataset.labelsCsv }),
      ...(request.dataset.anomalyClasses === undefined ? {} : { anomalyClasses: request.dataset.anomalyClasses }),
      ...(request.dataset.limit === undefined ? {} : { limit: request.dataset.limit }),
    };
    job.progress('loading', 0, 0);
    const prepared = await prepareDataset(spec, {
      size: request.imageSize,
      protocol: { seed: request.seed, testFraction: request.testFraction, balancedTest: false },
      onLoadProgress: (done, total) => job.progress('loading', done, total),
      signal: job.signal,
    });
    job.throwIfCancelled();
    job.progress('scoring', 0, prepared.files.length);
    const started = Date.now();
    const { scores, backend } = await scorePixels(prepared, request);
    job.throwIfCancelled();
    job.progress('scoring', prepared.files.length, prepared.files.length);

    const runId = newBaselineRunId(request.method);
    const runDir = path.join(this.root, runId);
    mkdirSync(runDir, { recursive: true });
    const testSet = new Set(prepared.test);
    const items: RunItem[] = prepared.files.map((file, index) => ({
      index,
      file,
      label: prepared.labels[index] ?? null,
      anomaly: prepared.anomaly[index] ?? null,
      split: testSet.has(index) ? 'test' : 'train',
    }));
    const ranks = rankScores(scores);
    const metrics = testMetrics(prepared, scores);
    const finishedAt = new Date().toISOString();
    const manifest: RunManifest = {
      formatVersion: 1,
      id: runId,
      createdAt: startedAt,
      updatedAt: finishedAt,
      status: 'done',
      appVersion: 'polaris',
      method: request.method,
      config: { method: request.method, imageSize: request.imageSize, channels: prepared.channels, seed: request.seed, knnK: request.knnK, epochs: 0 },
      backend,
      dataset: datasetSummary(prepared, request.testFraction, false),
      normalization: prepared.normalization,
      datasetSpec: spec,
      timings: { startedAt, finishedAt, trainSeconds: (Date.now() - started) / 1000, epochsCompleted: 0 },
      error: null,
      metrics,
    };
    writeItems(runDir, items);
    writeScores(runDir, items.map((item) => ({ ...item, score: scores[item.index] as number, rank: ranks[item.index] as number })));
    if (metrics !== null) writeMetrics(runDir, metrics);
    writeManifest(runDir, manifest);
    const imported = importRunFolder(this.store, runDir);
    this.emit('runs:status', { runId: imported.runId, status: 'done', message: 'scored in pixel space' });
    return { runId: imported.runId };
  }
}
