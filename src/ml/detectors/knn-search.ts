/**
 * Exact Euclidean k-nearest-neighbour search of query rows against a fitted bank, shared by the
 * k-NN (method.md §7) and KNN* detectors.
 *
 * Scale: a 100k-row bank × 100k queries at 128 dims must fit in memory, so the full distance matrix
 * is never built. Queries and bank are cut into blocks; for each (query block, bank block) pair the
 * active tf backend computes, in float32,
 *     s(q, b) = ||b||² − 2 q·b          (= ||q − b||² − ||q||², the same ranking as the distance)
 * with one matMul inside tf.tidy. Plain JS then keeps, per query, a short list of candidates in
 * typed arrays, and finally recomputes the candidates' squared distances in float64 from the
 * original float32 values. The returned neighbours and distances are therefore exact — identical
 * to a float64 brute force with ties broken by the lower bank index — not float32 approximations
 * (the expansion above cancels catastrophically when distances are small relative to the norms).
 *
 * Why no fixed "top-(k + margin)": a guessed margin can miss a true neighbour (near-ties,
 * duplicates). Instead every float32 value s̃ comes with a proven rounding bound E, so each bank row
 * has an interval [s̃ − E, s̃ + E] that contains its exact s. The k-th smallest upper end U seen so
 * far bounds the true k-th neighbour's s from above, and a row is kept while its lower end is ≤ U.
 * Every row whose exact distance could tie or beat the true k-th neighbour therefore survives until
 * the float64 pass, whatever the data. Three measures keep the intervals tiny:
 * - the data are centred on the bank mean first (distances do not change, the norms in the bound
 *   shrink: latent codes packed on a far-away island, as Comp.VAE produces, would otherwise lose
 *   most of their float32 digits to cancellation);
 * - E = α(||q − mean||² + ||b − mean||²) per (query, row) pair, so one far-out bank row widens
 *   only its own interval; α = 2(γ_d + 8u), with γ_d = d·u/(1 − d·u) the standard dot-product error
 *   bound, 8u covering the norm, centring and addition roundings, u = 2⁻²⁴, and a safety factor 2;
 * - when many rows overlap U (massive duplication), the list is periodically reduced to the exact
 *   k best in float64, so memory stays bounded and the result stays exact.
 *
 * The bound assumes the backend computes in IEEE float32 or better (cpu, wasm, tfjs-node); a
 * reduced-precision WebGL backend would violate it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Matrix } from '../matrix';

export interface NeighborSearchOptions {
  /** Query rows per matMul block (default 1024). */
  readonly queryBlockSize?: number;
  /** Bank rows per matMul block (default 4096). One block pair holds queryBlock × bankBlock float32 values. */
  readonly bankBlockSize?: number;
}

export interface NeighborQueryOptions {
  /**
   * Leave-one-out: query row i is bank row i and may not be its own neighbour (other rows with the
   * same values still count). Requires as many query rows as bank rows, i.e. the bank itself.
   */
  readonly excludeSelf?: boolean;
}

/** The k nearest bank rows of each query, row-major rows × k, nearest first. */
export interface Neighbors {
  readonly k: number;
  /** Bank row indices, rows × k. */
  readonly indices: Int32Array;
  /** Euclidean distances (float64, exact), rows × k, ascending per row. */
  readonly distances: Float64Array;
}

const DEFAULT_QUERY_BLOCK = 1024;
const DEFAULT_BANK_BLOCK = 4096;
const UNIT_ROUNDOFF = 2 ** -24; // float32
/** Centred squared norms above this could overflow float32 in ||b||² − 2q·b (max ≈ 3.4e38). */
const MAX_SQUARED_NORM = 1e36;

/** A bank prepared for repeated exact k-NN queries. Holds no tensors between calls. */
export class NeighborIndex {
  readonly rows: number;
  readonly cols: number;
  private readonly bank: Float32Array;
  /** Bank mean in float64: the centre both sides are shifted by before the float32 matMul. */
  private readonly mean: Float64Array;
  /** ||b − mean||² of the float32-rounded centred rows, as the matMul sees them. */
  private readonly centredSquaredNorms: Float64Array;
  /** α: the rounding bound of s̃ per unit of squared norm (see the file comment). */
  private readonly errorPerSquaredNorm: number;
  /** α·||b − mean||² per bank row: that row's share of the rounding bound. */
  private readonly rowErrorBounds: Float64Array;
  private readonly queryBlockSize: number;
  private readonly bankBlockSize: number;

