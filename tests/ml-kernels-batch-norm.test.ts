import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { BATCH_NORM_TRAIN, batchNormInfer, batchNormTrain, composite } from '../src/ml/kernels/batch-norm';
import { expectNoTensorLeak, useTestBackend } from './helpers/backend';
import { relativeError, onHeapBackends, randomTensor } from './helpers/kernels';

const shapes = [
  { name: 'NHWC, 16 channels', shape: [4, 6, 6, 16] },
  { name: 'NHWC, 3 channels (scalar path)', shape: [3, 5, 5, 3] },
  { name: 'BN1d, 1024 features', shape: [8, 1024] },
];
const epsilon = 1e-5;

/** Stock-op reference: batch statistics from tf.moments, then the composite map. */
function reference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, residual: tf.Tensor | undefined, leak: number): tf.Tensor {
  const axes = x.shape.slice(0, -1).map((_, axis) => axis);
  const { mean, variance } = tf.moments(x, axes);
  return composite(x, gamma, beta, mean, variance, { epsilon, leak, ...(residual ? { residual } : {}) });
}

describe('fused batch norm + residual + LeakyReLU (kernels/batch-norm.ts) against stock ops', () => {
  beforeAll(useTestBackend);

  it.each(shapes.flatMap((s) => [false, true].map((withResidual) => ({ ...s, withResidual }))))(
    '$name, residual $withResidual: forward, statistics and gradients (relative error ≤ 1e-5)',
    async ({ shape, withResidual }) => {
      await onHeapBackends((backend) => {
        expect(tf.getKernel(BATCH_NORM_TRAIN, backend)).toBeDefined();
        const channels = shape[shape.length - 1] as number;
        tf.tidy(() => {
          const x = randomTensor(shape, 1, 2, 0.5);
          const gamma = randomTensor([channels], 2, 0.5, 1);
          const beta = randomTensor([channels], 3, 0.3);
          const residual = withResidual ? randomTensor(shape, 4) : undefined;
          const upstream = randomTensor(shape, 5);
          const options = { epsilon, leak: 0.2, ...(residual ? { residual } : {}) };

          const fused = batchNormTrain(x, gamma, beta, options);
          const stock = reference(x, gamma, beta, residual, 0.2);
          expect(relativeError(fused.y.dataSync(), stock.dataSync())).toBeLessThanOrEqual(1e-5);
          const axes = shape.slice(0, -1).map((_, axis) => axis);
          const moments = tf.moments(x, axes);
          expect(relativeError(fused.mean.dataSync(), moments.mean.dataSync())).toBeLessThanOrEqual(1e-5);
          expect(relativeError(fused.variance.dataSync(), moments.variance.dataSync())).toBeLessThanOrEqual(1e-5);

          const inputs = residual ? [x, gamma, beta, residual] : [x, gamma, beta];
          const ours = tf.grads((...args: tf.Tensor[]) =>
            tf.sum(tf.mul(batchNormTrain(args[0]!, args[1]!, args[2]!, { epsilon, leak: 0.2, ...(args[3] ? { residual: args[3] } : {}) }).y, upstream)),
          )(inputs);
          const theirs = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(reference(args[0]!, args[1]!, args[2]!, args[3], 0.2), upstream)))(inputs);
          ours.forEach((g, i) => expect(relativeError(g.dataSync(), theirs[i]!.dataSync()), `${backend} gradient ${i}`).toBeLessThanOrEqual(1e-5));
        });
      });
    },
  );

  it('inference mode with given statistics matches the composite map', async () => {
    await onHeapBackends(() => {
      tf.tidy(() => {
        const x = randomTensor([2, 4, 4, 8], 6, 3);
        const gamma = randomTensor([8], 7, 0.5, 1);
        const beta = randomTensor([8], 8);
        const mean = randomTensor([8], 9);
        const variance = tf.abs(randomTensor([8], 10, 1, 1.5));
        const residual = randomTensor([2, 4, 4, 8], 11);
        const fused = batchNormInfer(x, gamma, beta, mean, variance, { epsilon, leak: 0.2, residual });
        const stock = composite(x, gamma, beta, mean, variance, { epsilon, leak: 0.2, residual });
        expect(relativeError(fused.dataSync(), stock.dataSync())).toBeLessThanOrEqual(1e-5);
      });
    });
  });

  it('leaves no tensor behind, forward and backward', async () => {
    await expectNoTensorLeak(() => {
      const x = randomTensor([2, 4, 4, 8], 12);
      const gamma = tf.tidy(() => tf.variable(tf.ones([8])));
      const beta = tf.tidy(() => tf.variable(tf.zeros([8])));
      const upstream = randomTensor([2, 4, 4, 8], 13);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(batchNormTrain(x, gamma, beta, { epsilon, leak: 0.2 }).y, upstream)) as tf.Scalar, [gamma, beta]);
      tf.dispose([value, ...Object.values(grads), x, gamma, beta, upstream]);
    });
  });
});
