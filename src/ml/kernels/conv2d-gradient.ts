/**
 * Conv2D gradients expressed as forward convolutions.
 *
 * The 'wasm' backend runs forward convolutions through XNNPACK at 10–24 GFLOP/s on one core, but has no
 * Conv2DBackpropFilter kernel at all and a Conv2DBackpropInput that runs at 1–3 GFLOP/s (measured on
 * these machines). For stride 1 and dilation 1, both gradients are forward convolutions:
 *   dX = conv(dy, W flipped in space with in/out channels swapped), padded by k − 1 − p;
 *   dW = conv(x padded, with batch and channels swapped, kernel = dy with batch as input channels).
 * Registering this as the Conv2D gradient keeps the model plain tfjs: every backend gets it, and the
 * stock gradient is kept for the cases it does not cover (strides, dilations, NCHW, rounding modes).
 * The flips, pads and transposes around the two convolutions are single kernels on wasm and cpu
 * (layout.ts), stock ops elsewhere.
 */
import * as tf from '@tensorflow/tfjs-core';
import { heapAccess } from './heap';
import { batchAsInputChannels, flipFilter, padToChannelsAsBatch } from './layout';
import { simdKernels } from './simd';

type Padding4 = [number, number, number, number];
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];
type GradientFunction = tf.GradConfig['gradFunc'];
type NamedGradients = ReturnType<GradientFunction>;

interface Conv2DGradientAttributes {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

let stockGradient: tf.GradConfig | undefined;
let installed = false;

function isOne(value: number | [number, number] | undefined): boolean {
  if (value === undefined) return true;
  return Array.isArray(value) ? value[0] === 1 && value[1] === 1 : value === 1;
}

/** [top, bottom, left, right] padding of a stride-1, dilation-1 convolution, or null where unsupported. */
function paddingOf(pad: Conv2DGradientAttributes['pad'], kernelHeight: number, kernelWidth: number): Padding4 | null {
  if (pad === 'valid') return [0, 0, 0, 0];
  if (pad === 'same') {
    const top = Math.floor((kernelHeight - 1) / 2);
    const left = Math.floor((kernelWidth - 1) / 2);
    return [top, kernelHeight - 1 - top, left, kernelWidth - 1 - left];
  }
  if (typeof pad === 'number') return [pad, pad, pad, pad];
  if (Array.isArray(pad) && pad.length === 4) {
    const height = pad[1] as [number, number];
    const width = pad[2] as [number, number];
    return [height[0], height[1], width[0], width[1]];
  }
  return null;
}

/** dX of a stride-1 convolution as a forward convolution with the flipped, transposed kernel. */
export function conv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, padding: Padding4): tf.Tensor4D {
  return tf.tidy(() => {
    const [kernelHeight, kernelWidth] = filter.shape;
    const flipped = flipFilter(filter);
    const [top, bottom, left, right] = padding;
    const explicit: ExplicitPadding = [
      [0, 0],
      [kernelHeight - 1 - top, kernelHeight - 1 - bottom],
      [kernelWidth - 1 - left, kernelWidth - 1 - right],
      [0, 0],
    ];
    const isZero = explicit.every(([before, after]) => before === 0 && after === 0);
    return tf.conv2d(dy, flipped, 1, isZero ? 'valid' : explicit);
  });
}

export const CONV2D_FILTER_GRAD = 'PolarisConv2DFilterGrad';

