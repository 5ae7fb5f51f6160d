/**
 * One split of the paper's Table 1: every model (Comp.VAE, its vMF variant, a standard VAE, a plain
 * AE, raw pixels) paired with the detectors the paper pairs it with, scored on the same test items.
 * Pure orchestration over src/ml: the caller supplies normalized images and binary labels.
 */
import { type CompVaeConfig, type ModelMethod, resolveConfig } from './config';
import { createDetector, type Detector, ReconstructionDetector } from './detectors';
import { type Matrix } from './matrix';
import { type AnomalyMetrics, computeAnomalyMetrics } from './metrics';
import { CompVaeTrainer, type StepInfo, type EpochLog } from './train';

export type ComparisonModel = ModelMethod | 'pixels';
export const COMPARISON_MODELS: readonly ComparisonModel[] = ['comp', 'vmf', 'vae', 'ae', 'pixels'];

export const MODEL_LABELS: Readonly<Record<ComparisonModel, string>> = {
  comp: 'Comp.VAE',
  vmf: 'Comp.VAE (vMF)',
  vae: 'VAE',
  ae: 'AE',
  pixels: 'Pixels',
};

export type ComparisonDetector = 'knn' | 'knn-star' | 'iforest' | 'mse';

/** Which detectors the paper pairs with each model (Table 1). */
export const PAPER_PAIRINGS: Readonly<Record<ComparisonModel, readonly ComparisonDetector[]>> = {
  comp: ['knn'],
  vmf: ['knn'],
  vae: ['knn', 'iforest', 'mse'],
  ae: ['knn', 'iforest', 'mse'],
  pixels: ['knn', 'iforest'],
};

export interface ComparisonRow {
  model: ComparisonModel;
  detector: ComparisonDetector;
  label: string;
  metrics: AnomalyMetrics;
  /** Seconds spent training the model (0 for pixels); shared by the rows of one model. */
  trainSeconds: number;
  scoreSeconds: number;
}

export interface ComparisonInput {
  /** Normal training images, normalized, N × (S·S·C). */
  train: Matrix;
  test: Matrix;
  /** 1 = anomaly, 0 = normal, one per test row. */
  testLabels: Uint8Array;
  /** Shared settings (size, channels, latent n, epochs, batch, seed, …); method is set per model. */
  baseConfig: Partial<CompVaeConfig>;
  models: readonly ComparisonModel[];
  /** Class index per training row, for class-conditioned (OOD) training (config.classConditioned, method.md §6). */
  trainClasses?: Int32Array;
  /** Overrides PAPER_PAIRINGS. */
  detectors?: Partial<Record<ComparisonModel, readonly ComparisonDetector[]>>;
  knnK?: number;
  knnStarK?: number;
  onModelBegin?(model: ComparisonModel): void;
  onBatchEnd?(model: ComparisonModel, info: StepInfo): void;
  onEpochEnd?(model: ComparisonModel, log: EpochLog): void;
  /** Every row's raw test scores (one per test row), for curves and per-subset metrics the rows do not hold. */
  onScores?(model: ComparisonModel, detector: ComparisonDetector, scores: Float64Array): void;
  shouldStop?(): boolean;
}

export class ComparisonStopped extends Error {
  override name = 'ComparisonStopped';
}

function detectorFor(name: Exclude<ComparisonDetector, 'mse'>, input: ComparisonInput, seed: number): Detector {
  if (name === 'knn') return createDetector('knn', { k: input.knnK ?? 3 });
  if (name === 'knn-star') return createDetector('knn-star', { k: input.knnStarK ?? 50 });
  return createDetector('iforest', { seed });
}

async function scoreWith(detector: Detector, bank: Matrix, queries: Matrix): Promise<Float64Array> {
  await detector.fit(bank);
  return detector.score(queries);
}

export async function runComparison(input: ComparisonInput): Promise<ComparisonRow[]> {
  const rows: ComparisonRow[] = [];
  for (const model of input.models) {
    input.onModelBegin?.(model);
    const pairings = input.detectors?.[model] ?? PAPER_PAIRINGS[model];
    const seed = input.baseConfig.seed ?? 100;
    if (model === 'pixels') {
      for (const detector of pairings) {
        if (detector === 'mse') continue; // no model, no reconstruction
        const start = Date.now();
        const scores = await scoreWith(detectorFor(detector, input, seed), input.train, input.test);
        input.onScores?.(model, detector, scores);
        rows.push(makeRow(model, detector, scores, input.testLabels, 0, (Date.now() - start) / 1000));
      }
      continue;
    }
    const config = resolveConfig({ ...input.baseConfig, method: model });
    const trainer = new CompVaeTrainer(config);
    try {
      const trainStart = Date.now();
      const outcome = await trainer.fit(
        { images: input.train, classes: input.trainClasses },
        {
          onBatchEnd: (info) => input.onBatchEnd?.(model, info),
          onEpochEnd: (log) => input.onEpochEnd?.(model, log),
          shouldStop: input.shouldStop,
        },
      );
      if (outcome.stopped) throw new ComparisonStopped(`Stopped while training ${MODEL_LABELS[model]}`);
      const trainSeconds = (Date.now() - trainStart) / 1000;
      const bank = trainer.encode(input.train).mu;
      const queries = trainer.encode(input.test).mu;
      for (const detector of pairings) {
        const start = Date.now();
        const scores =
          detector === 'mse'
            ? await scoreWith(new ReconstructionDetector(async (items) => trainer.reconstruct(items), 'mse'), input.train, input.test)
            : await scoreWith(detectorFor(detector, input, seed), bank, queries);
        input.onScores?.(model, detector, scores);
        rows.push(makeRow(model, detector, scores, input.testLabels, trainSeconds, (Date.now() - start) / 1000));
      }
    } finally {
      trainer.dispose();
    }
  }
  return rows;
}

function makeRow(
  model: ComparisonModel,
  detector: ComparisonDetector,
  scores: Float64Array,
  labels: Uint8Array,
  trainSeconds: number,
  scoreSeconds: number,
): ComparisonRow {
  const detectorLabel = { knn: 'k-NN', 'knn-star': 'KNN*', iforest: 'IF', mse: 'MSE' }[detector];
  return {
    model,
    detector,
    label: `${MODEL_LABELS[model]} + ${detectorLabel}`,
    metrics: computeAnomalyMetrics(scores, labels),
    trainSeconds,
    scoreSeconds,
  };
}

/** A plain-text table of the rows, like the paper's Table 1 (AUROC ↑, FPR95 ↓). */
export function formatComparisonTable(rows: readonly ComparisonRow[], title?: string): string {
  const header = ['method', 'AUROC', 'FPR95', 'FPR95 (Sun)', 'AP', 'P@n', 'train s'];
  const lines = rows.map((row) => [
    row.label,
    row.metrics.auroc.toFixed(4),
    row.metrics.fpr95.toFixed(4),
    row.metrics.fpr95_id.toFixed(4),
    row.metrics.ap.toFixed(4),
    row.metrics.precision_at_n.toFixed(4),
    row.trainSeconds.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [format(header), rule, ...lines.map(format)];
  if (title) out.unshift(title);
  out.push('', 'FPR95: fraction of normal items flagged when 95% of anomalies are caught (the paper\'s numbers);');
  out.push('FPR95 (Sun): fraction of anomalies accepted when 95% of normal items are accepted (Sun et al.).');
  return out.join('\n');
}
