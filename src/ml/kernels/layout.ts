/**
 * Layout changes of the Conv2D gradients (conv2d-gradient.ts), as single kernels on the 'wasm'
 * (WebAssembly SIMD, simd/kernels.c) and 'cpu' (TypeScript loops) backends. Each replaces a chain of
 * stock kernels that the wasm backend runs slowly (Reverse: ~1.6 ms for a 3×3×64×64 filter; PadV2 then
 * Transpose: two passes over the activations):
 *
 * - PolarisFlipFilter: w [kh, kw, ci, co] → w[kh−1−a, kw−1−b, :, :]ᵀ, i.e. [kh, kw, co, ci] (dX's kernel);
 * - PolarisPadToCHWB: x [B, H, W, C] → zero-padded [C, H+t+b, W+l+r, B] (dW's input);
 * - PolarisBHWCToHWBC: dy [B, H, W, C] → [H, W, B, C] (dW's kernel).
 *
 * They are not differentiated (they only run inside a gradient); other backends use stock ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import { HEAP_BACKENDS, type HeapBackendName, heapAccess } from './heap';
import { simdKernels } from './simd';

export const FLIP_FILTER = 'PolarisFlipFilter';
export const PAD_TO_CHWB = 'PolarisPadToCHWB';
export const BHWC_TO_HWBC = 'PolarisBHWCToHWBC';

export function flipFilterLoop(w: Float32Array, out: Float32Array, kh: number, kw: number, ci: number, co: number): void {
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const from = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co;
      const to = (a * kw + b) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[to + o * ci + i] = w[from + i * co + o] as number;
    }
  }
}

export function padToCHWBLoop(x: Float32Array, out: Float32Array, batch: number, height: number, width: number, channels: number, pads: [number, number, number, number]): void {
  const [top, bottom, left, right] = pads;
  const hp = height + top + bottom;
  const wp = width + left + right;
  const plane = hp * wp * batch;
  out.fill(0);
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < height; y++) {
      for (let xx = 0; xx < width; xx++) {
        const from = ((b * height + y) * width + xx) * channels;
        const to = ((y + top) * wp + (xx + left)) * batch + b;
        for (let c = 0; c < channels; c++) out[c * plane + to] = x[from + c] as number;
      }
    }
  }
}

export function bhwcToHwbcLoop(dy: Float32Array, out: Float32Array, batch: number, height: number, width: number, channels: number): void {
  const pixels = height * width;
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < pixels; p++) out.set(dy.subarray((b * pixels + p) * channels, (b * pixels + p + 1) * channels), (p * batch + b) * channels);
  }
}

function flipKernel(backendName: HeapBackendName): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const { filter } = inputs as { filter: tf.TensorInfo };
    const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
    const heap = heapAccess(backend, backendName);
    const out = heap.allocate([kh, kw, co, ci]);
    flipFilterLoop(heap.view(filter), heap.view(out), kh, kw, ci, co);
    return out;
  };
}

function padKernel(backendName: HeapBackendName): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { pads } = attrs as unknown as { pads: [number, number, number, number] };
    const [batch, height, width, channels] = x.shape as [number, number, number, number];
    const [top, bottom, left, right] = pads;
    const heap = heapAccess(backend, backendName);
    const out = heap.allocate([channels, height + top + bottom, width + left + right, batch]);
    const simd = backendName === 'wasm' ? simdKernels(backend) : null;
    if (simd) simd.exports.pad_to_cHWB(simd.offset(x), simd.offset(out), batch, height, width, channels, top, bottom, left, right);
    else padToCHWBLoop(heap.view(x), heap.view(out), batch, height, width, channels, pads);
    return out;
  };
}

function bhwcKernel(backendName: HeapBackendName): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const [batch, height, width, channels] = x.shape as [number, number, number, number];
    const heap = heapAccess(backend, backendName);
    const out = heap.allocate([height, width, batch, channels]);
    const simd = backendName === 'wasm' ? simdKernels(backend) : null;
    if (simd) simd.exports.bhwc_to_hwbc(simd.offset(x), simd.offset(out), batch, height, width, channels);
    else bhwcToHwbcLoop(heap.view(x), heap.view(out), batch, height, width, channels);
    return out;
  };
}

function available(): boolean {
  return (HEAP_BACKENDS as readonly string[]).includes(tf.getBackend()) && tf.getKernel(FLIP_FILTER, tf.getBackend()) !== undefined;
}

/** The dX kernel: spatially flipped, in/out channels swapped. */
export function flipFilter(filter: tf.Tensor4D): tf.Tensor4D {
  if (available()) return tf.engine().runKernel(FLIP_FILTER, { filter }, {}) as tf.Tensor4D;
  return tf.tidy(() => tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D);
}

/** dW's input: x zero-padded, batch and channels swapped: [C, H+t+b, W+l+r, B]. */
export function padToChannelsAsBatch(x: tf.Tensor4D, pads: [number, number, number, number]): tf.Tensor4D {
  if (available()) return tf.engine().runKernel(PAD_TO_CHWB, { x }, { pads } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  return tf.tidy(() => {
    const [top, bottom, left, right] = pads;
    const padded = top + bottom + left + right === 0 ? x : tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    return tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D;
  });
}

/** dW's kernel: dy with the batch as input channels, [H, W, B, C]. */
export function batchAsInputChannels(dy: tf.Tensor4D): tf.Tensor4D {
  if (available()) return tf.engine().runKernel(BHWC_TO_HWBC, { x: dy }, {}) as tf.Tensor4D;
  return tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
}

let installed = false;

export function installLayoutKernels(): void {
  if (installed) return;
  for (const backendName of HEAP_BACKENDS) {
    tf.registerKernel({ kernelName: FLIP_FILTER, backendName, kernelFunc: flipKernel(backendName) });
    tf.registerKernel({ kernelName: PAD_TO_CHWB, backendName, kernelFunc: padKernel(backendName) });
    tf.registerKernel({ kernelName: BHWC_TO_HWBC, backendName, kernelFunc: bhwcKernel(backendName) });
  }
  installed = true;
}
