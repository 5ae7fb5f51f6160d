/**
 * Loads the WebAssembly SIMD kernels of simd/kernels.c onto the memory of the active 'wasm' backend.
 *
 * The module imports the backend's own WebAssembly.Memory, so its functions take tensors'
 * memoryOffsets directly: no copies in or out, and the tfjs kernels before and after see the same
 * bytes. It has no data, no globals and no stack (checked when it is built), so it never writes
 * outside the buffers it is given. Two builds: one for the ordinary memory of the SIMD build of
 * tfjs-backend-wasm, one for the shared memory of its threaded build (the kernels themselves run on
 * the calling thread). Where neither fits (no SIMD, an unknown module layout), simdKernels() returns
 * null and the kernels fall back to their TypeScript loops (heap.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { PLAIN_WASM, SHARED_WASM } from './simd/kernels-wasm';

type Pointer = number;

export interface SimdExports {
  bn_stats(x: Pointer, pixels: number, channels: number, meanOut: Pointer, varOut: Pointer, part: Pointer, sums: Pointer): void;
  bn_apply(x: Pointer, residual: Pointer, y: Pointer, pixels: number, channels: number, mean: Pointer, scale: Pointer, shift: Pointer, leak: number): void;
  bn_grad_sums(dy: Pointer, x: Pointer, y: Pointer, pixels: number, channels: number, mean: Pointer, leak: number, part: Pointer, sums: Pointer): void;
  bn_grad_apply(
    dy: Pointer,
    x: Pointer,
    y: Pointer,
    pixels: number,
    channels: number,
    mean: Pointer,
    factor: Pointer,
    meanG: Pointer,
    meanGX: Pointer,
    leak: number,
    dx: Pointer,
    dr: Pointer,
  ): void;
  upsample2x(src: Pointer, dst: Pointer, batch: number, height: number, width: number, channels: number, scale: number): void;
  block_sum2x(src: Pointer, dst: Pointer, batch: number, height: number, width: number, channels: number, scale: number): void;
  pad_to_cHWB(x: Pointer, out: Pointer, batch: number, height: number, width: number, channels: number, top: number, bottom: number, left: number, right: number): void;
  bhwc_to_hwbc(dy: Pointer, out: Pointer, batch: number, height: number, width: number, channels: number): void;
  conv2d_filter_grad(
    x: Pointer,
    dy: Pointer,
    dw: Pointer,
    batch: number,
    height: number,
    width: number,
    inChannels: number,
    outHeight: number,
    outWidth: number,
    outChannels: number,
    kernelHeight: number,
    kernelWidth: number,
    top: number,
    left: number,
    i0: number,
    i1: number,
    o0: number,
    o1: number,
  ): void;
  quantize_rows(x: Pointer, rows: number, d: number, dp: number, limit: number, out: Pointer, scales: Pointer): void;
  dot_i16(q: Pointer, b: Pointer, count: number, width: number, dp: number, qs: Pointer, bs: Pointer, out: Pointer): void;
  knn_smallest(scores: Pointer, norms: Pointer, rowErrors: Pointer, count: number, width: number, k: number, out: Pointer, work: Pointer): void;
  knn_filter(scores: Pointer, norms: Pointer, rowErrors: Pointer, thresholds: Pointer, count: number, width: number, out: Pointer, counts: Pointer): void;
  adam(
    p: Pointer,
    g: Pointer,
    m: Pointer,
    v: Pointer,
    pOut: Pointer,
    mOut: Pointer,
    vOut: Pointer,
    n: number,
    beta1: number,
    beta2: number,
    oneMinusBeta1: number,
    oneMinusBeta2: number,
    stepSize: number,
    c2: number,
    epsilon: number,
  ): void;
}

/**
 * Extra threads that run the same kernels on the same (shared) memory: the platform provides them
 * (src/main/parallel/simd-workers.ts in Node, which this layer may not import) for the threaded
 * build of tfjs-backend-wasm. Each worker holds its own instance of the module.
 */
export interface SimdWorkerPool {
  /** Number of worker threads. */
  readonly size: number;
  /** Starts exports[name](...args) on worker `index`; returns at once. */
  start(index: number, name: keyof SimdExports, args: readonly number[]): void;
  /** Blocks until worker `index` has finished its call; rethrows its failure. */
  wait(index: number): void;
}

export type SimdWorkerFactory = (module: WebAssembly.Module, memory: WebAssembly.Memory, exportNames: readonly string[], threads: number) => SimdWorkerPool | null;

let workerFactory: SimdWorkerFactory | null = null;

/** Registers the platform's worker threads for the SIMD kernels; takes effect at the next load. */
export function registerSimdWorkers(factory: SimdWorkerFactory | null): void {
  workerFactory = factory;
}

interface EmscriptenModule {
  tfjs?: { getThreadsCount?: () => number };
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAPU8: Uint8Array;
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
}

interface WasmBackendLike {
  wasm: EmscriptenModule;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

/** The kernels bound to one backend instance, with a reusable scratch block on its heap. */
export class SimdKernels {
  private scratch = 0;
  private scratchBytes = 0;
  private readonly allocations = new Map<Pointer, number>();

