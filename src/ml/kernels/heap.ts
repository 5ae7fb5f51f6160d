/**
 * Direct float32 access to tensor memory for kernels written in plain TypeScript, on the two
 * backends whose memory JavaScript can address: 'wasm' (the WebAssembly heap; no copy in or out)
 * and 'cpu' (the backend's own typed arrays). Kernels that use this are registered for those two
 * backends only; everywhere else the ops built on them fall back to stock tfjs compositions.
 *
 * Why: on the wasm backend, many small elementwise and reduction kernels (LeakyRelu, Greater, Select,
 * broadcast arithmetic, reductions over the leading axes, ResizeNearestNeighbor and its gradient,
 * AvgPoolGrad) run at 2–10 ns per element, against ~1 ns for one tight JS loop over the heap, and a
 * training step chains dozens of them per layer. One fused pass in JS replaces each such chain.
 */
import type * as tf from '@tensorflow/tfjs-core';

export const HEAP_BACKENDS = ['wasm', 'cpu'] as const;
export type HeapBackendName = (typeof HEAP_BACKENDS)[number];

interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number; shape: number[]; dtype: string } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

interface CpuBackendLike {
  data: { get(dataId: object): { values?: ArrayLike<number> } | undefined };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

/** Reads and allocates float32 tensors of one backend as typed arrays. */
export interface HeapAccess {
  /**
   * Allocates outputs. On wasm an allocation may grow (and so replace) the heap, which detaches
   * earlier views: allocate every output first, then take views.
   */
  allocate(shape: number[]): tf.TensorInfo;
  /** A float32 view of a tensor's memory (a view, not a copy, on both backends). */
  view(info: tf.TensorInfo): Float32Array;
}

export function heapAccess(backend: unknown, backendName: HeapBackendName): HeapAccess {
  if (backendName === 'wasm') {
    const wasm = backend as WasmBackendLike;
    return {
      allocate: (shape) => wasm.makeOutput(shape, 'float32'),
      view: (info) => {
        if (info.dtype !== 'float32') throw new TypeError(`heap kernels need float32 tensors, got ${info.dtype}`);
        const data = wasm.dataIdMap.get(info.dataId);
        if (!data) throw new Error('heap kernels: tensor data not found on the wasm backend');
        const size = info.shape.reduce((a, b) => a * b, 1);
        return new Float32Array(wasm.wasm.HEAPU8.buffer, data.memoryOffset, size);
      },
    };
  }
  const cpu = backend as CpuBackendLike;
  return {
    allocate: (shape) => cpu.makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((a, b) => a * b, 1))),
    view: (info) => {
      if (info.dtype !== 'float32') throw new TypeError(`heap kernels need float32 tensors, got ${info.dtype}`);
      const values = cpu.data.get(info.dataId)?.values;
      if (!(values instanceof Float32Array)) throw new Error('heap kernels: tensor data not found on the cpu backend');
      return values;
    },
  };
}

/** Whether `kernelName` has a kernel for the active backend (heap kernels exist only for wasm and cpu). */
export function hasKernel(tfModule: typeof tf, kernelName: string): boolean {
  return tfModule.getKernel(kernelName, tfModule.getBackend()) !== undefined;
}
