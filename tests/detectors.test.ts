import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createDetector,
  DETECTOR_NAMES,
  DetectorStateError,
  isDetectorName,
  KnnDetector,
  KnnStarDetector,
  l2NormalizeRows,
  ReconstructionDetector,
} from '../src/ml/detectors';
import { createMatrix, type Matrix } from '../src/ml/matrix';
import { Rng } from '../src/ml/rng';

const here = dirname(fileURLToPath(import.meta.url));
const DISTANCE_TOLERANCE = 1e-5;

interface KnnFixture {
  bank: number[][];
  queries: number[][];
  knn: { k: number; indices: number[][]; distances: number[][]; scores: number[] }[];
  knn_star: { k: number; scores: number[] }[];
  knn_leave_one_out: { k: number; indices: number[][]; scores: number[] }[];
}
const fixture = JSON.parse(readFileSync(join(here, 'fixtures/detectors/knn.json'), 'utf8')) as KnnFixture;

function fromRows(rows: number[][]): Matrix {
  const cols = rows[0]?.length ?? 0;
  return createMatrix(rows.length, cols, Float32Array.from(rows.flat()));
}

function randomMatrix(rng: Rng, rows: number, cols: number, scale = 1, offset = 0): Matrix {
  return createMatrix(rows, cols, Float32Array.from({ length: rows * cols }, () => offset + scale * rng.normal()));
}

/** Reference: float64 brute force, ties to the lower bank index. */
function bruteForce(bank: Matrix, queries: Matrix, k: number, excludeSelf = false): { indices: number[]; distances: number[] } {
  const indices: number[] = [];
  const distances: number[] = [];
  for (let q = 0; q < queries.rows; q++) {
    const all: { index: number; squared: number }[] = [];
    for (let b = 0; b < bank.rows; b++) {
      if (excludeSelf && b === q) continue;
      let squared = 0;
      for (let c = 0; c < bank.cols; c++) {
        const difference = (queries.data[q * bank.cols + c] as number) - (bank.data[b * bank.cols + c] as number);
        squared += difference * difference;
      }
      all.push({ index: b, squared });
    }
    all.sort((x, y) => x.squared - y.squared || x.index - y.index);
    for (const { index, squared } of all.slice(0, k)) {
      indices.push(index);
      distances.push(Math.sqrt(squared));
    }
  }
  return { indices, distances };
}

function expectAllClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
  expect(worst, `${what}: largest deviation`).toBeLessThanOrEqual(tolerance);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('KnnDetector (method.md §7)', () => {
  const bank = fromRows(fixture.bank);
  const queries = fromRows(fixture.queries);

  for (const { k, indices, distances, scores } of fixture.knn) {
    it(`matches the numpy brute force for k = ${k} (blocks smaller than the data)`, async () => {
      const detector = new KnnDetector({ k, queryBlockSize: 16, bankBlockSize: 32 });
      await detector.fit(bank);
      expectAllClose(await detector.score(queries), scores, DISTANCE_TOLERANCE, 'scores');
      const neighbors = await detector.kneighbors(queries);
      expect(Array.from(neighbors.indices)).toEqual(indices.flat());
      expectAllClose(neighbors.distances, distances.flat(), DISTANCE_TOLERANCE, 'distances');
    });
  }

  it('scores duplicates of bank rows as distance 0 and picks the lowest tied indices', async () => {
    const detector = new KnnDetector({ k: 3 });
    await detector.fit(bank);
    const { indices, distances } = await detector.kneighbors(queries, 3);
    // Query 0 equals bank rows 7, 120 and 121.
    expect(Array.from(indices.subarray(0, 3))).toEqual([7, 120, 121]);
    expect(Array.from(distances.subarray(0, 3))).toEqual([0, 0, 0]);
  });

  for (const { k, indices, scores } of fixture.knn_leave_one_out) {
    it(`leave-one-out scores of the bank itself (excludeSelf, k = ${k})`, async () => {
      const detector = new KnnDetector({ k, queryBlockSize: 20, bankBlockSize: 25 });
      await detector.fit(bank);
      expectAllClose(await detector.score(bank, { excludeSelf: true }), scores, DISTANCE_TOLERANCE, 'scores');
      const neighbors = await detector.kneighbors(bank, k, { excludeSelf: true });
      expect(Array.from(neighbors.indices)).toEqual(indices.flat());
    });
  }

  it('is exact (bit-identical to a float64 brute force) on a far-away, tightly packed island', async () => {
    // Like Comp.VAE latents: radius ~11 along one axis, spread 1e-3. Here ||q||² − 2q·b + ||b||² in
    // float32 would lose every digit of the distances; candidates + float64 recomputation must not.
    const rng = new Rng(7);
    const cols = 32;
    const island = (rows: number): Matrix => {
      const matrix = randomMatrix(rng, rows, cols, 1e-3);
      for (let r = 0; r < rows; r++) matrix.data[r * cols] = (matrix.data[r * cols] as number) + 11.3;
      return matrix;
    };
    const islandBank = island(300);
    const islandQueries = island(60);
    islandBank.data.copyWithin(5 * cols, 9 * cols, 10 * cols); // a duplicate row: an exact tie
    islandBank.data.fill(-400, 17 * cols, 18 * cols); // one far-out bank row: a wide rounding bound of its own
    const detector = new KnnDetector({ k: 5, queryBlockSize: 13, bankBlockSize: 47 });
    await detector.fit(islandBank);
    const neighbors = await detector.kneighbors(islandQueries);
    const reference = bruteForce(islandBank, islandQueries, 5);
    expect(Array.from(neighbors.indices)).toEqual(reference.indices);
    expect(Array.from(neighbors.distances)).toEqual(reference.distances);
  });

  it('stays exact and bounded when hundreds of bank rows tie', async () => {
    const rng = new Rng(3);
    const cols = 8;
    const tiedBank = createMatrix(400, cols);
    const row = Float32Array.from({ length: cols }, () => rng.normal());
    for (let r = 0; r < 400; r++) tiedBank.data.set(row, r * cols);
    tiedBank.data.set(Float32Array.from({ length: cols }, () => 5 + rng.normal()), 399 * cols); // one different row, last
    const tiedQueries = randomMatrix(rng, 10, cols);
    const detector = new KnnDetector({ k: 4, bankBlockSize: 64 });
    await detector.fit(tiedBank);
    const neighbors = await detector.kneighbors(tiedQueries);
    const reference = bruteForce(tiedBank, tiedQueries, 4);
    expect(Array.from(neighbors.indices)).toEqual(reference.indices);
    expect(Array.from(neighbors.distances)).toEqual(reference.distances);
  });

  it('leaves no tensors behind after fit, score and kneighbors', async () => {
    const before = tf.memory().numTensors;
    const detector = new KnnDetector({ k: 3, queryBlockSize: 16, bankBlockSize: 32 });
    await detector.fit(bank);
    await detector.score(queries);
    await detector.kneighbors(bank, 2, { excludeSelf: true });
    const star = new KnnStarDetector({ k: 5, bankBlockSize: 50 });
    await star.fit(bank);
    await star.score(queries);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives clear errors for misuse', async () => {
    const detector = new KnnDetector({ k: 3 });
    await expect(detector.score(queries)).rejects.toThrow(DetectorStateError);
    await expect(detector.score(queries)).rejects.toThrow(/call fit\(normal\) before scoring/);
    await expect(detector.fit(createMatrix(2, 12))).rejects.toThrow(/at least 3 normal row/);
    await detector.fit(bank);
    await expect(detector.score(createMatrix(2, 5))).rejects.toThrow(/items have 5 columns but the detector was fitted on 12/);
    const withNaN = createMatrix(1, 12, new Float32Array(12).fill(Number.NaN));
    await expect(detector.score(withNaN)).rejects.toThrow(/non-finite value NaN at row 0, column 0/);
    await expect(detector.kneighbors(queries, 151)).rejects.toThrow(/k must be an integer in \[1, 150\]/);
    await expect(detector.score(queries, { excludeSelf: true })).rejects.toThrow(/excludeSelf scores the bank itself/);
    const huge = createMatrix(1, 12, new Float32Array(12).fill(1e30));
    await expect(detector.score(huge)).rejects.toThrow(/too far for float32 distance arithmetic/);
    expect(() => new KnnDetector({ k: 0 })).toThrow(/positive integer/);
  });
});

