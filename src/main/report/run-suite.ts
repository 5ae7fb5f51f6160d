/**
 * Runs a reproduction suite: loads its data once, then for every seed trains each model on that
 * seed's normal training set (runComparison, the paper's Table 1 for one split) and scores every
 * evaluation of the seed's test set. Seeds change the split / subset, weight initialisation,
 * shuffles and sampling. The result holds per-seed metrics, seed-averaged ROC curves and, where a
 * suite tracks items, their ranks — everything report.ts needs, and nothing that cannot go in JSON.
 */
import os from 'node:os';
import { describeBackend, initBackend } from '../../ml/backend';
import { type ComparisonDetector, type ComparisonModel, ComparisonStopped, runComparison } from '../../ml/compare';
import { type CompVaeConfig, resolveConfig } from '../../ml/config';
import { type AnomalyMetrics, computeAnomalyMetrics } from '../../ml/metrics';
import type { EpochLog, StepInfo } from '../../ml/train';
import { appVersion } from '../services/train-job';
import { ranksByDecreasingScore, rocOnGrid } from './statistics';
import type { SeedData, SuiteDefinition, SuiteName, SuiteSettings } from './suite';

export interface MethodResult {
  label: string;
  model: ComparisonModel;
  detector: ComparisonDetector;
  metrics: AnomalyMetrics;
  /** Seconds training the model (shared by a model's rows; 0 for raw pixels). */
  trainSeconds: number;
  scoreSeconds: number;
  /** TPR at each FPR of ROC_GRID. */
  rocTpr: number[];
  /** Rank (1 = most anomalous, ties averaged) of each tracked item among the evaluation's members, by test id. */
  trackedRanks?: Record<string, number>;
}

export interface EvaluationResult {
  key: string;
  title: string;
  anomalies: number;
  normals: number;
  methods: MethodResult[];
}

export interface SeedResult {
  seed: number;
  counts: Record<string, number>;
  seconds: number;
  evaluations: EvaluationResult[];
}

export interface Environment {
  appVersion: string;
  backend: string;
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
}

export interface SuiteRun {
  suite: SuiteName;
  settings: SuiteSettings;
  /** The exact training config of the first seed; models differ only in `method`, seeds only in `seed`. */
  config: CompVaeConfig;
  dataRoot: string;
  dataNotes: string[];
  trackedDescriptions: Record<string, string>;
  environment: Environment;
  startedAt: string;
  wallSeconds: number;
  seeds: SeedResult[];
}

export interface SuiteProgress {
  onMessage?(text: string): void;
  onSeedBegin?(seed: number, index: number, total: number): void;
  onModelBegin?(model: ComparisonModel): void;
  onBatchEnd?(model: ComparisonModel, info: StepInfo): void;
  onEpochEnd?(model: ComparisonModel, log: EpochLog): void;
  shouldStop?(): boolean;
}

export interface RunSuiteOptions {
  suite: SuiteDefinition;
  settings: SuiteSettings;
  /** Absolute path of the folder that holds the datasets. */
  dataRoot: string;
  /** How the data root is shown in the report (e.g. "../shared/data", relative to the repository). */
  dataRootLabel: string;
  progress?: SuiteProgress;
}

/** The seeds a run uses, in order. */
export function seedList(settings: Pick<SuiteSettings, 'seeds' | 'firstSeed'>): number[] {
  return Array.from({ length: settings.seeds }, (_, i) => settings.firstSeed + i);
}

/** The base config of a seed: the suite's settings and extras on top of method.md's defaults. */
export function suiteConfig(suite: SuiteDefinition, settings: SuiteSettings, channels: number, seed: number): Partial<CompVaeConfig> {
  return {
    imageSize: settings.imageSize,
    channels,
    latentDim: settings.latentDim,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    seed,
    ...suite.configExtras(settings),
  };
}

