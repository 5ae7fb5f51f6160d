/**
 * KNN* baseline (Sun et al. 2022, "Out-of-Distribution Detection with Deep Nearest Neighbors"):
 * L2-normalise the bank and the query features, score = Euclidean distance to the k-th nearest
 * normalised bank row (k = 50 for CIFAR-10, method.md §7). Higher = more anomalous.
 *
 * Sun et al.'s code ranks by the (negated) squared distance from faiss; the square root used here
 * is monotone, so every ranking metric is the same. A zero row cannot be normalised and stays the
 * zero vector (divisor max(||x||, 1e-12), as torch's F.normalize), at distance 1 from every unit row.
 */
import { createMatrix, type Matrix } from '../matrix';
import { checkFitInput, requireFitted, type Detector } from './detector';
import { NeighborIndex, type NeighborQueryOptions, type Neighbors, type NeighborSearchOptions } from './knn-search';

export interface KnnStarOptions extends NeighborSearchOptions {
  /** Which neighbour's distance is the score (default 50). */
  readonly k?: number;
}

const NORM_FLOOR = 1e-12;

/** Rows divided by their Euclidean norm (computed in float64), returned as a new float32 matrix. */
export function l2NormalizeRows(matrix: Matrix): Matrix {
  const { rows, cols, data } = matrix;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let squared = 0;
    for (let c = 0; c < cols; c++) squared += (data[r * cols + c] as number) ** 2;
    const norm = Math.max(Math.sqrt(squared), NORM_FLOOR);
    for (let c = 0; c < cols; c++) out[r * cols + c] = (data[r * cols + c] as number) / norm;
  }
  return createMatrix(rows, cols, out);
}

export class KnnStarDetector implements Detector {
  readonly name: string = 'knn-star';
  readonly k: number;
  private readonly searchOptions: NeighborSearchOptions;
  private index: NeighborIndex | null = null;

  constructor(options: KnnStarOptions = {}) {
    this.k = options.k ?? 50;
    if (!Number.isInteger(this.k) || this.k < 1) throw new RangeError(`knn-star: k must be a positive integer, got ${this.k}`);
    this.searchOptions = options;
  }

  /** Keeps the L2-normalised normal rows as the bank (needs at least k rows). */
  async fit(normal: Matrix): Promise<void> {
    checkFitInput(this.name, normal, this.k);
    this.index = new NeighborIndex(l2NormalizeRows(normal), this.searchOptions);
  }

  /** Distance from each normalised item to its k-th nearest normalised bank row. */
  async score(items: Matrix, options: NeighborQueryOptions = {}): Promise<Float64Array> {
    const { k, distances } = await this.kneighbors(items, this.k, options);
    const scores = new Float64Array(items.rows);
    for (let r = 0; r < items.rows; r++) scores[r] = distances[r * k + k - 1] as number;
    return scores;
  }

  /** Nearest bank rows in the normalised space (indices into the fitted matrix, nearest first). */
  async kneighbors(items: Matrix, k: number = this.k, options: NeighborQueryOptions = {}): Promise<Neighbors> {
    return requireFitted(this.name, items, this.index).search(l2NormalizeRows(items), k, options);
  }
}