describe('KnnStarDetector (Sun et al. 2022)', () => {
  const bank = fromRows(fixture.bank);
  const queries = fromRows(fixture.queries);

  for (const { k, scores } of fixture.knn_star) {
    it(`matches the numpy reference for k = ${k}`, async () => {
      const detector = new KnnStarDetector({ k, queryBlockSize: 9, bankBlockSize: 40 });
      await detector.fit(bank);
      expectAllClose(await detector.score(queries), scores, DISTANCE_TOLERANCE, 'scores');
    });
  }

  it('normalises rows: unit norms, zero rows stay zero, scores ignore the scale of an item', async () => {
    const normalized = l2NormalizeRows(queries);
    for (let r = 0; r < queries.rows; r++) {
      let squared = 0;
      for (let c = 0; c < queries.cols; c++) squared += (normalized.data[r * queries.cols + c] as number) ** 2;
      expect(Math.sqrt(squared)).toBeCloseTo(r === 2 ? 0 : 1, 6); // query 2 is the zero vector
    }
    const detector = new KnnStarDetector({ k: 5 });
    await detector.fit(bank);
    const scaled = createMatrix(queries.rows, queries.cols, queries.data.map((v) => v * 37.5));
    expectAllClose(await detector.score(scaled), Array.from(await detector.score(queries)), 1e-6, 'scaled queries');
    // The zero vector is at distance 1 from every unit vector.
    expect((await detector.score(queries))[2]).toBeCloseTo(1, 6);
  });
});

describe('exact k-NN on the wasm backend', () => {
  it('gives the same neighbours as on cpu (transposed bank layout)', async () => {
    let wasmReady = false;
    try {
      wasmReady = await tf.setBackend('wasm');
    } catch {
      wasmReady = false;
    }
    if (!wasmReady) {
      console.log('skipping: the wasm backend could not be initialised here');
      await tf.setBackend('cpu');
      return;
    }
    try {
      const bank = fromRows(fixture.bank);
      const queries = fromRows(fixture.queries);
      const before = tf.memory().numTensors;
      const detector = new KnnDetector({ k: 7, queryBlockSize: 11, bankBlockSize: 33 });
      await detector.fit(bank);
      const neighbors = await detector.kneighbors(queries);
      const reference = bruteForce(bank, queries, 7);
      expect(Array.from(neighbors.indices)).toEqual(reference.indices);
      expect(Array.from(neighbors.distances)).toEqual(reference.distances);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});

describe('ReconstructionDetector', () => {
  it('scores the per-item sum of squared errors of the reconstruction', async () => {
    const halve = async (items: Matrix): Promise<Matrix> => createMatrix(items.rows, items.cols, items.data.map((v) => v / 2));
    const detector = new ReconstructionDetector(halve);
    const items = createMatrix(2, 3, Float32Array.from([2, 4, 0, 1, 1, 1]));
    await expect(detector.score(items)).rejects.toThrow(/before scoring/);
    await detector.fit(items);
    // (1² + 2² + 0², 3 × 0.5²)
    expect(Array.from(await detector.score(items))).toEqual([5, 0.75]);
    await expect(detector.score(createMatrix(1, 2))).rejects.toThrow(/2 columns but the detector was fitted on 3/);
  });

  it('rejects a reconstruction of the wrong shape', async () => {
    const wrong = new ReconstructionDetector(async (items) => createMatrix(items.rows + 1, items.cols));
    const items = createMatrix(2, 3);
    await wrong.fit(items);
    await expect(wrong.score(items)).rejects.toThrow(/reconstruction is 3×3, the items are 2×3/);
  });
});

describe('createDetector', () => {
  it('builds every named detector with its options', () => {
    expect(DETECTOR_NAMES).toEqual(['knn', 'knn-star', 'iforest']);
    for (const name of DETECTOR_NAMES) expect(createDetector(name).name).toBe(name);
    expect((createDetector('knn', { k: 7 }) as KnnDetector).k).toBe(7);
    expect((createDetector('knn-star') as KnnStarDetector).k).toBe(50);
    expect(isDetectorName('iforest')).toBe(true);
    expect(isDetectorName('lof')).toBe(false);
    expect(() => createDetector('lof' as 'knn')).toThrow(/unknown detector "lof"/);
  });
});
