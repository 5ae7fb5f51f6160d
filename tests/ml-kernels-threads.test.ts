import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { enableSimdWorkers } from '../src/main/parallel/simd-workers';
import { enableWasmThreads } from '../src/main/parallel/wasm-threads';
import { type BackendInfo, describeBackend, initBackend } from '../src/ml/backend';
import { resolveConfig } from '../src/ml/config';
import { NeighborIndex } from '../src/ml/detectors/knn-search';
import { conv2dFilterGradient } from '../src/ml/kernels/conv2d-gradient';
import { simdKernels } from '../src/ml/kernels/simd';
import { createMatrix } from '../src/ml/matrix';
import { Rng } from '../src/ml/rng';
import { CompVaeTrainer } from '../src/ml/train';
import { relativeError, onHeapBackends, randomTensor } from './helpers/kernels';

// This file runs in its own process (vitest forks): it loads the threaded wasm build, 2 threads.
let info: BackendInfo;

describe('threaded wasm backend (src/main/parallel): XNNPACK threads and SIMD worker threads', () => {
  beforeAll(async () => {
    process.env.POLARIS_WASM_THREADS = '2';
    enableWasmThreads();
    enableSimdWorkers();
    info = await initBackend('wasm');
  });

  it('loads the threaded build with 2 threads and the SIMD kernels with a worker', () => {
    expect(info.threads).toBe(2);
    expect(describeBackend(info)).toContain('2 threads');
    expect(simdKernels(tf.backend())?.threads).toBe(2);
  });

  it('the Conv2D filter gradient split between threads equals the single-thread result', () => {
    tf.tidy(() => {
      for (const [cin, cout] of [[16, 16], [16, 3], [8, 32]] as const) {
        const x = randomTensor([4, 32, 32, cin], 1) as tf.Tensor4D;
        const dy = randomTensor([4, 32, 32, cout], 2) as tf.Tensor4D;
        const split = conv2dFilterGradient(x, dy, [1, 1, 1, 1], [3, 3, cin, cout]);
        const simd = simdKernels(tf.backend())!;
        const single = tf.zerosLike(split);
        simd.exports.conv2d_filter_grad(simd.offset(x), simd.offset(dy), simd.offset(single), 4, 32, 32, cin, 32, 32, cout, 3, 3, 1, 1, 0, cin, 0, cout);
        expect(relativeError(split.dataSync(), single.dataSync())).toBe(0);
      }
    });
  });

  it('k-NN with the int16 dot products split between threads is exact', async () => {
    const rng = new Rng(3);
    const bank = createMatrix(2000, 32, Float32Array.from({ length: 2000 * 32 }, () => rng.normal()));
    const queries = createMatrix(400, 32, Float32Array.from({ length: 400 * 32 }, () => rng.normal()));
    const index = new NeighborIndex(bank, { queryBlockSize: 400 });
    const found: Record<string, Int32Array> = {};
    await onHeapBackends(async (backend) => {
      found[backend] = (await index.search(queries, 3)).indices;
    });
    expect(Array.from(found.wasm!)).toEqual(Array.from(found.cpu!));
  });

  it('trains a few Comp.VAE steps with finite losses', async () => {
    const config = resolveConfig({ imageSize: 32, channels: 3, latentDim: 16, batchSize: 8, epochs: 1, seed: 2 });
    const rng = new Rng(4);
    const images = createMatrix(16, 32 * 32 * 3, Float32Array.from({ length: 16 * 32 * 32 * 3 }, () => rng.next()));
    const trainer = new CompVaeTrainer(config);
    const outcome = await trainer.fit({ images });
    for (const value of Object.values(outcome.history[0]!.losses)) expect(Number.isFinite(value)).toBe(true);
    trainer.dispose();
  });
});
