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
 */
import * as tf from '@tensorflow/tfjs-core';

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
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
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

/** dW of a stride-1 convolution as one forward convolution with batch and channels swapped. */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, padding: Padding4): tf.Tensor4D {
  return tf.tidy(() => {
    const [top, bottom, left, right] = padding;
    const padded = top + bottom + left + right === 0 ? x : tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    const channelsAsBatch = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D; // [ci, H, W, B]
    const dyAsKernel = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [Ho, Wo, B, co]
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
    filter: () => conv2dFilterGradient(x, upstream, padding),
  };
}

/** Replaces the Conv2D gradient for every backend (idempotent). Returns the stock one, for tests. */
export function installConvolutionGradients(): tf.GradConfig | undefined {
  if (installed) return stockGradient;
  stockGradient = tf.getGradient('Conv2D');
  tf.registerGradient({ kernelName: 'Conv2D', inputsToSave: ['x', 'filter'], gradFunc: convolutionGradient });
  installed = true;
  return stockGradient;
}

export function stockConvolutionGradient(): tf.GradConfig | undefined {
  return stockGradient ?? tf.getGradient('Conv2D');
}
