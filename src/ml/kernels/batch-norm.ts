/**
 * Batch normalisation fused with the residual add and the LeakyReLU that follow it in every block of
 * the §8 network: y = leaky((x − mean)·γ/sqrt(var + ε) + β [+ residual]).
 *
 * Training (PolarisBatchNormTrain): batch statistics over every axis but the last (biased variance,
 * as torch.nn.BatchNorm normalises with), returned with y so the caller can update the running
 * buffers. Its gradient (PolarisBatchNormTrainGrad) is the closed form
 *   g = dy·leak′(y),  dβ = Σg,  dγ = Σ g·x̂,  dx = γ/sqrt(var + ε)·(g − dβ/N − x̂·dγ/N),  dresidual = g,
 * with x̂ = (x − mean)/sqrt(var + ε) and N the number of values per channel. leak′ is read off y:
 * y > 0 exactly where the pre-activation is > 0 (leak > 0), matching tfjs's LeakyRelu gradient
 * (slope `leak` at 0).
 * Inference (PolarisBatchNormInfer): the same map with given (running) statistics.
 *
 * Both are kernels over the tensors' memory for the 'wasm' backend (WebAssembly SIMD, simd/kernels.c:
 * two passes for the statistics, one for y, two for the gradient; float32 block sums accumulated in
 * float64) and the 'cpu' backend (the same passes as TypeScript loops, heap.ts). On any other backend
 * the ops below compose stock tfjs ops instead (the formulas the model used before).
 */
import * as tf from '@tensorflow/tfjs-core';
import { HEAP_BACKENDS, type HeapBackendName, hasKernel, heapAccess } from './heap';
import { simdKernels, type SimdKernels } from './simd';

export const BATCH_NORM_TRAIN = 'PolarisBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'PolarisBatchNormTrainGrad';
export const BATCH_NORM_INFER = 'PolarisBatchNormInfer';

export interface BatchNormOptions {
  /** Added to the variance before the square root. */
  epsilon: number;
  /** LeakyReLU slope for negative values (> 0); 1 means no activation. */
  leak: number;
  /** Added after the affine map, before the activation (residual blocks). */
  residual?: tf.Tensor;
}

interface BatchNormAttrs {
  epsilon: number;
  leak: number;
  hasResidual: boolean;
}

export interface BatchNormTrainResult<T extends tf.Tensor> {
  y: T;
  /** Batch mean per channel. */
  mean: tf.Tensor1D;
  /** Biased batch variance per channel (what the normalisation used). */
  variance: tf.Tensor1D;
}

function checkOptions(x: tf.Tensor, gamma: tf.Tensor, options: BatchNormOptions): number {
  const channels = x.shape[x.rank - 1] as number;
  if (x.rank < 2) throw new RangeError('batch norm needs a batch axis and a channel axis');
  if (gamma.size !== channels) throw new RangeError(`batch norm: ${gamma.size} scales for ${channels} channels`);
  if (!(options.leak > 0)) throw new RangeError('batch norm: the LeakyReLU slope must be > 0');
  if (options.residual && !tf.util.arraysEqual(options.residual.shape, x.shape)) {
    throw new RangeError(`batch norm: residual shape [${options.residual.shape}] differs from [${x.shape}]`);
  }
  return channels;
}

