import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/ml/config';
import { evaluateDivergence } from '../src/ml/kernels/hyperspherical-divergence';
import { type ClassSegment, hypersphericalDivergence, hypersphericalDivergenceReference, hypersphericalSpec } from '../src/ml/losses';
import { Rng } from '../src/ml/rng';
import { expectNoTensorLeak, useTestBackend } from './helpers/backend';

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

function latentBatch(rows: number, n: number, seed: number): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
  const rng = new Rng(seed);
  const mu = tf.tensor2d(Float32Array.from({ length: rows * n }, () => rng.normal() + (rng.next() < 0.5 ? 0.3 : -0.2)), [rows, n]);
  const logvar = tf.tensor2d(Float32Array.from({ length: rows * n }, () => rng.normal() * 0.3 - 1), [rows, n]);
  return { mu, logvar };
}

const terms = ['angleMu', 'radiusMu', 'angleSigma', 'radiusSigma', 'kld'] as const;

describe('fused hyperspherical divergence (kernels/hyperspherical-divergence.ts) against the stock-op composition', () => {
  beforeAll(useTestBackend);

  it.each([
    { rows: 32, n: 128, epoch: 0, method: 'comp' as const, segments: undefined },
    { rows: 16, n: 200, epoch: 120, method: 'vmf' as const, segments: undefined },
    {
      rows: 12,
      n: 40,
      epoch: 3,
      method: 'comp' as const,
      segments: [
        { classIndex: 0, start: 0, count: 5 },
        { classIndex: 2, start: 5, count: 7 },
      ] satisfies ClassSegment[],
    },
  ])('n = $n, $rows rows, epoch $epoch, $method, segments: values and gradients through every term', async ({ rows, n, epoch, method, segments }) => {
    const config = resolveConfig({ latentDim: n, method, classConditioned: segments !== undefined });
    await expectNoTensorLeak(() =>
      tf.tidy(() => {
        const { mu, logvar } = latentBatch(rows, n, n);
        const sigmaOf = (l: tf.Tensor) => tf.exp(tf.mul(l, 0.5)) as tf.Tensor2D;
        const fused = hypersphericalDivergence(mu, sigmaOf(logvar), config, epoch, segments);
        const stock = hypersphericalDivergenceReference(mu, sigmaOf(logvar), config, epoch, segments);
        for (const term of terms) {
          expect(relativeError(fused[term].dataSync(), stock[term].dataSync()), term).toBeLessThanOrEqual(1e-5);
        }
        // Gradients with respect to μ and logvar, through a weighted sum of all five terms.
        const weights = [0.3, -1.1, 0.7, 2.0, 1e-3];
        const combine = (t: Record<(typeof terms)[number], tf.Scalar>) => tf.addN(terms.map((name, i) => tf.mul(t[name], weights[i]!)));
        const ours = tf.grads((m: tf.Tensor, l: tf.Tensor) => combine(hypersphericalDivergence(m as tf.Tensor2D, sigmaOf(l), config, epoch, segments)))([mu, logvar]);
        const theirs = tf.grads((m: tf.Tensor, l: tf.Tensor) => combine(hypersphericalDivergenceReference(m as tf.Tensor2D, sigmaOf(l), config, epoch, segments)))([mu, logvar]);
        ours.forEach((g, i) => expect(relativeError(g.dataSync(), theirs[i]!.dataSync()), `gradient ${i}`).toBeLessThanOrEqual(1e-5));
      }),
    );
  });

  it('the closed-form gradients of all four terms match central finite differences (float64)', () => {
    const rows = 6;
    const n = 9;
    const rng = new Rng(4);
    const mu = Float32Array.from({ length: rows * n }, () => rng.normal() + 0.5);
    const sigma = Float32Array.from({ length: rows * n }, () => Math.exp(rng.normal() * 0.3 - 1));
    const spec = hypersphericalSpec(resolveConfig({ latentDim: n, classAxisSpacing: 4 }), 0, [{ classIndex: 0, start: 0, count: 3 }, { classIndex: 1, start: 3, count: 3 }].map((s) => ({ ...s })));
    const { gradients } = evaluateDivergence(mu, sigma, rows, n, spec);
    const h = 2 ** -12;
    for (const index of [0, 7, 20, 53]) {
      for (const [which, values, grads] of [
        ['mu', mu, [gradients.muAngle, gradients.muRadius]],
        ['sigma', sigma, [gradients.sigmaAngle, gradients.sigmaRadius]],
      ] as const) {
        const plus = Float32Array.from(values);
        const minus = Float32Array.from(values);
        plus[index] = (plus[index] as number) + h;
        minus[index] = (minus[index] as number) - h;
        const at = (v: Float32Array) => evaluateDivergence(which === 'mu' ? v : mu, which === 'mu' ? sigma : v, rows, n, spec).terms;
        const [up, down] = [at(plus), at(minus)];
        const step = (plus[index] as number) - (minus[index] as number);
        const offset = which === 'mu' ? 0 : 2;
        for (let t = 0; t < 2; t++) {
          const numeric = ((up[offset + t] as number) - (down[offset + t] as number)) / step;
          const analytic = grads[t]![index] as number;
          expect(Math.abs(analytic - numeric), `${which} term ${t} at ${index}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(numeric)));
        }
      }
    }
  });
});
