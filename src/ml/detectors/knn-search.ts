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
 *
 * On the wasm backend with Polaris's SIMD module (kernels/knn-filter.ts), the first pass uses int16
 * dot products instead of the float32 matMul (about twice the throughput, split over the SIMD worker
 * threads when there are any), with the quantization error folded into α (see searchQuantized), and a
 * SIMD filter hands CandidateLists only the rows that can still qualify. The float64 pass is the same,
 * so the result is identical to every other backend's (tests/ml-kernels-knn.test.ts checks this).
 */
import * as tf from '@tensorflow/tfjs-core';
import { float32Up, type KnnKernels, knnKernels, quantizationLimit } from '../kernels/knn-filter';
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
    const kernels = knnKernels(tf.backend());
    if (kernels && queries.rows > 0 && this.quantizable(queries)) {
      await this.searchQuantized(kernels, queries, k, excludeSelf, indices, distances);
      return { k, indices, distances };
    }
    const bankBlocks = this.uploadBankBlocks();
    try {
      for (let start = 0; start < queries.rows; start += this.queryBlockSize) {
        const end = Math.min(start + this.queryBlockSize, queries.rows);
        await this.searchQueryBlock(queries, start, end, k, excludeSelf, bankBlocks, indices, distances);
      }
    } finally {
      for (const block of bankBlocks) disposeBlock(block);
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
      for (const block of blocks) disposeBlock(block);
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

  /**
   * The int16 bound below assumes each centred row is either zero or not vanishingly small (so its
   * scale max|x|/L is a normal float32); data with rows within 1e-20 of the bank mean, but not on it,
   * take the float32 path instead.
   */
  private quantizable(queries: Matrix): boolean {
    const tiny = (squaredNorm: number) => squaredNorm > 0 && squaredNorm < 1e-40;
    for (let r = 0; r < this.rows; r++) if (tiny(this.centredSquaredNorms[r] as number)) return false;
    const { cols } = this;
    for (let i = 0; i < queries.rows; i++) {
      let sum = 0;
      for (let c = 0; c < cols; c++) {
        const centred = Math.fround((queries.data[i * cols + c] as number) - (this.mean[c] as number));
        sum += centred * centred;
      }
      if (tiny(sum)) return false;
    }
    return true;
  }

  /**
   * The search on the wasm backend with the SIMD module (kernels/knn-filter.ts): int16 dot products
   * instead of the float32 matMul, then a SIMD filter, so that CandidateLists sees only rows that can
   * still beat a query's current k-th upper bound, in the same order as scan() would.
   *
   * Rounding bound of the int16 scores. Rows are centred as above and quantized with their own scale
   * s = max|x|/L (L = quantizationLimit ≤ 16383): x = s·(x̂ + e) with |e| ≤ ε = 0.51 (round to nearest,
   * plus ≤ 2u·L ≤ 0.004 from the float32 reciprocal and product). Then
   *   |q·b − s_q s_b Σ x̂ŷ| ≤ ε(s_b‖q‖₁ + s_q‖b‖₁) + 3ε² d s_q s_b ≤ ‖q‖‖b‖ (2ε√d/L + 3ε² d/L²)(1 + u)
   * (s ≤ ‖x‖₂(1 + u)/L, ‖x‖₁ ≤ √d‖x‖₂), and 2‖q‖‖b‖ ≤ ‖q‖² + ‖b‖², so the error of −2 q·b is at most
   * c(‖q‖² + ‖b‖²), c = 1.03√d/L + 0.8 d/L² (d the padded length). The int32 → float32 conversion and
   * the two scale products add ≤ 4u, the norm addition ≤ 3u; with the float terms of the matMul bound
   * kept as well, α = 2(c + γ_d + 16u), the factor 2 for safety as above.
   */
  private async searchQuantized(
    kernels: KnnKernels,
    queries: Matrix,
    k: number,
    excludeSelf: boolean,
    outIndices: Int32Array,
    outDistances: Float64Array,
  ): Promise<void> {
    const { rows, cols } = this;
    const paddedDims = Math.ceil(cols / 8) * 8;
    const limit = quantizationLimit(paddedDims);
    const gammaD = (cols * UNIT_ROUNDOFF) / (1 - cols * UNIT_ROUNDOFF);
    const quantizationError = (1.03 * Math.sqrt(paddedDims)) / limit + (0.8 * paddedDims) / (limit * limit);
    const alpha = 2 * (quantizationError + gammaD + 16 * UNIT_ROUNDOFF);
    const rowErrorBounds = new Float64Array(rows);
    for (let r = 0; r < rows; r++) rowErrorBounds[r] = alpha * (this.centredSquaredNorms[r] as number);

    const blockWidth = Math.min(this.bankBlockSize, rows);
    const queryBlock = Math.min(this.queryBlockSize, Math.max(queries.rows, 1));
    const pointers: number[] = [];
    const own = (bytes: number) => {
      const pointer = kernels.allocate(bytes);
      pointers.push(pointer);
      return pointer;
    };
    let bank: ReturnType<KnnKernels['quantize']> | null = null;
    try {
      const bankFloat = own(rows * cols * 4);
      const normsPtr = own(rows * 4);
      const rowErrorsPtr = own(rows * 4);
      const scoresPtr = own(queryBlock * blockWidth * 4);
      const queryFloat = own(queryBlock * cols * 4);
      {
        const centred = kernels.f32(bankFloat, rows * cols);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) centred[r * cols + c] = (this.bank[r * cols + c] as number) - (this.mean[c] as number);
        }
        kernels.f32(normsPtr, rows).set(this.centredSquaredNorms);
        const errors = kernels.f32(rowErrorsPtr, rows);
        for (let r = 0; r < rows; r++) errors[r] = float32Up(rowErrorBounds[r] as number);
      }
      bank = kernels.quantize(bankFloat, rows, cols);
      const thresholds = new Float32Array(queryBlock);
      const queryErrorBounds = new Float64Array(queryBlock);

      for (let queryStart = 0; queryStart < queries.rows; queryStart += queryBlock) {
        const count = Math.min(queryBlock, queries.rows - queryStart);
        {
          const centred = kernels.f32(queryFloat, count * cols);
          for (let i = 0; i < count; i++) {
            let squaredNorm = 0;
            for (let c = 0; c < cols; c++) {
              const value = Math.fround((queries.data[(queryStart + i) * cols + c] as number) - (this.mean[c] as number));
              centred[i * cols + c] = value;
              squaredNorm += value * value;
            }
            checkMagnitude(squaredNorm, 'query', queryStart + i);
            queryErrorBounds[i] = alpha * squaredNorm;
          }
        }
        const quantized = kernels.quantize(queryFloat, count, cols);
        const candidates = new CandidateLists(count, k, queryStart, queries, this.bank, cols, rowErrorBounds);
        try {
          for (let bankStart = 0; bankStart < rows; bankStart += blockWidth) {
            const width = Math.min(blockWidth, rows - bankStart);
            kernels.dot(quantized, bank, bankStart, width, scoresPtr);
            const normsBlock = normsPtr + 4 * bankStart;
            const errorsBlock = rowErrorsPtr + 4 * bankStart;
            // Per query, a bound on its k-th upper bound within this block: the largest float64 upper
            // bound of the k rows the kernel ranks lowest (any k rows bound the k-th smallest).
            const smallest = kernels.smallest(scoresPtr, normsBlock, errorsBlock, count, width, k);
            let scores = kernels.f32(scoresPtr, count * width);
            let norms = kernels.f32(normsBlock, width);
            for (let i = 0; i < count; i++) {
              const queryError = queryErrorBounds[i] as number;
              const self = excludeSelf ? queryStart + i - bankStart : -1;
              let estimate = Number.NEGATIVE_INFINITY;
              for (let l = 0; l < k; l++) {
                const j = smallest[i * k + l] as number;
                if (j < 0 || j === self) {
                  estimate = Number.POSITIVE_INFINITY;
                  break;
                }
                const value = Math.fround((scores[i * width + j] as number) + (norms[j] as number));
                estimate = Math.max(estimate, value + queryError + (rowErrorBounds[bankStart + j] as number));
              }
              thresholds[i] = float32Up(Math.min(candidates.upperLimit(i), estimate) + queryError);
            }
            const kept = kernels.filter(scoresPtr, normsBlock, errorsBlock, thresholds.subarray(0, count), count, width);
            scores = kernels.f32(scoresPtr, count * width); // the filter may have grown the heap
            norms = kernels.f32(normsBlock, width);
            for (let i = 0; i < count; i++) {
              const self = excludeSelf ? queryStart + i : -1;
              candidates.scanKept(i, scores, i * width, norms, kept.indices, i * width, kept.counts[i] as number, bankStart, self, queryErrorBounds[i] as number);
            }
          }
        } finally {
          kernels.releaseRows(quantized);
        }
        for (let i = 0; i < count; i++) candidates.finish(i, outIndices, outDistances, (queryStart + i) * k);
        await Promise.resolve();
      }
    } finally {
      if (bank) kernels.releaseRows(bank);
      for (const pointer of pointers) kernels.release(pointer);
    }
  }
}

