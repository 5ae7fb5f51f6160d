import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { averagePathLength, DetectorStateError, IsolationForestDetector } from '../src/ml/detectors';
import { createMatrix, type Matrix } from '../src/ml/matrix';
import { Rng } from '../src/ml/rng';

const here = dirname(fileURLToPath(import.meta.url));

function gaussianBlob(rng: Rng, rows: number, cols: number, scale = 1): Matrix {
  return createMatrix(rows, cols, Float32Array.from({ length: rows * cols }, () => scale * rng.normal()));
}

describe('c(n), the average path length normaliser', () => {
  it('matches the formula of Liu et al. 2008 and its small-n conventions', () => {
    expect(averagePathLength(0)).toBe(0);
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(3)).toBeCloseTo(2 * (Math.log(2) + 0.5772156649) - 4 / 3, 12);
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 4);
  });
});

describe('IsolationForestDetector (Liu et al. 2008)', () => {
  const rng = new Rng(11);
  const cols = 6;
  const normal = gaussianBlob(rng, 500, cols);
  // Test items: 20 fresh inliers, then 20 outliers 10σ away along random directions.
  const inliers = gaussianBlob(rng, 20, cols);
  const outliers = createMatrix(20, cols);
  for (let r = 0; r < 20; r++) {
    const direction = Array.from({ length: cols }, () => rng.normal());
    const length = Math.hypot(...direction);
    direction.forEach((value, c) => (outliers.data[r * cols + c] = (10 * value) / length));
  }

  it('scores outliers higher than inliers', async () => {
    const detector = new IsolationForestDetector({ seed: 1 });
    await detector.fit(normal);
    const inlierScores = await detector.score(inliers);
    const outlierScores = await detector.score(outliers);
    const maxInlier = Math.max(...inlierScores);
    const minOutlier = Math.min(...outlierScores);
    expect(minOutlier).toBeGreaterThan(maxInlier);
    for (const score of [...inlierScores, ...outlierScores]) {
      expect(score).toBeGreaterThan(0);
      expect(score).toBeLessThanOrEqual(1);
    }
    expect(minOutlier - maxInlier).toBeGreaterThan(0.05);
  });

  it('is deterministic for a seed and varies with it', async () => {
    const first = new IsolationForestDetector({ trees: 50, seed: 42 });
    const again = new IsolationForestDetector({ trees: 50, seed: 42 });
    const other = new IsolationForestDetector({ trees: 50, seed: 43 });
    await Promise.all([first.fit(normal), again.fit(normal), other.fit(normal)]);
    const scores = await first.score(inliers);
    expect(Array.from(await again.score(inliers))).toEqual(Array.from(scores));
    expect(Array.from(await other.score(inliers))).not.toEqual(Array.from(scores));
    // Refitting the same detector restarts its random stream.
    await first.fit(normal);
    expect(Array.from(await first.score(inliers))).toEqual(Array.from(scores));
  });

  it('keeps path lengths within the height limit plus c(node size)', async () => {
    const detector = new IsolationForestDetector({ trees: 20, sampleSize: 64, seed: 5 });
    await detector.fit(normal);
    const paths = await detector.pathLengths(outliers);
    // Height limit ceil(log2 64) = 6; an external node at the limit holds at most 64 − 6 rows.
    for (const path of paths) {
      expect(path).toBeGreaterThanOrEqual(1);
      expect(path).toBeLessThanOrEqual(6 + averagePathLength(58));
    }
  });

  it('handles a single training sample: path length 0, score 0.5', async () => {
    const detector = new IsolationForestDetector({ trees: 10, seed: 0 });
    await detector.fit(createMatrix(1, 3, Float32Array.from([1, 2, 3])));
    const items = createMatrix(2, 3, Float32Array.from([1, 2, 3, 100, -5, 7]));
    expect(Array.from(await detector.pathLengths(items))).toEqual([0, 0]);
    expect(Array.from(await detector.score(items))).toEqual([0.5, 0.5]);
  });

  it('isolates two samples in one split: path length 1 = c(2), score 0.5', async () => {
    const detector = new IsolationForestDetector({ trees: 5, seed: 0 });
    await detector.fit(createMatrix(2, 2, Float32Array.from([0, 0, 1, 1])));
    const items = createMatrix(1, 2, Float32Array.from([0.2, 0.9]));
    expect(Array.from(await detector.pathLengths(items))).toEqual([1]);
    expect(Array.from(await detector.score(items))).toEqual([0.5]);
  });

  it('stops splitting identical rows and skips constant features', async () => {
    // Feature 0 is constant; only feature 1 can split. Five identical rows form one external node.
    const data = createMatrix(7, 2, Float32Array.from([3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 1, 3, 2]));
    const detector = new IsolationForestDetector({ trees: 30, seed: 9 });
    await detector.fit(data);
    const [duplicatePath, isolatedPath] = await detector.pathLengths(createMatrix(2, 2, Float32Array.from([3, 0, 3, 2])));
    expect(duplicatePath).toBeGreaterThan(isolatedPath as number);
    expect(duplicatePath).toBeLessThanOrEqual(2 + averagePathLength(5));
  });

  it('uses no tensors and gives clear errors', async () => {
    const before = tf.memory().numTensors;
    const detector = new IsolationForestDetector({ trees: 5 });
    await expect(detector.score(inliers)).rejects.toThrow(DetectorStateError);
    await detector.fit(normal);
    await detector.score(inliers);
    expect(tf.memory().numTensors).toBe(before);
    await expect(detector.score(createMatrix(1, cols + 1))).rejects.toThrow(/items have 7 columns but the detector was fitted on 6/);
    await expect(detector.fit(createMatrix(0, cols))).rejects.toThrow(/at least 1 normal row/);
    expect(() => new IsolationForestDetector({ trees: 0 })).toThrow(/trees must be a positive integer/);
    expect(() => new IsolationForestDetector({ sampleSize: 2.5 })).toThrow(/sampleSize must be a positive integer/);
  });
});

describe('IsolationForestDetector vs scikit-learn (tests/fixtures/detectors/iforest.json)', () => {
  it('agrees with sklearn IsolationForest scores up to Monte Carlo noise', async () => {
    const reference = JSON.parse(readFileSync(join(here, 'fixtures/detectors/iforest.json'), 'utf8')) as {
      train: number[][];
      test: number[][];
      scores: number[];
    };
    const toMatrix = (rows: number[][]): Matrix =>
      createMatrix(rows.length, rows[0]?.length ?? 0, Float32Array.from(rows.flat()));
    // Different random streams: with 4000 trees on both sides the scores agree to ~0.01.
    const detector = new IsolationForestDetector({ trees: 4000, seed: 1 });
    await detector.fit(toMatrix(reference.train));
    const scores = await detector.score(toMatrix(reference.test));
    let largest = 0;
    scores.forEach((score, i) => (largest = Math.max(largest, Math.abs(score - (reference.scores[i] as number)))));
    expect(largest).toBeLessThan(0.02);
  });
});
