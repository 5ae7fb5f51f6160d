import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { stockConvolutionGradient } from '../src/ml/kernels/conv2d-gradient';
import { expectNoTensorLeak, useTestBackend } from './helpers/backend';
import { directFilterGradient, relativeError } from './helpers/kernels';

const cases: { name: string; x: [number, number, number, number]; k: number; cout: number; pad: 'same' | 'valid' | number }[] = [
  { name: '3×3 same', x: [4, 8, 8, 5], k: 3, cout: 7, pad: 'same' },
  { name: '5×5 same', x: [3, 9, 9, 3], k: 5, cout: 4, pad: 'same' },
  { name: '1×1 shortcut', x: [2, 6, 6, 8], k: 1, cout: 16, pad: 'same' },
  { name: '3×3 valid', x: [2, 7, 7, 3], k: 3, cout: 2, pad: 'valid' },
  { name: '3×3 explicit pad 1', x: [2, 5, 5, 2], k: 3, cout: 3, pad: 1 },
];

describe('Conv2D gradients as forward convolutions (kernels/conv2d-gradient.ts)', () => {
  beforeAll(useTestBackend);

  it.each(cases)('$name: dX and dW equal the stock gradients (relative error ≤ 1e-5)', async ({ x: shape, k, cout, pad }) => {
    const stock = stockConvolutionGradient();
    expect(stock).toBeDefined();
    await expectNoTensorLeak(() => {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([k, k, shape[3], cout], 0, 1, 'float32', 2) as tf.Tensor4D;
      const upstream = tf.tidy(() => tf.randomNormal(tf.conv2d(x, w, 1, pad).shape, 0, 1, 'float32', 3)) as tf.Tensor4D;
      // Registered gradient, through the tape.
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad), upstream))([x, w]);
      // Stock gradient (tfjs's own Conv2DBackpropInput / Conv2DBackpropFilter), only where the backend has both.
      const attrs = { strides: 1, pad, dataFormat: 'NHWC', dilations: 1 } as unknown as tf.NamedAttrMap;
      const stockGrads = stock!.gradFunc(upstream, [x, w], attrs);
      const [dx, dw] = grads as [tf.Tensor, tf.Tensor];
      const dxStock = tf.tidy(() => stockGrads.x!());
      expect(relativeError(dx.dataSync() as Float32Array, dxStock.dataSync() as Float32Array)).toBeLessThanOrEqual(1e-5);
      if (tf.getBackend() !== 'wasm') {
        // wasm has no Conv2DBackpropFilter kernel at all: that is why this gradient exists.
        const dwStock = tf.tidy(() => stockGrads.filter!());
        expect(relativeError(dw.dataSync() as Float32Array, dwStock.dataSync() as Float32Array)).toBeLessThanOrEqual(1e-5);
        dwStock.dispose();
      } else {
        // Compare dW with a direct sum on the CPU instead: dW[a,b,i,o] = Σ x_pad[n, y+a, x+b, i]·dy[n, y, x, o].
        const expected = directFilterGradient(x, upstream, k, pad === 'valid' ? 0 : pad === 'same' ? Math.floor((k - 1) / 2) : pad);
        expect(relativeError(dw.dataSync() as Float32Array, expected)).toBeLessThanOrEqual(1e-5);
      }
      tf.dispose([x, w, upstream, dx, dw, dxStock]);
    });
  });
});
