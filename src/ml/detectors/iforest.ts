/**
 * Isolation Forest (Liu, Ting & Zhou 2008, "Isolation Forest", ICDM), implemented as published:
 *
 * - each of `trees` isolation trees is grown on ψ = min(sampleSize, n) rows drawn WITHOUT
 *   replacement, up to the height limit l = ceil(log2 ψ);
 * - an internal node picks a feature q at random and a split p uniformly in [min, max) of q over
 *   the node's rows; rows with x_q < p go left, the others right;
 * - a node becomes external when it reaches the height limit, holds ≤ 1 row, or all its rows are
 *   identical;
 * - path length h(x) = edges from the root to x's external node + c(size of that node), which
 *   accounts for the subtree that the height limit cut off;
 * - anomaly score s(x) = 2^(−E[h(x)] / c(ψ)) ∈ (0, 1], where E is the mean over trees and
 *   c(n) = 2H(n − 1) − 2(n − 1)/n with H(i) ≈ ln(i) + 0.5772156649, c(2) = 1, c(1) = c(0) = 0.
 *   s near 1 = anomalous, well below 0.5 = normal. With ψ = 1 nothing can be isolated and every
 *   score is 0.5 (scikit-learn's convention for c(ψ) = 0).
 *
 * One detail the paper leaves open: a randomly drawn feature may be constant within a node. As in
 * scikit-learn, such a feature is skipped and another one drawn (uniformly among the features not
 * yet tried), so the split is uniform over the node's non-constant features.
 *
 * Trees live in flat typed arrays; the training matrix is never copied: each node reads only the
 * column it splits on, for its own rows, so fitting is fast even on 10k × 4096 pixels.
 */
import type { Matrix } from '../matrix';
import { Rng } from '../rng';
import { checkFitInput, requireFitted, type Detector } from './detector';

export interface IsolationForestOptions {
  /** Number of isolation trees (default 100, as in the paper). */
  readonly trees?: number;
  /** Sub-sample size ψ per tree (default 256, as in the paper). */
  readonly sampleSize?: number;
  /** Seed of the random sub-samples, features and split points (default 0). */
  readonly seed?: number;
}

export const EULER_MASCHERONI = 0.5772156649;

/**
 * c(n): the average path length of an unsuccessful search in a binary search tree of n points,
 * used to normalise path lengths: 2H(n − 1) − 2(n − 1)/n, H(i) ≈ ln(i) + γ; c(2) = 1, c(≤1) = 0.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_MASCHERONI) - (2 * (n - 1)) / n;
}

/** A fitted forest: trees × maxNodes node slots in flat arrays. */
interface Forest {
  readonly cols: number;
  readonly trees: number;
  readonly maxNodes: number;
  /** Sub-sample size ψ actually used (min(sampleSize, n)). */
  readonly sampleSize: number;
  /** Split feature per node, −1 for an external node. */
  readonly feature: Int32Array;
  readonly split: Float64Array;
  /** Child node indices within the same tree. */
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** For external nodes: depth + c(size), the path length of any item ending there. */
  readonly leafPathLength: Float64Array;
}

export class IsolationForestDetector implements Detector {
  readonly name: string = 'iforest';
  readonly trees: number;
  readonly sampleSize: number;
  readonly seed: number;
  private forest: Forest | null = null;

  constructor(options: IsolationForestOptions = {}) {
    this.trees = options.trees ?? 100;
    this.sampleSize = options.sampleSize ?? 256;
    this.seed = options.seed ?? 0;
    if (!Number.isInteger(this.trees) || this.trees < 1) {
      throw new RangeError(`iforest: trees must be a positive integer, got ${this.trees}`);
    }
    if (!Number.isInteger(this.sampleSize) || this.sampleSize < 1) {
      throw new RangeError(`iforest: sampleSize must be a positive integer, got ${this.sampleSize}`);
    }
  }

  /** Grows the forest; the same seed and data give the same forest. */
  async fit(normal: Matrix): Promise<void> {
    checkFitInput(this.name, normal);
    this.forest = growForest(normal, this.trees, Math.min(this.sampleSize, normal.rows), new Rng(this.seed));
  }

  /** s(x) = 2^(−E[h(x)] / c(ψ)) per item: near 1 = anomalous, below 0.5 = normal. */
  async score(items: Matrix): Promise<Float64Array> {
    const forest = requireFitted(this.name, items, this.forest);
    const meanPaths = meanPathLengths(forest, items);
    const normaliser = averagePathLength(forest.sampleSize);
    const scores = new Float64Array(items.rows);
    for (let r = 0; r < items.rows; r++) {
      scores[r] = normaliser === 0 ? 0.5 : 2 ** (-(meanPaths[r] as number) / normaliser);
    }
    return scores;
  }

  /** E[h(x)] per item: the path length averaged over trees (before normalisation). */
  async pathLengths(items: Matrix): Promise<Float64Array> {
    return meanPathLengths(requireFitted(this.name, items, this.forest), items);
  }
}