  /** Copies `bank`, so later changes to the caller's matrix do not affect the index. */
  constructor(bank: Matrix, options: NeighborSearchOptions = {}) {
    this.rows = bank.rows;
    this.cols = bank.cols;
    this.bank = new Float32Array(bank.data);
    this.queryBlockSize = positiveInteger(options.queryBlockSize ?? DEFAULT_QUERY_BLOCK, 'queryBlockSize');
    this.bankBlockSize = positiveInteger(options.bankBlockSize ?? DEFAULT_BANK_BLOCK, 'bankBlockSize');

    const { rows, cols } = this;
    this.mean = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) this.mean[c] = (this.mean[c] as number) + (this.bank[r * cols + c] as number);
    }
    if (rows > 0) for (let c = 0; c < cols; c++) this.mean[c] = (this.mean[c] as number) / rows;

    this.centredSquaredNorms = new Float64Array(rows);
    const gammaD = (cols * UNIT_ROUNDOFF) / (1 - cols * UNIT_ROUNDOFF);
    this.errorPerSquaredNorm = 2 * (gammaD + 8 * UNIT_ROUNDOFF);
    this.rowErrorBounds = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let c = 0; c < cols; c++) {
        const centred = Math.fround((this.bank[r * cols + c] as number) - (this.mean[c] as number));
        sum += centred * centred;
      }
      checkMagnitude(sum, 'bank', r);
      this.centredSquaredNorms[r] = sum;
      this.rowErrorBounds[r] = this.errorPerSquaredNorm * sum;
    }
  }

  /** Exact k nearest bank rows of every query row. */
  async search(queries: Matrix, k: number, options: NeighborQueryOptions = {}): Promise<Neighbors> {
    const excludeSelf = options.excludeSelf ?? false;
    if (queries.cols !== this.cols) {
      throw new RangeError(`k-NN search: queries have ${queries.cols} columns, the bank has ${this.cols}`);
    }
    if (excludeSelf && queries.rows !== this.rows) {
      throw new RangeError(
        `k-NN search: excludeSelf scores the bank itself, so it needs ${this.rows} query rows, got ${queries.rows}`,
      );
    }
    const available = this.rows - (excludeSelf ? 1 : 0);
    if (!Number.isInteger(k) || k < 1 || k > available) {
      throw new RangeError(`k-NN search: k must be an integer in [1, ${available}] for this bank, got ${k}`);
    }

    const indices = new Int32Array(queries.rows * k);
    const distances = new Float64Array(queries.rows * k);
    const bankBlocks = this.uploadBankBlocks();
    try {
      for (let start = 0; start < queries.rows; start += this.queryBlockSize) {
        const end = Math.min(start + this.queryBlockSize, queries.rows);
        await this.searchQueryBlock(queries, start, end, k, excludeSelf, bankBlocks, indices, distances);
      }
    } finally {
      for (const block of bankBlocks) {
        block.points.dispose();
        block.squaredNorms.dispose();
      }
    }
    return { k, indices, distances };
  }

  /**
   * Centred bank blocks as tensors: points and squared norms [1, rows]. The points are laid out for
   * the backend's fast matMul path (measured: the wasm/XNNPACK kernel is ~15× faster on a
   * pre-transposed [d, rows] operand than with transposeB, the pure-JS cpu kernel ~2× slower).
   */
  private uploadBankBlocks(): BankBlock[] {
    const blocks: BankBlock[] = [];
    const { cols } = this;
    const transposed = tf.getBackend() !== 'cpu';
    try {
      for (let start = 0; start < this.rows; start += this.bankBlockSize) {
        const end = Math.min(start + this.bankBlockSize, this.rows);
        const width = end - start;
        const centred = new Float32Array(width * cols);
        for (let r = start; r < end; r++) {
          for (let c = 0; c < cols; c++) {
            const target = transposed ? c * width + (r - start) : (r - start) * cols + c;
            centred[target] = (this.bank[r * cols + c] as number) - (this.mean[c] as number);
          }
        }
        const points = tf.tensor2d(centred, transposed ? [cols, width] : [width, cols], 'float32');
        const squaredNorms = tf.tensor2d(Float32Array.from(this.centredSquaredNorms.subarray(start, end)), [1, width], 'float32');
        blocks.push({ start, end, points, squaredNorms, transposed });
      }
    } catch (error) {
      for (const block of blocks) {
        block.points.dispose();
        block.squaredNorms.dispose();
      }
      throw error;
    }
    return blocks;
  }

  private async searchQueryBlock(
    queries: Matrix,
    queryStart: number,
    queryEnd: number,
    k: number,
    excludeSelf: boolean,
    bankBlocks: readonly BankBlock[],
    outIndices: Int32Array,
    outDistances: Float64Array,
  ): Promise<void> {
    const { cols } = this;
    const count = queryEnd - queryStart;
    // −2·(q − mean) in float32: the factor −2 is exact, so the matMul yields −2 q·b directly.
    const scaledQueries = new Float32Array(count * cols);
    const queryErrorBounds = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      let squaredNorm = 0;
      for (let c = 0; c < cols; c++) {
        const centred = Math.fround((queries.data[(queryStart + i) * cols + c] as number) - (this.mean[c] as number));
        scaledQueries[i * cols + c] = -2 * centred;
        squaredNorm += centred * centred;
      }
      checkMagnitude(squaredNorm, 'query', queryStart + i);
      queryErrorBounds[i] = this.errorPerSquaredNorm * squaredNorm;
    }

    const candidates = new CandidateLists(count, k, queryStart, queries, this.bank, cols, this.rowErrorBounds);
    const queryTensor = tf.tensor2d(scaledQueries, [count, cols], 'float32');
    try {
      for (const block of bankBlocks) {
        const blockValues = tf.tidy(() =>
          tf.add(tf.matMul(queryTensor, block.points, false, !block.transposed), block.squaredNorms),
        );
        let values: Float32Array;
        try {
          values = (await blockValues.data()) as Float32Array;
        } finally {
          blockValues.dispose();
        }
        const width = block.end - block.start;
        for (let i = 0; i < count; i++) {
          const self = excludeSelf ? queryStart + i : -1;
          candidates.scan(i, values, i * width, width, block.start, self, queryErrorBounds[i] as number);
        }
      }
    } finally {
      queryTensor.dispose();
    }

    for (let i = 0; i < count; i++) {
      candidates.finish(i, outIndices, outDistances, (queryStart + i) * k);
    }
  }
}