function disposeBlock(block: BankBlock): void {
  block.points.dispose();
  block.squaredNorms.dispose();
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
    readonly k: number,
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
    const { k, upperBest, rowErrorBounds } = this;
    let upperLimit = upperBest[i * k + k - 1] as number; // U
    for (let j = 0; j < width; j++) {
      const value = values[offset + j] as number;
      const bankIndex = bankStart + j;
      const error = queryError + (rowErrorBounds[bankIndex] as number);
      const lower = value - error;
      if (lower > upperLimit) continue; // the common case: certainly farther than k other rows
      if (bankIndex === self) continue;
      upperLimit = this.admit(i, bankIndex, lower, value + error, upperLimit);
    }
  }

  /**
   * Keeps a row that may be among query i's k nearest: updates the k smallest upper bounds and adds
   * the row to the pending list. Returns the new U.
   */
  private admit(i: number, bankIndex: number, lower: number, upper: number, upperLimit: number): number {
    const { k, upperBest, pendingIndex, pendingLower, capacity } = this;
    const bestBase = i * k;
    let limit = upperLimit;
    if (upper < limit) {
      // Insert into the sorted k smallest upper bounds (k is small).
      let position = k - 1;
      while (position > 0 && (upperBest[bestBase + position - 1] as number) > upper) {
        upperBest[bestBase + position] = upperBest[bestBase + position - 1] as number;
        position--;
      }
      upperBest[bestBase + position] = upper;
      limit = upperBest[bestBase + k - 1] as number;
    }
    if ((this.pendingCount[i] as number) === capacity) this.compact(i, limit);
    const slot = i * capacity + (this.pendingCount[i] as number);
    pendingIndex[slot] = bankIndex;
    pendingLower[slot] = lower;
    this.pendingCount[i] = (this.pendingCount[i] as number) + 1;
    return limit;
  }

  /** U: query i's current k-th smallest upper bound. */
  upperLimit(i: number): number {
    return this.upperBest[i * this.k + this.k - 1] as number;
  }

  /**
   * scan() restricted to the kept columns of a filtered block: value = fl(score + norm), exactly the
   * float32 sum the backend's add produces in scan()'s input; every column scan() would act on is kept.
   */
  scanKept(
    i: number,
    scores: Float32Array,
    offset: number,
    norms: Float32Array,
    kept: Int32Array,
    keptOffset: number,
    keptCount: number,
    bankStart: number,
    self: number,
    queryError: number,
  ): void {
    const { k, upperBest, rowErrorBounds } = this;
    let upperLimit = upperBest[i * k + k - 1] as number;
    for (let c = 0; c < keptCount; c++) {
      const j = kept[keptOffset + c] as number;
      const value = Math.fround((scores[offset + j] as number) + (norms[j] as number));
      const bankIndex = bankStart + j;
      const error = queryError + (rowErrorBounds[bankIndex] as number);
      const lower = value - error;
      if (lower > upperLimit) continue;
      if (bankIndex === self) continue;
      upperLimit = this.admit(i, bankIndex, lower, value + error, upperLimit);
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
