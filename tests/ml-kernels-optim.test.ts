import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '../src/ml/adam';
import { ADAM_UPDATE } from '../src/ml/kernels/adam';
import { stockMatMulGradient } from '../src/ml/kernels/matmul-gradient';
import { expectNoTensorLeak, useTestBackend } from './helpers/backend';
import { relativeError, onHeapBackends, randomTensor } from './helpers/kernels';

/** PyTorch's Adam in stock ops (what adam.ts does on backends without the fused kernel). */
function stockAdam(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, step: number, lr: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const m2 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
  const v2 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
  const denominator = tf.add(tf.sqrt(tf.div(v2, 1 - b2 ** step)), eps);
  const p2 = tf.sub(p, tf.div(tf.mul(m2, lr / (1 - b1 ** step)), denominator));
  return [p2, m2, v2];
}

describe('fused optimiser and dense-layer kernels against stock ops', () => {
  beforeAll(useTestBackend);

  it('PolarisAdam: five steps equal the stock-op Adam (relative error ≤ 1e-5)', async () => {
    await onHeapBackends((backend) => {
      expect(tf.getKernel(ADAM_UPDATE, backend)).toBeDefined();
      const shape = [37, 5]; // not a multiple of 4: covers the kernel's tail loop
      const parameter = tf.tidy(() => tf.variable(randomTensor(shape, 1)));
      const adam = new Adam(new Map([['w', parameter]]), { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
      let reference: tf.Tensor[] = [parameter.clone(), tf.zeros(shape), tf.zeros(shape)];
      for (let step = 1; step <= 5; step++) {
        const gradient = randomTensor(shape, 10 + step, step);
        adam.apply(new Map([['w', gradient]]), 1e-2);
        const next = tf.tidy(() => stockAdam(reference[0]!, reference[1]!, reference[2]!, gradient, step, 1e-2));
        tf.dispose([...reference, gradient]);
        reference = next;
      }
      expect(relativeError(parameter.dataSync(), reference[0]!.dataSync())).toBeLessThanOrEqual(1e-5);
      const state = adam.exportState().moments.get('w')!;
      expect(relativeError(state.first, reference[1]!.dataSync())).toBeLessThanOrEqual(1e-5);
      expect(relativeError(state.second, reference[2]!.dataSync())).toBeLessThanOrEqual(1e-5);
      tf.dispose([...reference, parameter]);
      adam.dispose();
    });
  });

  it('BatchMatMul gradient with explicit transposes equals the stock gradient', async () => {
    await onHeapBackends(() => {
      tf.tidy(() => {
        const a = randomTensor([32, 1024], 1);
        const b = randomTensor([1024, 64], 2);
        const dy = randomTensor([32, 64], 3);
        const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), dy)))([a, b]);
        const stock = stockMatMulGradient()!.gradFunc(dy, [a, b], { transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap);
        expect(relativeError(da!.dataSync(), stock.a!().dataSync())).toBeLessThanOrEqual(1e-5);
        expect(relativeError(db!.dataSync(), stock.b!().dataSync())).toBeLessThanOrEqual(1e-5);
      });
    });
  });

  it('Adam leaves no tensor behind', async () => {
    await expectNoTensorLeak(() => {
      const parameter = tf.tidy(() => tf.variable(tf.ones([8])));
      const adam = new Adam(new Map([['w', parameter]]), { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
      const gradient = tf.ones([8]);
      adam.apply(new Map([['w', gradient]]), 1e-3);
      tf.dispose([gradient, parameter]);
      adam.dispose();
    });
  });
});
