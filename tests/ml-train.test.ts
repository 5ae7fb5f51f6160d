import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CompVaeConfig, resolveConfig } from '../src/ml/config';
import { createMatrix, type Matrix } from '../src/ml/matrix';
import { Rng } from '../src/ml/rng';
import { CompVaeTrainer } from '../src/ml/train';
import { expectNoTensorLeak, useTestBackend } from './helpers/backend';

/** Blurry blobs: smooth random images a small VAE can learn quickly. */
function blobs(count: number, size: number, channels: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const data = new Float32Array(count * size * size * channels);
  for (let n = 0; n < count; n++) {
    const cx = rng.uniform(8, size - 8);
    const cy = rng.uniform(8, size - 8);
    const radius = rng.uniform(3, 7);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < channels; c++) {
          const d = Math.hypot(x - cx, y - cy);
          data[((n * size + y) * size + x) * channels + c] = 1 / (1 + Math.exp(d - radius));
        }
  }
  return createMatrix(count, size * size * channels, data);
}

function small(overrides: Partial<CompVaeConfig>): CompVaeConfig {
  return resolveConfig({ imageSize: 32, channels: 1, latentDim: 16, epochs: 2, batchSize: 16, seed: 3, learningRate: 1e-3, ...overrides });
}

describe('training loop (method.md §5)', () => {
  beforeAll(useTestBackend);
  const images = blobs(48, 32, 1, 1);

  it.each(['comp', 'vmf', 'vae', 'ae'] as const)('%s trains with finite losses, logs every term, leaks no tensor', async (method) => {
    await expectNoTensorLeak(async () => {
      const trainer = new CompVaeTrainer(small({ method }));
      const steps: number[] = [];
      const outcome = await trainer.fit({ images }, { onBatchEnd: (info) => void steps.push(info.step) });
      expect(outcome.epochsCompleted).toBe(2);
      expect(steps.length).toBe(6);
      const [first, second] = outcome.history;
      expect(first && second).toBeTruthy();
      for (const log of outcome.history) for (const value of Object.values(log.losses)) expect(Number.isFinite(value)).toBe(true);
      expect(second!.losses.rec).toBeLessThan(first!.losses.rec!);
      if (method === 'comp' || method === 'vmf') {
        expect(Object.keys(first!.losses)).toEqual(expect.arrayContaining(['rec', 'kld', 'angle_mu', 'radius_mu', 'angle_sigma', 'radius_sigma']));
        // β calibration after epoch 0: β_eff = 2500·rec/(KLD + 1e-3) of epoch 0.
        expect(second!.betaEffective).toBeCloseTo((2500 * first!.losses.rec!) / (first!.losses.kld! + 1e-3), 6);
        expect(second!.annealing).toBe(2);
      }
      if (method === 'vae') expect(first!.losses.kl).toBeGreaterThan(0);
      const { mu } = trainer.encode(images);
      expect(mu.rows).toBe(48);
      expect(mu.cols).toBe(16);
      trainer.dispose();
    });
  });

  it('stops between batches and resumes from its state exactly as an uninterrupted run', async () => {
    await expectNoTensorLeak(async () => {
      const straight = new CompVaeTrainer(small({ epochs: 2 }));
      await straight.fit({ images });
      const reference = straight.network.exportWeights();

      const first = new CompVaeTrainer(small({ epochs: 2 }));
      let epochsEnded = 0;
      const partial = await first.fit({ images }, { onEpochEnd: () => void (epochsEnded += 1), shouldStop: () => epochsEnded >= 1 });
      expect(partial.stopped).toBe(true);
      expect(partial.epochsCompleted).toBe(1);
      const state = first.exportState();
      first.dispose();

      const resumed = new CompVaeTrainer(small({ epochs: 2 }));
      resumed.importState(state);
      const outcome = await resumed.fit({ images });
      expect(outcome.epochsCompleted).toBe(2);
      expect(outcome.history).toHaveLength(2);
      const weights = resumed.network.exportWeights();
      for (const [name, { values }] of reference) {
        const other = weights.get(name)!.values;
        let maxDiff = 0;
        values.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - (other[i] as number)))));
        expect(maxDiff, name).toBeLessThan(1e-6);
      }
      straight.dispose();
      resumed.dispose();
    });
  });

  it('class-conditioned (OOD) mode rolls each class toward its own axis', async () => {
    await expectNoTensorLeak(async () => {
      const classes = Int32Array.from({ length: 48 }, (_, i) => i % 2);
      const trainer = new CompVaeTrainer(small({ classConditioned: true, latentDim: 24, epochs: 1 }));
      const outcome = await trainer.fit({ images, classes });
      expect(Number.isFinite(outcome.history[0]!.losses.angle_mu)).toBe(true);
      trainer.dispose();
      const missing = new CompVaeTrainer(small({ classConditioned: true }));
      await expect(missing.fit({ images })).rejects.toThrow(/class per image/);
      missing.dispose();
    });
  });

  it('rejects images of the wrong shape with a clear message', async () => {
    const trainer = new CompVaeTrainer(small({}));
    await expect(trainer.fit({ images: createMatrix(4, 10) })).rejects.toThrow(/expects 32×32×1/);
    trainer.dispose();
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
});