/**
 * dW of a stride-1 convolution. On the wasm backend with the SIMD module loaded: one direct kernel
 * (simd/kernels.c conv2d_filter_grad: per (tap, output row) GEMM updates over cache-sized chunks of
 * rows), measured ~2× the speed of the swapped convolution, which XNNPACK runs as one GEMM with a
 * tiny output and a huge contraction (batch × height × width) that streams its packed operand from
 * memory once per output tile. Elsewhere: one forward convolution with batch and channels swapped.
 */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, padding: Padding4, filterShape?: readonly number[]): tf.Tensor4D {
  const [kernelHeight, kernelWidth] = filterShape ?? [x.shape[1] + padding[0] + padding[1] - dy.shape[1] + 1, x.shape[2] + padding[2] + padding[3] - dy.shape[2] + 1];
  if (tf.getBackend() === 'wasm' && simdKernels(tf.backend()) && x.dtype === 'float32' && dy.dtype === 'float32') {
    const attrs = { kernelHeight, kernelWidth, top: padding[0], left: padding[2] };
    return tf.engine().runKernel(CONV2D_FILTER_GRAD, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const channelsAsBatch = padToChannelsAsBatch(x, padding); // [ci, H + pads, W + pads, B]
    const dyAsKernel = batchAsInputChannels(dy); // [Ho, Wo, B, co]
    const perInputChannel = tf.conv2d(channelsAsBatch, dyAsKernel, 1, 'valid'); // [ci, kh, kw, co]
    return tf.transpose(perInputChannel, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

function convolutionGradient(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): NamedGradients {
  const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
  const attributes = attrs as unknown as Conv2DGradientAttributes;
  const padding = paddingOf(attributes.pad, filter.shape[0], filter.shape[1]);
  const supported =
    padding !== null &&
    isOne(attributes.strides) &&
    isOne(attributes.dilations) &&
    (attributes.dataFormat ?? 'NHWC') === 'NHWC' &&
    attributes.dimRoundingMode === undefined &&
    padding[0] <= filter.shape[0] - 1 &&
    padding[1] <= filter.shape[0] - 1 &&
    padding[2] <= filter.shape[1] - 1 &&
    padding[3] <= filter.shape[1] - 1;
  if (!supported || padding === null) {
    if (!stockGradient) throw new Error('Conv2D gradient: unsupported attributes and no stock gradient to fall back on');
    return stockGradient.gradFunc(dy, saved, attrs);
  }
  const upstream = dy as tf.Tensor4D;
  return {
    x: () => conv2dInputGradient(upstream, filter, padding),
    filter: () => conv2dFilterGradient(x, upstream, padding, filter.shape),
  };
}

function filterGradientKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { kernelHeight, kernelWidth, top, left } = attrs as unknown as { kernelHeight: number; kernelWidth: number; top: number; left: number };
  const simd = simdKernels(backend);
  if (!simd) throw new Error(`${CONV2D_FILTER_GRAD}: the SIMD module is not loaded for this backend`);
  const [batch, height, width, inChannels] = x.shape as [number, number, number, number];
  const [, outHeight, outWidth, outChannels] = dy.shape as [number, number, number, number];
  const out = heapAccess(backend, 'wasm').allocate([kernelHeight, kernelWidth, inChannels, outChannels]);
  const common = [simd.offset(x), simd.offset(dy), simd.offset(out), batch, height, width, inChannels, outHeight, outWidth, outChannels, kernelHeight, kernelWidth, top, left];
  // With worker threads, split the output channels (multiples of 8, the kernel's tile) or else the
  // input channels (multiples of 4) between them; each thread writes its own block of dW.
  const parts = Math.min(simd.threads, 2);
  const work = batch * outHeight * outWidth * kernelHeight * kernelWidth * inChannels * outChannels;
  if (parts > 1 && work >= 1 << 22 && outChannels % 16 === 0) {
    const half = outChannels / 2;
    simd.parallel('conv2d_filter_grad', [
      [...common, 0, inChannels, 0, half],
      [...common, 0, inChannels, half, outChannels],
    ]);
  } else if (parts > 1 && work >= 1 << 22 && inChannels % 8 === 0) {
    const half = inChannels / 2;
    simd.parallel('conv2d_filter_grad', [
      [...common, 0, half, 0, outChannels],
      [...common, half, inChannels, 0, outChannels],
    ]);
  } else {
    simd.exports.conv2d_filter_grad(...(common as [number, number, number, number, number, number, number, number, number, number, number, number, number, number]), 0, inChannels, 0, outChannels);
  }
  return out;
}

/** Replaces the Conv2D gradient for every backend (idempotent). Returns the stock one, for tests. */
export function installConvolutionGradients(): tf.GradConfig | undefined {
  if (installed) return stockGradient;
  tf.registerKernel({ kernelName: CONV2D_FILTER_GRAD, backendName: 'wasm', kernelFunc: filterGradientKernel });
  stockGradient = tf.getGradient('Conv2D');
  tf.registerGradient({ kernelName: 'Conv2D', inputsToSave: ['x', 'filter'], gradFunc: convolutionGradient });
  installed = true;
  return stockGradient;
}

export function stockConvolutionGradient(): tf.GradConfig | undefined {
  return stockGradient ?? tf.getGradient('Conv2D');
}