/** Training-mode batch norm (+ residual) + LeakyReLU, with the batch statistics it used. */
export function batchNormTrain<T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor, options: BatchNormOptions): BatchNormTrainResult<T> {
  checkOptions(x, gamma, options);
  const attrs: BatchNormAttrs = { epsilon: options.epsilon, leak: options.leak, hasResidual: options.residual !== undefined };
  if (hasKernel(tf, BATCH_NORM_TRAIN)) {
    const inputs: tf.NamedTensorMap = { x, gamma, beta };
    if (options.residual) inputs.residual = options.residual;
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return { y: y as T, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  }
  return tf.tidy(() => {
    const axes = x.shape.slice(0, -1).map((_, axis) => axis);
    const { mean, variance } = tf.moments(x, axes);
    const y = composite(x, gamma, beta, mean, variance, options);
    return { y: y as T, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  });
}

/** Inference-mode batch norm (+ residual) + LeakyReLU with given statistics. */
export function batchNormInfer<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  options: BatchNormOptions,
): T {
  checkOptions(x, gamma, options);
  if (hasKernel(tf, BATCH_NORM_INFER)) {
    const inputs: tf.NamedTensorMap = { x, gamma, beta, mean, variance };
    if (options.residual) inputs.residual = options.residual;
    const attrs: BatchNormAttrs = { epsilon: options.epsilon, leak: options.leak, hasResidual: options.residual !== undefined };
    return tf.engine().runKernel(BATCH_NORM_INFER, inputs, attrs as unknown as tf.NamedAttrMap) as T;
  }
  return tf.tidy(() => composite(x, gamma, beta, mean, variance, options) as T);
}

/** The stock-op composition (also the reference the kernels are tested against). */
export function composite(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, options: BatchNormOptions): tf.Tensor {
  return tf.tidy(() => {
    const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, options.epsilon)));
    let y = tf.add(tf.mul(normalized, gamma), beta);
    if (options.residual) y = tf.add(y, options.residual);
    return options.leak === 1 ? y : tf.leakyRelu(y, options.leak);
  });
}

// ---------------------------------------------------------------------------------------------
// Kernels
// ---------------------------------------------------------------------------------------------

function trainKernel(backendName: HeapBackendName): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, gamma, beta, residual } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { epsilon, leak } = attrs as unknown as BatchNormAttrs;
    const heap = heapAccess(backend, backendName);
    const simd = backendName === 'wasm' ? simdKernels(backend) : null;
    if (simd) return simdTrain(simd, heap, x!, gamma!, beta!, residual, epsilon, leak);
    const channels = x!.shape[x!.shape.length - 1] as number;
    const yInfo = heap.allocate([...x!.shape]);
    const meanInfo = heap.allocate([channels]);
    const varianceInfo = heap.allocate([channels]);
    const xs = heap.view(x!);
    const gs = heap.view(gamma!);
    const bs = heap.view(beta!);
    const rs = residual ? heap.view(residual) : null;
    const ys = heap.view(yInfo);
    const count = xs.length / channels;

    const mean = new Float64Array(channels);
    for (let i = 0; i < xs.length; ) for (let c = 0; c < channels; c++, i++) mean[c] = (mean[c] as number) + (xs[i] as number);
    for (let c = 0; c < channels; c++) mean[c] = (mean[c] as number) / count;
    const variance = new Float64Array(channels);
    for (let i = 0; i < xs.length; ) {
      for (let c = 0; c < channels; c++, i++) {
        const d = (xs[i] as number) - (mean[c] as number);
        variance[c] = (variance[c] as number) + d * d;
      }
    }
    const scale = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      variance[c] = (variance[c] as number) / count;
      scale[c] = (gs[c] as number) / Math.sqrt((variance[c] as number) + epsilon);
    }
    writeAffine(xs, ys, rs, mean, scale, bs, channels, leak);
    heap.view(meanInfo).set(mean);
    heap.view(varianceInfo).set(variance);
    return [yInfo, meanInfo, varianceInfo];
  };
}

function inferKernel(backendName: HeapBackendName): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, gamma, beta, mean, variance, residual } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { epsilon, leak } = attrs as unknown as BatchNormAttrs;
    const heap = heapAccess(backend, backendName);
    const simd = backendName === 'wasm' ? simdKernels(backend) : null;
    if (simd) return simdInfer(simd, heap, x!, gamma!, beta!, mean!, variance!, residual, epsilon, leak);
    const channels = x!.shape[x!.shape.length - 1] as number;
    const yInfo = heap.allocate([...x!.shape]);
    const gs = heap.view(gamma!);
    const ms = heap.view(mean!);
    const vs = heap.view(variance!);
    const means = new Float64Array(channels);
    const scale = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      means[c] = ms[c] as number;
      scale[c] = (gs[c] as number) / Math.sqrt((vs[c] as number) + epsilon);
    }
    writeAffine(heap.view(x!), heap.view(yInfo), residual ? heap.view(residual) : null, means, scale, heap.view(beta!), channels, leak);
    return yInfo;
  };
}

