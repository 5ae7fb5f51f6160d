/**
 * The 2× resampling of the §8 network, on the wasm backend, as single-pass kernels over the heap:
 *
 * - ResizeNearestNeighbor to exactly twice the size (alignCorners false: source = floor(target/2),
 *   with or without half-pixel centres, which coincide at scale 2): each value copied to a 2×2 block;
 * - ResizeNearestNeighborGrad of that case: the sum of each 2×2 block;
 * - AvgPoolGrad of a 2×2, stride-2, unpadded pool on even sizes: dy/4 spread over each 2×2 block.
 *
 * The stock wasm kernels for these run at 5–10 ns per element (measured); these use the WebAssembly
 * SIMD module (simd/kernels.c) when it is loaded, else the TypeScript loops below.
 * Each override keeps the stock kernel and calls it for every other configuration, so tf ops mean
 * exactly what they meant before.
 */
import * as tf from '@tensorflow/tfjs-core';
import { heapAccess } from './heap';
import { simdKernels } from './simd';

type Stock = tf.KernelConfig | undefined;

function isTwo(value: unknown): boolean {
  return value === 2 || (Array.isArray(value) && value.length === 2 && value[0] === 2 && value[1] === 2);
}

function isValidPadding(value: unknown): boolean {
  return value === 'valid' || value === 0;
}

/** dy [B, 2H, 2W, C] → [B, H, W, C]: dst = scale·(sum of each 2×2 block). */
export function blockSum2x(src: Float32Array, dst: Float32Array, batch: number, height: number, width: number, channels: number, scale: number): void {
  const rowOut = width * channels;
  const rowIn = 2 * rowOut;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < height; i++) {
      const top = (b * 2 * height + 2 * i) * rowIn;
      const bottom = top + rowIn;
      const outBase = (b * height + i) * rowOut;
      for (let j = 0; j < width; j++) {
        const left = 2 * j * channels;
        const to = outBase + j * channels;
        for (let c = 0; c < channels; c++) {
          const a = (src[top + left + c] as number) + (src[top + left + channels + c] as number);
          const d = (src[bottom + left + c] as number) + (src[bottom + left + channels + c] as number);
          dst[to + c] = (a + d) * scale;
        }
      }
    }
  }
}

/** dy [B, H, W, C] → [B, 2H, 2W, C]: each value times `scale` spread over a 2×2 block. */
export function spread2x(src: Float32Array, dst: Float32Array, batch: number, height: number, width: number, channels: number, scale: number): void {
  const rowIn = width * channels;
  const rowOut = 2 * rowIn;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < height; i++) {
      const inBase = (b * height + i) * rowIn;
      const outBase = (b * 2 * height + 2 * i) * rowOut;
      for (let j = 0; j < width; j++) {
        const from = inBase + j * channels;
        const to = outBase + 2 * j * channels;
        for (let c = 0; c < channels; c++) {
          const v = (src[from + c] as number) * scale;
          dst[to + c] = v;
          dst[to + channels + c] = v;
        }
      }
      dst.copyWithin(outBase + rowOut, outBase, outBase + rowOut);
    }
  }
}

function resizeKernel(stock: Stock): tf.KernelFunc {
  return (args) => {
    const { images } = args.inputs as { images: tf.TensorInfo };
    const { alignCorners, size } = args.attrs as unknown as { alignCorners: boolean; size: [number, number] };
    const [batch, height, width, channels] = images.shape as [number, number, number, number];
    if ((images.dtype === 'float32' && !alignCorners && images.shape.length === 4 && size[0] === 2 * height && size[1] === 2 * width)) {
      const heap = heapAccess(args.backend, 'wasm');
      const out = heap.allocate([batch, 2 * height, 2 * width, channels]);
      const simd = simdKernels(args.backend);
      if (simd) simd.exports.upsample2x(simd.offset(images), simd.offset(out), batch, height, width, channels, 1);
      else spread2x(heap.view(images), heap.view(out), batch, height, width, channels, 1); // nearest neighbour = spread with scale 1
      return out;
    }
    return stock!.kernelFunc(args);
  };
}

function resizeGradKernel(stock: Stock): tf.KernelFunc {
  return (args) => {
    const { images, dy } = args.inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
    const { alignCorners } = args.attrs as unknown as { alignCorners: boolean };
    const [batch, height, width, channels] = images.shape as [number, number, number, number];
    if ((dy.dtype === 'float32' && !alignCorners && dy.shape[1] === 2 * height && dy.shape[2] === 2 * width)) {
      const heap = heapAccess(args.backend, 'wasm');
      const out = heap.allocate([batch, height, width, channels]);
      const simd = simdKernels(args.backend);
      if (simd) simd.exports.block_sum2x(simd.offset(dy), simd.offset(out), batch, height, width, channels, 1);
      else blockSum2x(heap.view(dy), heap.view(out), batch, height, width, channels, 1);
      return out;
    }
    return stock!.kernelFunc(args);
  };
}

function avgPoolGradKernel(stock: Stock): tf.KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as { filterSize: unknown; strides: unknown; pad: unknown; dimRoundingMode?: unknown };
    const [batch, height, width, channels] = input.shape as [number, number, number, number];
    const fits =
      dy.dtype === 'float32' &&
      isTwo(filterSize) &&
      isTwo(strides) &&
      isValidPadding(pad) &&
      dimRoundingMode == null &&
      input.shape.length === 4 &&
      height % 2 === 0 &&
      width % 2 === 0;
    if (fits) {
      const heap = heapAccess(args.backend, 'wasm');
      const out = heap.allocate([batch, height, width, channels]);
      const simd = simdKernels(args.backend);
      if (simd) simd.exports.upsample2x(simd.offset(dy), simd.offset(out), batch, height / 2, width / 2, channels, 0.25);
      else spread2x(heap.view(dy), heap.view(out), batch, height / 2, width / 2, channels, 0.25);
      return out;
    }
    return stock!.kernelFunc(args);
  };
}

const overrides: { kernelName: string; make: (stock: Stock) => tf.KernelFunc }[] = [
  { kernelName: 'ResizeNearestNeighbor', make: resizeKernel },
  { kernelName: 'ResizeNearestNeighborGrad', make: resizeGradKernel },
  { kernelName: 'AvgPoolGrad', make: avgPoolGradKernel },
];

const stockKernels = new Map<string, Stock>();

/** Replaces the wasm kernels above (idempotent); the stock ones stay reachable through stockKernel(). */
export function installResampleKernels(): void {
  for (const { kernelName, make } of overrides) {
    if (stockKernels.has(kernelName)) continue;
    const stock = tf.getKernel(kernelName, 'wasm');
    if (!stock) continue; // the wasm backend is not loaded: nothing to replace
    stockKernels.set(kernelName, stock);
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ ...stock, kernelName, backendName: 'wasm', kernelFunc: make(stock) });
  }
}

/** The kernel tfjs-backend-wasm registered under this name, for tests. */
export function stockKernel(kernelName: string): Stock {
  return stockKernels.get(kernelName) ?? tf.getKernel(kernelName, 'wasm');
}