/** Runs every seed; throws ComparisonStopped if progress.shouldStop() asks to stop. */
export async function runSuite(options: RunSuiteOptions): Promise<SuiteRun> {
  const { suite, settings, progress = {} } = options;
  suite.validate?.(settings);
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const backend = await initBackend();
  progress.onMessage?.(`backend: ${describeBackend(backend)}`);
  const loaded = await suite.load(options.dataRoot, settings, (message) => progress.onMessage?.(message));
  const seeds = seedList(settings);
  const config = resolveConfig({ ...suiteConfig(suite, settings, loaded.channels, settings.firstSeed), method: 'comp' });
  const results: SeedResult[] = [];
  for (const [index, seed] of seeds.entries()) {
    progress.onSeedBegin?.(seed, index, seeds.length);
    const seedStart = Date.now();
    const data = await loaded.seedData(seed);
    progress.onMessage?.(Object.entries(data.counts).map(([what, count]) => `${count} ${what}`).join(', '));
    const evaluations = await runSeed(data, suiteConfig(suite, settings, loaded.channels, seed), settings.models, progress);
    results.push({ seed, counts: data.counts, seconds: (Date.now() - seedStart) / 1000, evaluations });
  }
  const cpus = os.cpus();
  return {
    suite: suite.name,
    settings,
    config,
    dataRoot: options.dataRootLabel,
    dataNotes: loaded.dataNotes,
    trackedDescriptions: loaded.trackedDescriptions ?? {},
    environment: {
      appVersion: appVersion(),
      backend: describeBackend(backend),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    },
    startedAt,
    wallSeconds: (Date.now() - started) / 1000,
    seeds: results,
  };
}

/** Trains and scores once on a seed's data and splits the scores into its evaluations. */
export async function runSeed(
  data: SeedData,
  baseConfig: Partial<CompVaeConfig>,
  models: readonly ComparisonModel[],
  progress: SuiteProgress = {},
): Promise<EvaluationResult[]> {
  // runComparison scores the whole test set once; a row is positive if any evaluation calls it anomalous.
  const anyAnomaly = new Uint8Array(data.test.rows);
  for (const evaluation of data.evaluations) {
    evaluation.members.forEach((row, i) => {
      if (evaluation.labels[i] === 1) anyAnomaly[row] = 1;
    });
  }
  const scoresByRow = new Map<string, Float64Array>();
  const rows = await runComparison({
    train: data.train,
    trainClasses: data.trainClasses,
    test: data.test,
    testLabels: anyAnomaly,
    baseConfig,
    models,
    knnK: baseConfig.knnK,
    onModelBegin: progress.onModelBegin,
    onBatchEnd: progress.onBatchEnd,
    onEpochEnd: progress.onEpochEnd,
    onScores: (model, detector, scores) => scoresByRow.set(`${model}/${detector}`, scores),
    shouldStop: progress.shouldStop,
  });
  return data.evaluations.map((evaluation) => {
    const anomalies = evaluation.labels.reduce((sum, label) => sum + label, 0);
    return {
      key: evaluation.key,
      title: evaluation.title,
      anomalies,
      normals: evaluation.labels.length - anomalies,
      methods: rows.map((row): MethodResult => {
        const all = scoresByRow.get(`${row.model}/${row.detector}`);
        if (!all) throw new Error(`No scores were reported for ${row.label}`);
        const scores = Float64Array.from(evaluation.members, (member) => all[member] as number);
        const result: MethodResult = {
          label: row.label,
          model: row.model,
          detector: row.detector,
          metrics: computeAnomalyMetrics(scores, evaluation.labels),
          trainSeconds: row.trainSeconds,
          scoreSeconds: row.scoreSeconds,
          rocTpr: rocOnGrid(scores, evaluation.labels).map((tpr) => Math.round(tpr * 1e4) / 1e4),
        };
        if (evaluation.tracked) {
          const ranks = ranksByDecreasingScore(scores);
          const position = new Map(evaluation.members.map((member, i) => [member, i] as const));
          result.trackedRanks = Object.fromEntries(
            evaluation.tracked.map((row) => [data.testIds[row] as string, ranks[position.get(row) as number] as number] as const),
          );
        }
        return result;
      }),
    };
  });
}

export { ComparisonStopped };