/** y = leaky((x − mean)·scale + β [+ r]). */
function writeAffine(
  xs: Float32Array,
  ys: Float32Array,
  rs: Float32Array | null,
  mean: Float64Array,
  scale: Float64Array,
  bs: Float32Array,
  channels: number,
  leak: number,
): void {
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) shift[c] = bs[c] as number;
  if (rs) {
    for (let i = 0; i < xs.length; ) {
      for (let c = 0; c < channels; c++, i++) {
        const v = ((xs[i] as number) - (mean[c] as number)) * (scale[c] as number) + (shift[c] as number) + (rs[i] as number);
        ys[i] = v > 0 ? v : v * leak;
      }
    }
  } else {
    for (let i = 0; i < xs.length; ) {
      for (let c = 0; c < channels; c++, i++) {
        const v = ((xs[i] as number) - (mean[c] as number)) * (scale[c] as number) + (shift[c] as number);
        ys[i] = v > 0 ? v : v * leak;
      }
    }
  }
}

function trainGradKernel(backendName: HeapBackendName): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, x, gamma, y, mean, variance } = inputs as Record<string, tf.TensorInfo>;
    const { epsilon, leak, hasResidual } = attrs as unknown as BatchNormAttrs;
    const heap = heapAccess(backend, backendName);
    const simd = backendName === 'wasm' ? simdKernels(backend) : null;
    if (simd) return simdTrainGrad(simd, heap, dy!, x!, gamma!, y!, mean!, variance!, hasResidual, epsilon, leak);
    const channels = x!.shape[x!.shape.length - 1] as number;
    const dxInfo = heap.allocate([...x!.shape]);
    const dgammaInfo = heap.allocate([channels]);
    const dbetaInfo = heap.allocate([channels]);
    const dresidualInfo = hasResidual ? heap.allocate([...x!.shape]) : null;
    const dys = heap.view(dy!);
    const xs = heap.view(x!);
    const ys = heap.view(y!);
    const gs = heap.view(gamma!);
    const ms = heap.view(mean!);
    const vs = heap.view(variance!);
    const dxs = heap.view(dxInfo);
    const drs = dresidualInfo ? heap.view(dresidualInfo) : null;
    const count = xs.length / channels;

    const means = new Float64Array(channels);
    const invStd = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      means[c] = ms[c] as number;
      invStd[c] = 1 / Math.sqrt((vs[c] as number) + epsilon);
    }
    const sumG = new Float64Array(channels);
    const sumGX = new Float64Array(channels);
    for (let i = 0; i < xs.length; ) {
      for (let c = 0; c < channels; c++, i++) {
        const g = (ys[i] as number) > 0 ? (dys[i] as number) : (dys[i] as number) * leak;
        sumG[c] = (sumG[c] as number) + g;
        sumGX[c] = (sumGX[c] as number) + g * ((xs[i] as number) - (means[c] as number));
      }
    }
    const meanG = new Float64Array(channels);
    const meanGX = new Float64Array(channels);
    const factor = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      sumGX[c] = (sumGX[c] as number) * (invStd[c] as number); // Σ g·x̂ = dγ
      meanG[c] = (sumG[c] as number) / count;
      meanGX[c] = ((sumGX[c] as number) / count) * (invStd[c] as number); // folds x̂'s 1/std in
      factor[c] = (gs[c] as number) * (invStd[c] as number);
    }
    for (let i = 0; i < xs.length; ) {
      for (let c = 0; c < channels; c++, i++) {
        const g = (ys[i] as number) > 0 ? (dys[i] as number) : (dys[i] as number) * leak;
        if (drs) drs[i] = g;
        dxs[i] = (factor[c] as number) * (g - (meanG[c] as number) - ((xs[i] as number) - (means[c] as number)) * (meanGX[c] as number));
      }
    }
    heap.view(dgammaInfo).set(sumGX);
    heap.view(dbetaInfo).set(sumG);
    return dresidualInfo ? [dxInfo, dgammaInfo, dbetaInfo, dresidualInfo] : [dxInfo, dgammaInfo, dbetaInfo];
  };
}