function growForest(data: Matrix, trees: number, sampleSize: number, rng: Rng): Forest {
  const { rows, cols } = data;
  const maxNodes = 2 * sampleSize - 1; // a binary tree whose leaves are non-empty
  const heightLimit = Math.ceil(Math.log2(sampleSize));
  const forest: Forest = {
    cols,
    trees,
    maxNodes,
    sampleSize,
    feature: new Int32Array(trees * maxNodes).fill(-1),
    split: new Float64Array(trees * maxNodes),
    left: new Int32Array(trees * maxNodes),
    right: new Int32Array(trees * maxNodes),
    leafPathLength: new Float64Array(trees * maxNodes),
  };
  // Reused permutations: partial Fisher–Yates shuffles draw without replacement from them.
  const rowPool = Int32Array.from({ length: rows }, (_, i) => i);
  const featurePool = Int32Array.from({ length: cols }, (_, i) => i);
  const sample = new Int32Array(sampleSize);
  // Explicit stack of nodes to expand: node slot, row range [start, end) of `sample`, depth.
  const stackNode = new Int32Array(maxNodes);
  const stackStart = new Int32Array(maxNodes);
  const stackEnd = new Int32Array(maxNodes);
  const stackDepth = new Int32Array(maxNodes);

  for (let tree = 0; tree < trees; tree++) {
    for (let t = 0; t < sampleSize; t++) {
      const pick = t + rng.int(rows - t);
      swap(rowPool, t, pick);
      sample[t] = rowPool[t] as number;
    }
    const base = tree * maxNodes;
    let nodesUsed = 1;
    let stackSize = 1;
    stackNode[0] = 0;
    stackStart[0] = 0;
    stackEnd[0] = sampleSize;
    stackDepth[0] = 0;
    while (stackSize > 0) {
      stackSize--;
      const node = stackNode[stackSize] as number;
      const start = stackStart[stackSize] as number;
      const end = stackEnd[stackSize] as number;
      const depth = stackDepth[stackSize] as number;
      const split = depth < heightLimit && end - start > 1 ? chooseSplit(data, sample, start, end, featurePool, rng) : null;
      if (split === null) {
        forest.leafPathLength[base + node] = depth + averagePathLength(end - start);
        continue;
      }
      // Partition sample[start, end) in place: x_q < p first.
      let boundary = start;
      for (let s = start; s < end; s++) {
        const rowIndex = sample[s] as number;
        if ((data.data[rowIndex * cols + split.feature] as number) < split.value) {
          swap(sample, s, boundary);
          boundary++;
        }
      }
      const leftNode = nodesUsed++;
      const rightNode = nodesUsed++;
      forest.feature[base + node] = split.feature;
      forest.split[base + node] = split.value;
      forest.left[base + node] = leftNode;
      forest.right[base + node] = rightNode;
      pushNode(leftNode, start, boundary);
      pushNode(rightNode, boundary, end);

      function pushNode(child: number, childStart: number, childEnd: number): void {
        stackNode[stackSize] = child;
        stackStart[stackSize] = childStart;
        stackEnd[stackSize] = childEnd;
        stackDepth[stackSize] = depth + 1;
        stackSize++;
      }
    }
  }
  return forest;
}

/**
 * A random feature that is not constant over sample[start, end) and a split uniform in
 * [min, max) of it; null when every feature is constant (all rows identical).
 */
function chooseSplit(
  data: Matrix,
  sample: Int32Array,
  start: number,
  end: number,
  featurePool: Int32Array,
  rng: Rng,
): { feature: number; value: number } | null {
  const { cols } = data;
  for (let tried = 0; tried < cols; tried++) {
    swap(featurePool, tried, tried + rng.int(cols - tried));
    const feature = featurePool[tried] as number;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let s = start; s < end; s++) {
      const value = data.data[(sample[s] as number) * cols + feature] as number;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    if (max > min) {
      let value = min + (max - min) * rng.next();
      // Rounding can land exactly on min, which would leave the left side empty.
      if (!(value > min)) value = max;
      return { feature, value };
    }
  }
  return null;
}

function meanPathLengths(forest: Forest, items: Matrix): Float64Array {
  const { cols, trees, maxNodes, feature, split, left, right, leafPathLength } = forest;
  const out = new Float64Array(items.rows);
  for (let r = 0; r < items.rows; r++) {
    const offset = r * cols;
    let total = 0;
    for (let tree = 0; tree < trees; tree++) {
      const base = tree * maxNodes;
      let node = 0;
      let splitFeature = feature[base] as number;
      while (splitFeature >= 0) {
        node = (items.data[offset + splitFeature] as number) < (split[base + node] as number)
          ? (left[base + node] as number)
          : (right[base + node] as number);
        splitFeature = feature[base + node] as number;
      }
      total += leafPathLength[base + node] as number;
    }
    out[r] = total / trees;
  }
  return out;
}

function swap(array: Int32Array, i: number, j: number): void {
  const held = array[i] as number;
  array[i] = array[j] as number;
  array[j] = held;
}
