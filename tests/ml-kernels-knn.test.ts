import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { NeighborIndex } from '../src/ml/detectors/knn-search';
import { float32Up, knnKernels } from '../src/ml/kernels/knn-filter';
import { createMatrix } from '../src/ml/matrix';
import { Rng } from '../src/ml/rng';
import { expectNoTensorLeak, useTestBackend } from './helpers/backend';

/** Runs fn on each of the backends whose kernels Polaris replaces (wasm first, then cpu), restoring the active one. */
async function onHeapBackends(fn: (backend: 'wasm' | 'cpu') => void | Promise<void>): Promise<void> {
  const previous = tf.getBackend();
  tf.env().set('IS_TEST', true); // silences the cpu backend's "install tfjs-node" banner
  try {
    for (const backend of ['wasm', 'cpu'] as const) {
      if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} unavailable`);
      await fn(backend);
    }
  } finally {
    await tf.setBackend(previous);
  }
}

const rng = new Rng(9);
// Data chosen to stress the int16 first pass: a far-away tight island (what Comp.VAE latents look
// like), heavy duplication and ties, mixed scales, all-zero rows, dimensions not a multiple of 8.
const cases: [string, number, number, () => number][] = [
  ['gaussian', 700, 128, () => rng.normal()],
  ['island', 700, 64, () => 10 + rng.normal() * 1e-3],
  ['duplicates', 900, 13, () => Math.round(rng.normal())],
  ['mixed scales', 900, 20, () => rng.normal() * (rng.next() < 0.1 ? 1000 : 0.01)],
  ['zeros', 300, 12, () => 0],
];

describe('k-NN search with the SIMD int16 first pass (kernels/knn-filter.ts) on wasm', () => {
  beforeAll(useTestBackend);

  it('float32Up rounds up to float32', () => {
    for (const v of [0.1, -0.1, 1 / 3, -1 / 3, 1e-40, 3, Number.POSITIVE_INFINITY]) {
      const up = float32Up(v);
      expect(up).toBeGreaterThanOrEqual(v);
      expect(Math.fround(up)).toBe(up);
    }
  });

  it.each(cases)('%s: neighbours and distances identical to the float32 matMul path (cpu), k = 1, 3, 50, with and without excludeSelf', async (_name, rows, cols, draw) => {
    const bank = createMatrix(rows, cols, Float32Array.from({ length: rows * cols }, draw));
    const queries = createMatrix(150, cols, Float32Array.from({ length: 150 * cols }, draw));
    const index = new NeighborIndex(bank, { queryBlockSize: 100, bankBlockSize: 512 });
    const results: Record<string, { indices: Int32Array; distances: Float64Array }[]> = {};
    await onHeapBackends(async (backend) => {
      if (backend === 'wasm') expect(knnKernels(tf.backend())).not.toBeNull();
      results[backend] = [];
      for (const k of [1, 3, 50]) {
        results[backend]!.push(await index.search(queries, k));
        results[backend]!.push(await index.search(bank, k, { excludeSelf: true }));
      }
    });
    results.wasm!.forEach((result, i) => {
      expect(Array.from(result.indices)).toEqual(Array.from(results.cpu![i]!.indices));
      expect(Array.from(result.distances)).toEqual(Array.from(results.cpu![i]!.distances));
    });
  });

  it('leaves no tensor and no heap block behind', async () => {
    const bank = createMatrix(600, 16, Float32Array.from({ length: 600 * 16 }, () => rng.normal()));
    const index = new NeighborIndex(bank);
    await index.search(bank, 3); // the SIMD module's scratch block is allocated once, on first use
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    const before = heap();
    await expectNoTensorLeak(() => index.search(bank, 3, { excludeSelf: true }));
    for (let r = 0; r < 5; r++) await index.search(bank, 3);
    expect(heap()).toBe(before);
  });
});