// ---------------------------------------------------------------------------------------------
// The same kernels on the WebAssembly SIMD module (wasm backend)
// ---------------------------------------------------------------------------------------------

type HeapAccessT = ReturnType<typeof heapAccess>;

function simdTrain(
  simd: SimdKernels,
  heap: HeapAccessT,
  x: tf.TensorInfo,
  gamma: tf.TensorInfo,
  beta: tf.TensorInfo,
  residual: tf.TensorInfo | undefined,
  epsilon: number,
  leak: number,
): tf.TensorInfo[] {
  const channels = x.shape[x.shape.length - 1] as number;
  const pixels = tf.util.sizeFromShape(x.shape) / channels;
  const yInfo = heap.allocate([...x.shape]);
  const meanInfo = heap.allocate([channels]);
  const varianceInfo = heap.allocate([channels]);
  // scratch: part (2C f32) | sums (2C f64) | scale (C f32) | shift (C f32)
  const base = simd.scratchBlock(32 * channels + 64);
  const part = base;
  const sums = base + 8 * channels;
  const scale = sums + 16 * channels;
  const shift = scale + 4 * channels;
  const meanPtr = simd.offset(meanInfo);
  simd.exports.bn_stats(simd.offset(x), pixels, channels, meanPtr, simd.offset(varianceInfo), part, sums);
  const variance = simd.f32(simd.offset(varianceInfo), channels);
  const gs = heap.view(gamma);
  const bs = heap.view(beta);
  const scales = simd.f32(scale, channels);
  const shifts = simd.f32(shift, channels);
  for (let c = 0; c < channels; c++) {
    scales[c] = (gs[c] as number) / Math.sqrt((variance[c] as number) + epsilon);
    shifts[c] = bs[c] as number;
  }
  simd.exports.bn_apply(simd.offset(x), residual ? simd.offset(residual) : 0, simd.offset(yInfo), pixels, channels, meanPtr, scale, shift, leak);
  return [yInfo, meanInfo, varianceInfo];
}

function simdInfer(
  simd: SimdKernels,
  heap: HeapAccessT,
  x: tf.TensorInfo,
  gamma: tf.TensorInfo,
  beta: tf.TensorInfo,
  mean: tf.TensorInfo,
  variance: tf.TensorInfo,
  residual: tf.TensorInfo | undefined,
  epsilon: number,
  leak: number,
): tf.TensorInfo {
  const channels = x.shape[x.shape.length - 1] as number;
  const pixels = tf.util.sizeFromShape(x.shape) / channels;
  const yInfo = heap.allocate([...x.shape]);
  const base = simd.scratchBlock(8 * channels + 64);
  const scale = base;
  const shift = base + 4 * channels;
  const gs = heap.view(gamma);
  const bs = heap.view(beta);
  const vs = heap.view(variance);
  const scales = simd.f32(scale, channels);
  const shifts = simd.f32(shift, channels);
  for (let c = 0; c < channels; c++) {
    scales[c] = (gs[c] as number) / Math.sqrt((vs[c] as number) + epsilon);
    shifts[c] = bs[c] as number;
  }
  simd.exports.bn_apply(simd.offset(x), residual ? simd.offset(residual) : 0, simd.offset(yInfo), pixels, channels, simd.offset(mean), scale, shift, leak);
  return yInfo;
}