  constructor(
    readonly exports: SimdExports,
    private readonly backend: WasmBackendLike,
    private pool: SimdWorkerPool | null = null,
  ) {}

  /** Threads the parallel() calls use: this one plus the pool's. */
  get threads(): number {
    return 1 + (this.pool?.size ?? 0);
  }

  /**
   * Runs exports[name](...tasks[t]) for every task: tasks 1… on the worker threads while task 0 (and
   * any beyond the pool's size) runs here; returns when all are done. The tasks must write disjoint
   * memory.
   */
  parallel(name: keyof SimdExports, tasks: readonly (readonly number[])[]): void {
    const fn = this.exports[name] as unknown as (...args: number[]) => void;
    const pool = this.pool;
    const started: number[] = [];
    const local: (readonly number[])[] = [tasks[0] as readonly number[]];
    for (let t = 1; t < tasks.length; t++) {
      const worker = t - 1;
      if (pool && worker < pool.size) {
        try {
          pool.start(worker, name, tasks[t] as number[]);
          started.push(worker);
          continue;
        } catch {
          this.pool = null; // a worker that cannot start: run everything here from now on
        }
      }
      local.push(tasks[t] as readonly number[]);
    }
    let failure: unknown = null;
    try {
      for (const args of local) fn(...args);
    } catch (error) {
      failure = error;
    }
    for (const worker of started) {
      try {
        pool!.wait(worker);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure) throw failure;
  }

  /** The memoryOffset of a tensor on this backend. */
  offset(info: tf.TensorInfo): Pointer {
    const data = this.backend.dataIdMap.get(info.dataId);
    if (!data) throw new Error('SIMD kernels: tensor data not found on the wasm backend');
    return data.memoryOffset;
  }

  /** A scratch block of at least `bytes` (16-byte aligned), valid until the next call. */
  scratchBlock(bytes: number): Pointer {
    if (bytes > this.scratchBytes) {
      if (this.scratch !== 0) this.backend.wasm._free(this.scratch);
      this.scratchBytes = Math.max(bytes, 64 * 1024);
      this.scratch = this.backend.wasm._malloc(this.scratchBytes + 16) >>> 0;
    }
    return (this.scratch + 15) & ~15;
  }

  /** A block of the backend's heap (16-byte aligned), owned by the caller until release(). */
  allocate(bytes: number): Pointer {
    const pointer = this.backend.wasm._malloc(bytes + 16) >>> 0;
    if (pointer === 0) throw new Error(`SIMD kernels: cannot allocate ${bytes} bytes on the wasm heap`);
    const aligned = (pointer + 15) & ~15;
    this.allocations.set(aligned, pointer);
    return aligned;
  }

  release(pointer: Pointer): void {
    const raw = this.allocations.get(pointer);
    if (raw === undefined) return;
    this.allocations.delete(pointer);
    this.backend.wasm._free(raw);
  }

  /** The backend's heap (re-read after any allocation: growing the heap replaces it). */
  get buffer(): ArrayBufferLike {
    return this.backend.wasm.HEAPU8.buffer;
  }

  f32(pointer: Pointer, length: number): Float32Array {
    return new Float32Array(this.backend.wasm.HEAPU8.buffer, pointer, length);
  }

  f64(pointer: Pointer, length: number): Float64Array {
    return new Float64Array(this.backend.wasm.HEAPU8.buffer, pointer, length);
  }
}

const loaded = new WeakMap<object, SimdKernels | null>();

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Instantiates the kernels for the active wasm backend (once per backend instance). */
export async function loadSimdKernels(): Promise<SimdKernels | null> {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as WasmBackendLike;
  if (loaded.has(backend)) return loaded.get(backend) ?? null;
  let kernels: SimdKernels | null = null;
  try {
    const module = backend.wasm;
    const memory = module.wasmMemory ?? module.asm?.memory;
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    if (memory && simd && typeof module._malloc === 'function') {
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      const compiled = await WebAssembly.compile(decode(shared ? SHARED_WASM : PLAIN_WASM));
      const instance = await WebAssembly.instantiate(compiled, { env: { memory } });
      const threads = module.tfjs?.getThreadsCount?.() ?? 1;
      let pool: SimdWorkerPool | null = null;
      if (shared && threads > 1 && workerFactory) {
        try {
          pool = workerFactory(compiled, memory, Object.keys(instance.exports), threads - 1);
        } catch {
          pool = null; // single-threaded kernels
        }
      }
      kernels = new SimdKernels(instance.exports as unknown as SimdExports, backend, pool);
    }
  } catch {
    kernels = null; // the TypeScript kernels take over
  }
  loaded.set(backend, kernels);
  return kernels;
}

/** The kernels of the active backend if loadSimdKernels() succeeded for it, else null. */
export function simdKernels(backend: unknown): SimdKernels | null {
  if (backend === null || typeof backend !== 'object') return null;
  return loaded.get(backend) ?? null;
}
