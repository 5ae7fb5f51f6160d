import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countParameters, VaeNetwork } from '../src/ml/model';
import { expectNoTensorLeak, useTestBackend } from './helpers/backend';

describe('architecture (method.md §8)', () => {
  beforeAll(useTestBackend);

  it('has 660,995 parameters at 32×32×3, n = 128', () => {
    expect(countParameters({ imageSize: 32, channels: 3, latentDim: 128 })).toBe(660_995);
  });

  it('rejects sizes that are not 32·2^k', () => {
    expect(() => countParameters({ imageSize: 48, channels: 3, latentDim: 8 })).toThrow(/32·2\^k/);
  });

  it.each([
    { imageSize: 32, channels: 1, latentDim: 16 },
    { imageSize: 64, channels: 6, latentDim: 24 },
    { imageSize: 128, channels: 3, latentDim: 8 },
  ])('encodes and decodes $imageSize×$imageSize×$channels with n = $latentDim', async (options) => {
    await expectNoTensorLeak(() => {
      const network = new VaeNetwork(options, 1);
      tf.tidy(() => {
        const images = tf.randomUniform([2, options.imageSize, options.imageSize, options.channels]) as tf.Tensor4D;
        const [mu, logvar] = network.encode(images, { training: false, updates: [] });
        expect(mu.shape).toEqual([2, options.latentDim]);
        expect(logvar.shape).toEqual([2, options.latentDim]);
        const out = network.decode(mu, { training: false, updates: [] });
        expect(out.shape).toEqual([2, options.imageSize, options.imageSize, options.channels]);
        const values = out.dataSync();
        expect(values.every((v) => v > 0 && v < 1)).toBe(true);
      });
      network.dispose();
    });
  });

  it('is seeded: same seed, same weights; weights round-trip through export/import', async () => {
    await expectNoTensorLeak(() => {
      const options = { imageSize: 32, channels: 1, latentDim: 8 };
      const a = new VaeNetwork(options, 5);
      const b = new VaeNetwork(options, 5);
      const c = new VaeNetwork(options, 6);
      const wa = a.exportWeights().get('enc.fc.w')!.values;
      expect(Array.from(b.exportWeights().get('enc.fc.w')!.values)).toEqual(Array.from(wa));
      expect(Array.from(c.exportWeights().get('enc.fc.w')!.values)).not.toEqual(Array.from(wa));
      c.importWeights(a.exportWeights());
      expect(Array.from(c.exportWeights().get('enc.fc.w')!.values)).toEqual(Array.from(wa));
      [a, b, c].forEach((n) => n.dispose());
    });
  });
});