interface BankBlock {
  readonly start: number;
  readonly end: number;
  /** [rows, d], or [d, rows] when `transposed`. */
  readonly points: tf.Tensor2D;
  readonly squaredNorms: tf.Tensor2D;
  readonly transposed: boolean;
}

/**
 * Per-query candidate bookkeeping for one query block, in flat typed arrays:
 * - `upperBest`: the k smallest upper bounds s̃ + E seen so far (sorted); the largest is U;
 * - `pending`: rows whose lower bound s̃ − E is ≤ U, with that lower bound, not yet checked;
 * - `exactBest`: up to k rows already confirmed in float64, sorted by (distance², index).
 */
class CandidateLists {
  private readonly capacity: number;
  private readonly upperBest: Float64Array;
  private readonly pendingIndex: Int32Array;
  private readonly pendingLower: Float64Array;
  private readonly pendingCount: Int32Array;
  private readonly exactIndex: Int32Array;
  private readonly exactSquared: Float64Array;
  private readonly exactCount: Int32Array;
  // Scratch space for merging exact candidates.
  private readonly mergeIndex: Int32Array;
  private readonly mergeSquared: Float64Array;
  private readonly mergeOrder: Int32Array;

  constructor(
    count: number,
    private readonly k: number,
    private readonly queryStart: number,
    private readonly queries: Matrix,
    private readonly bank: Float32Array,
    private readonly cols: number,
    private readonly rowErrorBounds: Float64Array,
  ) {
    this.capacity = Math.max(64, 4 * k);
    this.upperBest = new Float64Array(count * k).fill(Number.POSITIVE_INFINITY);
    this.pendingIndex = new Int32Array(count * this.capacity);
    this.pendingLower = new Float64Array(count * this.capacity);
    this.pendingCount = new Int32Array(count);
    this.exactIndex = new Int32Array(count * k);
    this.exactSquared = new Float64Array(count * k);
    this.exactCount = new Int32Array(count);
    this.mergeIndex = new Int32Array(k + this.capacity);
    this.mergeSquared = new Float64Array(k + this.capacity);
    this.mergeOrder = new Int32Array(k + this.capacity);
  }

  /**
   * Offers one row of float32 values s̃ (bank rows bankStart .. bankStart + width) to query i, whose
   * share of the rounding bound is `queryError`.
   */
  scan(i: number, values: Float32Array, offset: number, width: number, bankStart: number, self: number, queryError: number): void {
    const { k, upperBest, pendingIndex, pendingLower, capacity, rowErrorBounds } = this;
    const bestBase = i * k;
    const pendingBase = i * capacity;
    let upperLimit = upperBest[bestBase + k - 1] as number; // U
    for (let j = 0; j < width; j++) {
      const value = values[offset + j] as number;
      const bankIndex = bankStart + j;
      const error = queryError + (rowErrorBounds[bankIndex] as number);
      const lower = value - error;
      if (lower > upperLimit) continue; // the common case: certainly farther than k other rows
      if (bankIndex === self) continue;
      const upper = value + error;
      if (upper < upperLimit) {
        // Insert into the sorted k smallest upper bounds (k is small).
        let position = k - 1;
        while (position > 0 && (upperBest[bestBase + position - 1] as number) > upper) {
          upperBest[bestBase + position] = upperBest[bestBase + position - 1] as number;
          position--;
        }
        upperBest[bestBase + position] = upper;
        upperLimit = upperBest[bestBase + k - 1] as number;
      }
      if ((this.pendingCount[i] as number) === capacity) this.compact(i, upperLimit);
      const slot = pendingBase + (this.pendingCount[i] as number);
      pendingIndex[slot] = bankIndex;
      pendingLower[slot] = lower;
      this.pendingCount[i] = (this.pendingCount[i] as number) + 1;
    }
  }

