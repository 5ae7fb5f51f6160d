import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/ml/config';
import {
  angleGains,
  annealingFactor,
  calibratedBeta,
  cartesianBatchDivergence,
  type ClassSegment,
  fDivergence,
  hypersphericalDivergence,
  isotropicCosineScale,
  learningRateAt,
  muAngleMeanWeights,
  perSampleKl,
  reconstructionLoss,
  rollColumns,
} from '../src/ml/losses';
import { expectNoTensorLeak, useTestBackend } from './helpers/backend';

interface LossCase {
  batch: number;
  latentDim: number;
  epoch: number;
  method: 'comp' | 'vmf';
  mu: number[];
  logvar: number[];
  classes: number[] | null;
  angleMu: number;
  radiusMu: number;
  angleSigma: number;
  radiusSigma: number;
  kld: number;
  perSampleKl: number;
  cartesianDivergence: number;
}

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/losses/loss-terms.json', import.meta.url), 'utf8')) as { cases: LossCase[] };

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
}

function segmentsOf(classes: number[]): ClassSegment[] {
  const segments: ClassSegment[] = [];
  let start = 0;
  while (start < classes.length) {
    let end = start;
    while (end < classes.length && classes[end] === classes[start]) end++;
    if (end - start >= 2) segments.push({ classIndex: classes[start] as number, start, count: end - start });
    start = end;
  }
  return segments;
}

describe('loss terms (method.md §3–5)', () => {
  beforeAll(useTestBackend);

  it('f(1) = 0, f(1.01) = 1.993e-4', () => {
    const values = tf.tidy(() => fDivergence(tf.tensor1d([1, 1.01])).arraySync() as number[]);
    expect(values[0]).toBeCloseTo(0, 7);
    expect(values[1]).toBeCloseTo(1.993e-4, 6);
  });

  it('gains β_1 = 565.685, β_127 = 50.196 at n = 128; priors and weights', () => {
    const gains = angleGains(128, 50);
    expect(gains[0]).toBeCloseTo(565.685, 3);
    expect(gains[126]).toBeCloseTo(50.196, 3);
    const scale = isotropicCosineScale(128, 1e-3);
    expect(scale[0]).toBeCloseTo(0.088388, 6);
    expect(scale[126]).toBeCloseTo(0.70693, 5);
    const config = resolveConfig({ latentDim: 8 });
    expect(Array.from(muAngleMeanWeights(config, 0))).toEqual([100, 1, 1, 1, 1, 1, 0]);
    const late = Array.from(muAngleMeanWeights(config, 110));
    expect(late[0]).toBe(150);
    expect(late[3]).toBeCloseTo(Math.sqrt(110 - 101) + 1, 6);
    expect(late[6]).toBe(0);
  });

  it('roll(arange(128), −30)[0] = 30', () => {
    const rolled = tf.tidy(() => rollColumns(tf.range(0, 128).reshape([1, 128]) as tf.Tensor2D, 30).arraySync());
    expect(rolled[0]?.[0]).toBe(30);
    expect(rolled[0]?.[127]).toBe(29);
  });

  it.each(fixtures.cases.map((c, i) => [i, c] as const))('case %i matches the independent numpy values', async (_index, fixture) => {
    const config = resolveConfig({ method: fixture.method, latentDim: fixture.latentDim });
    const terms = await expectNoTensorLeak(() =>
      tf.tidy(() => {
        const mu = tf.tensor2d(fixture.mu, [fixture.batch, fixture.latentDim]);
        const logvar = tf.tensor2d(fixture.logvar, [fixture.batch, fixture.latentDim]);
        const sigma = tf.exp(tf.mul(logvar, 0.5)) as tf.Tensor2D;
        const segments = fixture.classes ? segmentsOf(fixture.classes) : undefined;
        const t = hypersphericalDivergence(mu, sigma, config, fixture.epoch, segments);
        return {
          angleMu: t.angleMu.dataSync()[0] as number,
          radiusMu: t.radiusMu.dataSync()[0] as number,
          angleSigma: t.angleSigma.dataSync()[0] as number,
          radiusSigma: t.radiusSigma.dataSync()[0] as number,
          kld: t.kld.dataSync()[0] as number,
          kl: perSampleKl(mu, logvar).dataSync()[0] as number,
          cartesian: cartesianBatchDivergence(mu, config.varianceEps).dataSync()[0] as number,
        };
      }),
    );
    expect(relativeError(terms.angleMu, fixture.angleMu)).toBeLessThan(2e-4);
    expect(relativeError(terms.radiusMu, fixture.radiusMu)).toBeLessThan(2e-4);
    expect(relativeError(terms.angleSigma, fixture.angleSigma)).toBeLessThan(2e-4);
    expect(relativeError(terms.radiusSigma, fixture.radiusSigma)).toBeLessThan(2e-4);
    expect(relativeError(terms.kld, fixture.kld)).toBeLessThan(2e-4);
    expect(relativeError(terms.kl, fixture.perSampleKl)).toBeLessThan(1e-4);
    expect(relativeError(terms.cartesian, fixture.cartesianDivergence)).toBeLessThan(1e-4);
  });

  it('reconstruction = Σ pixels (x − x̂)², averaged over the batch', () => {
    const value = tf.tidy(() => reconstructionLoss(tf.ones([2, 2, 2, 1]), tf.zeros([2, 2, 2, 1])).dataSync()[0]);
    expect(value).toBe(4);
  });

  it('annealing sqrt(e)+1 up to epoch 100, then 1; β calibration; lr milestones', () => {
    expect(annealingFactor(0, 100)).toBe(1);
    expect(annealingFactor(4, 100)).toBe(3);
    expect(annealingFactor(100, 100)).toBe(11);
    expect(annealingFactor(101, 100)).toBe(1);
    const config = resolveConfig();
    expect(calibratedBeta(200, 1e6, config)).toBeCloseTo((2500 * 200) / (1e6 + 1e-3), 9);
    expect(learningRateAt(279, config)).toBe(2e-4);
    expect(learningRateAt(280, config)).toBe(1e-4);
    expect(learningRateAt(450, config)).toBe(5e-5);
  });
});