function simdTrainGrad(
  simd: SimdKernels,
  heap: HeapAccessT,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  gamma: tf.TensorInfo,
  y: tf.TensorInfo,
  mean: tf.TensorInfo,
  variance: tf.TensorInfo,
  hasResidual: boolean,
  epsilon: number,
  leak: number,
): tf.TensorInfo[] {
  const channels = x.shape[x.shape.length - 1] as number;
  const pixels = tf.util.sizeFromShape(x.shape) / channels;
  const dxInfo = heap.allocate([...x.shape]);
  const dgammaInfo = heap.allocate([channels]);
  const dbetaInfo = heap.allocate([channels]);
  const dresidualInfo = hasResidual ? heap.allocate([...x.shape]) : null;
  // scratch: part (2C f32) | sums (2C f64) | factor | meanG | meanGX (C f32 each)
  const base = simd.scratchBlock(36 * channels + 64);
  const part = base;
  const sums = base + 8 * channels;
  const factorPtr = sums + 16 * channels;
  const meanGPtr = factorPtr + 4 * channels;
  const meanGXPtr = meanGPtr + 4 * channels;
  const meanPtr = simd.offset(mean);
  simd.exports.bn_grad_sums(simd.offset(dy), simd.offset(x), simd.offset(y), pixels, channels, meanPtr, leak, part, sums);
  const totals = simd.f64(sums, 2 * channels);
  const gs = heap.view(gamma);
  const vs = heap.view(variance);
  const factor = simd.f32(factorPtr, channels);
  const meanG = simd.f32(meanGPtr, channels);
  const meanGX = simd.f32(meanGXPtr, channels);
  const dgamma = heap.view(dgammaInfo);
  const dbeta = heap.view(dbetaInfo);
  for (let c = 0; c < channels; c++) {
    const invStd = 1 / Math.sqrt((vs[c] as number) + epsilon);
    const sumG = totals[c] as number;
    const sumGX = (totals[channels + c] as number) * invStd; // Σ g·x̂ = dγ
    dbeta[c] = sumG;
    dgamma[c] = sumGX;
    meanG[c] = sumG / pixels;
    meanGX[c] = (sumGX / pixels) * invStd;
    factor[c] = (gs[c] as number) * invStd;
  }
  simd.exports.bn_grad_apply(
    simd.offset(dy),
    simd.offset(x),
    simd.offset(y),
    pixels,
    channels,
    meanPtr,
    factorPtr,
    meanGPtr,
    meanGXPtr,
    leak,
    simd.offset(dxInfo),
    dresidualInfo ? simd.offset(dresidualInfo) : 0,
  );
  return dresidualInfo ? [dxInfo, dgammaInfo, dbetaInfo, dresidualInfo] : [dxInfo, dgammaInfo, dbetaInfo];
}

let installed = false;

/** Registers the kernels (wasm, cpu) and the gradient (all backends); idempotent. */
export function installBatchNormKernels(): void {
  if (installed) return;
  for (const backendName of HEAP_BACKENDS) {
    tf.registerKernel({ kernelName: BATCH_NORM_TRAIN, backendName, kernelFunc: trainKernel(backendName) });
    tf.registerKernel({ kernelName: BATCH_NORM_TRAIN_GRAD, backendName, kernelFunc: trainGradKernel(backendName) });
    tf.registerKernel({ kernelName: BATCH_NORM_INFER, backendName, kernelFunc: inferKernel(backendName) });
  }
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAIN,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [true, true, true],
    gradFunc: (dy, saved, attrs) => {
      const [x, gamma, y, mean, variance] = saved as tf.Tensor[];
      const upstream = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor;
      const outputs = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy: upstream, x: x!, gamma: gamma!, y: y!, mean: mean!, variance: variance! }, attrs) as tf.Tensor[];
      const [dx, dgamma, dbeta, dresidual] = outputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
      const gradients: Record<string, () => tf.Tensor> = { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
      if (dresidual) gradients.residual = () => dresidual;
      return gradients;
    },
  });
  installed = true;
}