  /** Final float64 pass for query i; writes k indices and distances at `outOffset`. */
  finish(i: number, outIndices: Int32Array, outDistances: Float64Array, outOffset: number): void {
    this.dropAbove(i, this.upperBest[i * this.k + this.k - 1] as number);
    this.flushExact(i);
    const base = i * this.k;
    for (let r = 0; r < this.k; r++) {
      outIndices[outOffset + r] = this.exactIndex[base + r] as number;
      outDistances[outOffset + r] = Math.sqrt(this.exactSquared[base + r] as number);
    }
  }

  /** Makes room in a full pending list: drop rows now certainly beaten, else settle them exactly. */
  private compact(i: number, upperLimit: number): void {
    this.dropAbove(i, upperLimit);
    if ((this.pendingCount[i] as number) > this.capacity / 2) this.flushExact(i);
  }

  /** Removes pending rows whose lower bound exceeds U: k other rows are certainly nearer. */
  private dropAbove(i: number, upperLimit: number): void {
    const base = i * this.capacity;
    const count = this.pendingCount[i] as number;
    let kept = 0;
    for (let p = 0; p < count; p++) {
      const lower = this.pendingLower[base + p] as number;
      if (!(lower > upperLimit)) {
        this.pendingIndex[base + kept] = this.pendingIndex[base + p] as number;
        this.pendingLower[base + kept] = lower;
        kept++;
      }
    }
    this.pendingCount[i] = kept;
  }

  /** Computes exact float64 squared distances of the pending rows and keeps the k best overall. */
  private flushExact(i: number): void {
    const { k, cols, bank, mergeIndex, mergeSquared, mergeOrder } = this;
    const queryOffset = (this.queryStart + i) * cols;
    const query = this.queries.data;
    const exactBase = i * k;
    let total = 0;
    for (let e = 0; e < (this.exactCount[i] as number); e++) {
      mergeIndex[total] = this.exactIndex[exactBase + e] as number;
      mergeSquared[total] = this.exactSquared[exactBase + e] as number;
      total++;
    }
    const pendingBase = i * this.capacity;
    for (let p = 0; p < (this.pendingCount[i] as number); p++) {
      const bankIndex = this.pendingIndex[pendingBase + p] as number;
      const bankOffset = bankIndex * cols;
      let squared = 0;
      for (let c = 0; c < cols; c++) {
        const difference = (query[queryOffset + c] as number) - (bank[bankOffset + c] as number);
        squared += difference * difference;
      }
      mergeIndex[total] = bankIndex;
      mergeSquared[total] = squared;
      total++;
    }
    this.pendingCount[i] = 0;

    const order = mergeOrder.subarray(0, total);
    for (let t = 0; t < total; t++) order[t] = t;
    // Ties in exact distance go to the lower bank index, as a stable brute-force argsort would.
    order.sort(
      (a, b) =>
        (mergeSquared[a] as number) - (mergeSquared[b] as number) || (mergeIndex[a] as number) - (mergeIndex[b] as number),
    );
    const keep = Math.min(k, total);
    for (let r = 0; r < keep; r++) {
      this.exactIndex[exactBase + r] = mergeIndex[order[r] as number] as number;
      this.exactSquared[exactBase + r] = mergeSquared[order[r] as number] as number;
    }
    this.exactCount[i] = keep;
  }
}

function checkMagnitude(centredSquaredNorm: number, what: string, rowIndex: number): void {
  if (!(centredSquaredNorm <= MAX_SQUARED_NORM)) {
    throw new RangeError(
      `k-NN search: ${what} row ${rowIndex} lies ${Math.sqrt(centredSquaredNorm).toExponential(2)} from the bank mean, ` +
        'too far for float32 distance arithmetic; rescale the features',
    );
  }
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`k-NN search: ${what} must be a positive integer, got ${value}`);
  return value;
}
