import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dFilterGradient, conv2dInputGradient, stockConvolutionGradient } from '../src/ml/kernels/conv2d-gradient';
import { batchAsInputChannels, flipFilter, padToChannelsAsBatch } from '../src/ml/kernels/layout';
import { useTestBackend } from './helpers/backend';
import { directFilterGradient, relativeError, onHeapBackends, randomTensor } from './helpers/kernels';

/** dW[a,b,i,o] = Σ x_pad[n, y+a, x+b, i]·dy[n, y, x, o], summed in float64. */

// Channel counts cover every path of the SIMD kernel: Co % 8 = 0 (4×8 tiles, 1×8 rows for Ci % 4 ≠ 0),
// Ci % 4 = 0 with few Co (vectors over Ci), and neither (scalar loops).
const cases = [
  { x: [2, 9, 9, 16], k: 3, cout: 16 },
  { x: [2, 8, 7, 3], k: 5, cout: 16 },
  { x: [2, 8, 8, 16], k: 5, cout: 3 },
  { x: [3, 6, 6, 5], k: 3, cout: 7 },
  { x: [2, 6, 6, 32], k: 1, cout: 64 },
  { x: [4, 4, 4, 64], k: 3, cout: 64 },
] as const;

describe('Conv2D gradient kernels (conv2d-gradient.ts, layout.ts) against direct sums and stock ops', () => {
  beforeAll(useTestBackend);

  it.each(cases)('dW of x $x, k $k → $cout channels equals the float64 direct sum (relative error ≤ 1e-5)', async ({ x: shape, k, cout }) => {
    await onHeapBackends(() => {
      tf.tidy(() => {
        const x = randomTensor([...shape], 1) as tf.Tensor4D;
        const pad = (k - 1) / 2;
        const dy = randomTensor([shape[0], shape[1], shape[2], cout], 2) as tf.Tensor4D;
        const dw = conv2dFilterGradient(x, dy, [pad, pad, pad, pad], [k, k, shape[3], cout]);
        expect(dw.shape).toEqual([k, k, shape[3], cout]);
        expect(relativeError(dw.dataSync(), directFilterGradient(x, dy, k, pad))).toBeLessThanOrEqual(1e-5);
      });
    });
  });

  it('dW with valid and asymmetric explicit padding', async () => {
    await onHeapBackends(() => {
      tf.tidy(() => {
        const x = randomTensor([2, 7, 6, 8], 3) as tf.Tensor4D;
        const w = randomTensor([3, 3, 8, 8], 4) as tf.Tensor4D;
        for (const pad of ['valid', [[0, 0], [0, 2], [1, 0], [0, 0]]] as const) {
          const upstream = tf.randomNormal(tf.conv2d(x, w, 1, pad as 'valid').shape, 0, 1, 'float32', 5);
          const [, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad as 'valid'), upstream)))([x, w]);
          const stock = stockConvolutionGradient()!.gradFunc(upstream, [x, w], { strides: 1, pad, dataFormat: 'NHWC', dilations: 1 } as unknown as tf.NamedAttrMap);
          if (tf.getBackend() === 'cpu') expect(relativeError(dw!.dataSync(), stock.filter!().dataSync())).toBeLessThanOrEqual(1e-5);
          const dx = conv2dInputGradient(upstream as tf.Tensor4D, w, pad === 'valid' ? [0, 0, 0, 0] : [0, 2, 1, 0]);
          expect(relativeError(dx.dataSync(), stock.x!().dataSync())).toBeLessThanOrEqual(1e-5);
        }
      });
    });
  });

  it('layout kernels equal their stock-op compositions exactly', async () => {
    await onHeapBackends(() => {
      tf.tidy(() => {
        const w = randomTensor([3, 5, 4, 6], 6) as tf.Tensor4D;
        expect(Array.from(flipFilter(w).dataSync())).toEqual(Array.from(tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]).dataSync()));
        const x = randomTensor([3, 5, 4, 7], 7) as tf.Tensor4D;
        const padded = padToChannelsAsBatch(x, [1, 2, 0, 1]);
        expect(padded.shape).toEqual([7, 8, 5, 3]);
        expect(Array.from(padded.dataSync())).toEqual(Array.from(tf.transpose(tf.pad(x, [[0, 0], [1, 2], [0, 1], [0, 0]]), [3, 1, 2, 0]).dataSync()));
        expect(Array.from(batchAsInputChannels(x).dataSync())).toEqual(Array.from(tf.transpose(x, [1, 2, 0, 3]).dataSync()));
      });
    });
  });
});
