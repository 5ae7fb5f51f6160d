/**
 * The WebAssembly SIMD first pass of the exact k-NN search (../detectors/knn-search.ts), on the heap
 * of the 'wasm' backend:
 *
 * - quantize: each centred row to int16 with its own scale (max|x|/limit), so that the dot products
 *   of a block are exact int32 sums (i32x4.dot_i16x8_s: twice the multiply-adds per instruction of the
 *   float32 kernels, measured ~2× XNNPACK's float matMul on these shapes);
 * - dot: the block's scores −2·q·b from those (float32);
 * - smallest: per query, the k rows the block ranks lowest (the caller bounds the query's k-th upper
 *   bound with their own float64 bounds);
 * - filter: per query, the rows whose lower bound can still reach that bound; only those reach the
 *   JavaScript bookkeeping, in order.
 *
 * The quantization error is part of the rounding bound the search uses (knn-search.ts derives it), so
 * the kept set contains every row the bound cannot exclude, and the final float64 pass makes the
 * result exact, as on every other backend.
 */
import { type SimdKernels, simdKernels } from './simd';

const bits = new Float32Array(1);
const bitsInt = new Int32Array(bits.buffer);

/** The smallest float32 ≥ value (value finite or ±∞). */
export function float32Up(value: number): number {
  const rounded = Math.fround(value);
  if (rounded >= value || !Number.isFinite(rounded)) return rounded;
  bits[0] = rounded;
  if (rounded > 0) bitsInt[0] = (bitsInt[0] as number) + 1;
  else if (rounded < 0) bitsInt[0] = (bitsInt[0] as number) - 1;
  else return 2 ** -149; // rounded is ±0 and value > 0
  return bits[0] as number;
}

/** Largest integer magnitude such that dp products of two such values sum within int32 (≤ 16383). */
export function quantizationLimit(paddedDims: number): number {
  return Math.min(16383, Math.floor(Math.sqrt((2 ** 31 - 1) / paddedDims)));
}

/** Rows quantized on the heap: int16 [rows × paddedDims] and float32 scales [rows]. */
export interface QuantizedRows {
  readonly rows: number;
  readonly paddedDims: number;
  readonly data: number;
  readonly scales: number;
}

export class KnnKernels {
  constructor(private readonly simd: SimdKernels) {}

  allocate(bytes: number): number {
    return this.simd.allocate(bytes);
  }

  release(pointer: number): void {
    this.simd.release(pointer);
  }

  f32(pointer: number, length: number): Float32Array {
    return this.simd.f32(pointer, length);
  }

  /** Quantizes `rows` float32 rows of `dims` values stored at `source` (on the heap). */
  quantize(source: number, rows: number, dims: number): QuantizedRows {
    const paddedDims = Math.ceil(dims / 8) * 8;
    const data = this.simd.allocate(rows * paddedDims * 2);
    const scales = this.simd.allocate(rows * 4);
    this.simd.exports.quantize_rows(source, rows, dims, paddedDims, quantizationLimit(paddedDims), data, scales);
    return { rows, paddedDims, data, scales };
  }

  releaseRows(rows: QuantizedRows): void {
    this.simd.release(rows.data);
    this.simd.release(rows.scales);
  }

  /** out[i·width + j] = −2·q_i·b_j (from the quantized rows), float32, for bank rows [start, start + width). */
  dot(queries: QuantizedRows, bank: QuantizedRows, start: number, width: number, out: number): void {
    // Split the queries (in pairs, the kernel's tile) over the threads.
    const parts = Math.max(1, Math.min(this.simd.threads, Math.floor(queries.rows / 64)));
    const tasks: number[][] = [];
    const per = Math.ceil(queries.rows / parts / 2) * 2;
    for (let first = 0; first < queries.rows; first += per) {
      const count = Math.min(per, queries.rows - first);
      tasks.push([
        queries.data + first * queries.paddedDims * 2,
        bank.data + start * bank.paddedDims * 2,
        count,
        width,
        bank.paddedDims,
        queries.scales + 4 * first,
        bank.scales + 4 * start,
        out + 4 * first * width,
      ]);
    }
    this.simd.parallel('dot_i16', tasks);
  }

  /** Per query, the columns of the k smallest scores + norms + rowErrors (float32 ranking), [count × k]. */
  smallest(scores: number, norms: number, rowErrors: number, count: number, width: number, k: number): Int32Array {
    const base = this.simd.scratchBlock(4 * (count * k + k) + 64);
    this.simd.exports.knn_smallest(scores, norms, rowErrors, count, width, k, base, base + 4 * count * k);
    return new Int32Array(this.simd.buffer, base, count * k);
  }

  /**
   * Per query i, the columns j with scores + norms − rowErrors ≤ thresholds[i] (all float32, the bounds
   * rounded up by the caller). Views valid until the next call.
   */
  filter(scores: number, norms: number, rowErrors: number, thresholds: Float32Array, count: number, width: number): { counts: Int32Array; indices: Int32Array } {
    const base = this.simd.scratchBlock(4 * (2 * count + count * width) + 64);
    const thresholdsPtr = base;
    const countsPtr = base + 4 * count;
    const indicesPtr = countsPtr + 4 * count;
    this.simd.f32(thresholdsPtr, count).set(thresholds);
    this.simd.exports.knn_filter(scores, norms, rowErrors, thresholdsPtr, count, width, indicesPtr, countsPtr);
    const { buffer } = this.simd;
    return { counts: new Int32Array(buffer, countsPtr, count), indices: new Int32Array(buffer, indicesPtr, count * width) };
  }
}

/** The kernels for the active backend, or null (not wasm, or the SIMD module is not loaded). */
export function knnKernels(backend: unknown): KnnKernels | null {
  const simd = simdKernels(backend);
  return simd ? new KnnKernels(simd) : null;
}
