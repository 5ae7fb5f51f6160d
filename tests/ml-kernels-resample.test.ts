import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { stockKernel } from '../src/ml/kernels/resample';
import { useTestBackend } from './helpers/backend';

/** max|a − b| / max|b| (the convention of tests/ml-conv-gradient.test.ts). */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return scale === 0 ? diff : diff / scale;
}

function randomTensor(shape: number[], seed: number, scale = 1, offset = 0): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale), offset));
}

/** Runs the kernel tfjs-backend-wasm registered under `name` (which Polaris replaced) directly. */
function runStock(name: string, inputs: tf.NamedTensorInfoMap, attrs: Record<string, unknown>): tf.Tensor {
  const config = stockKernel(name);
  if (!config) throw new Error(`no stock kernel ${name}`);
  const info = config.kernelFunc({ inputs, backend: tf.backend(), attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
  return tf.engine().makeTensorFromTensorInfo(info);
}

describe('2× resampling kernels on wasm (kernels/resample.ts) against the stock wasm kernels', () => {
  beforeAll(async () => {
    await useTestBackend();
    await tf.setBackend('wasm');
  });

  it.each([
    { shape: [2, 4, 5, 16], halfPixelCenters: false },
    { shape: [3, 3, 3, 3], halfPixelCenters: false },
    { shape: [1, 4, 4, 8], halfPixelCenters: true },
  ])('ResizeNearestNeighbor ×2 of $shape (halfPixelCenters $halfPixelCenters) and its gradient', ({ shape, halfPixelCenters }) => {
    tf.tidy(() => {
      const images = randomTensor(shape, 1) as tf.Tensor4D;
      const [, h, w] = shape as [number, number, number, number];
      const size: [number, number] = [2 * h, 2 * w];
      const ours = tf.image.resizeNearestNeighbor(images, size, false, halfPixelCenters);
      const stock = runStock('ResizeNearestNeighbor', { images }, { alignCorners: false, halfPixelCenters, size });
      expect(relativeError(ours.dataSync(), stock.dataSync())).toBe(0);
      const dy = randomTensor(ours.shape, 2);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, size, false, halfPixelCenters), dy)))(images);
      const stockGrad = runStock('ResizeNearestNeighborGrad', { images, dy }, { alignCorners: false, halfPixelCenters });
      expect(relativeError(grad.dataSync(), stockGrad.dataSync())).toBeLessThanOrEqual(1e-5);
    });
  });

  it('other resize configurations still use the stock kernel', () => {
    tf.tidy(() => {
      const images = randomTensor([1, 3, 3, 2], 3) as tf.Tensor4D;
      const ours = tf.image.resizeNearestNeighbor(images, [7, 5], true);
      const stock = runStock('ResizeNearestNeighbor', { images }, { alignCorners: true, halfPixelCenters: false, size: [7, 5] });
      expect(relativeError(ours.dataSync(), stock.dataSync())).toBe(0);
    });
  });

  it.each([[2, 8, 8, 16], [1, 6, 4, 3]])('AvgPoolGrad of the 2×2 stride-2 pool on %j', (...shape) => {
    tf.tidy(() => {
      const x = randomTensor(shape, 4) as tf.Tensor4D;
      const dy = randomTensor(tf.avgPool(x, 2, 2, 'valid').shape, 5);
      const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(input as tf.Tensor4D, 2, 2, 'valid'), dy)))(x);
      const stock = runStock('AvgPoolGrad', { dy, input: x }, { filterSize: 2, strides: 2, pad: 'valid' });
      expect(relativeError(grad.dataSync(), stock.dataSync())).toBeLessThanOrEqual(1e-5);
    });
  });

  it('AvgPoolGrad of other pools uses the stock kernel', () => {
    tf.tidy(() => {
      const x = randomTensor([1, 7, 7, 4], 6) as tf.Tensor4D;
      const dy = randomTensor(tf.avgPool(x, 3, 2, 'same').shape, 7);
      const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(input as tf.Tensor4D, 3, 2, 'same'), dy)))(x);
      const stock = runStock('AvgPoolGrad', { dy, input: x }, { filterSize: 3, strides: 2, pad: 'same' });
      expect(relativeError(grad.dataSync(), stock.dataSync())).toBe(0);
    });
  });

  it('Identity shares memory instead of copying, and values survive the original', () => {
    const x = randomTensor([4, 4], 8);
    const expected = Array.from(x.dataSync());
    const copy = tf.clone(x);
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual(expected);
    copy.dispose();
  });
});
