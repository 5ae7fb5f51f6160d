/**
 * k-NN anomaly score of Comp.VAE (method.md §7): the mean Euclidean distance from an item to its
 * k = 3 nearest rows of the fitted bank (the latent means of the normal training items),
 * unnormalised. Higher = farther from everything normal = more anomalous.
 *
 * Exact (see knn-search.ts): candidates come from blocked float32 matMuls on the active tf backend,
 * the final distances are recomputed in float64, so scores match a float64 brute force.
 */
import type { Matrix } from '../matrix';
import { checkFitInput, requireFitted, type Detector } from './detector';
import { NeighborIndex, type NeighborQueryOptions, type Neighbors, type NeighborSearchOptions } from './knn-search';

export interface KnnOptions extends NeighborSearchOptions {
  /** Neighbours averaged per item (default 3, as in the paper). */
  readonly k?: number;
}

export class KnnDetector implements Detector {
  readonly name: string = 'knn';
  readonly k: number;
  private readonly searchOptions: NeighborSearchOptions;
  private index: NeighborIndex | null = null;

  constructor(options: KnnOptions = {}) {
    this.k = options.k ?? 3;
    if (!Number.isInteger(this.k) || this.k < 1) throw new RangeError(`knn: k must be a positive integer, got ${this.k}`);
    this.searchOptions = options;
  }

  /** Keeps a copy of the normal rows as the bank (needs at least k rows). */
  async fit(normal: Matrix): Promise<void> {
    checkFitInput(this.name, normal, this.k);
    this.index = new NeighborIndex(normal, this.searchOptions);
  }

  /**
   * Mean distance to the k nearest bank rows, per item. With `excludeSelf`, `items` must be the
   * fitted bank itself and row i ignores bank row i (leave-one-out scores of the training data).
   */
  async score(items: Matrix, options: NeighborQueryOptions = {}): Promise<Float64Array> {
    const { k, distances } = await this.kneighbors(items, this.k, options);
    const scores = new Float64Array(items.rows);
    for (let r = 0; r < items.rows; r++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += distances[r * k + j] as number;
      scores[r] = sum / k;
    }
    return scores;
  }

  /**
   * The k nearest bank rows per item (indices into the fitted matrix, nearest first) and their
   * exact distances: what the UI shows as the normal items behind a score.
   */
  async kneighbors(items: Matrix, k: number = this.k, options: NeighborQueryOptions = {}): Promise<Neighbors> {
    return requireFitted(this.name, items, this.index).search(items, k, options);
  }
}
