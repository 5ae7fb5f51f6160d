/** Shared helpers of the kernel tests (tests/ml-kernels-*.test.ts). */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

/** max|a − b| / max|b| (the convention of tests/ml-conv-gradient.test.ts). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Runs fn on each of the backends whose kernels Polaris replaces (wasm first, then cpu), restoring the active one. */
export async function onHeapBackends(fn: (backend: 'wasm' | 'cpu') => void | Promise<void>): Promise<void> {
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

export function randomTensor(shape: number[], seed: number, scale = 1, offset = 0): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale), offset));
}

/** dW[a,b,i,o] = Σ x[n, y+a−before, x+b−before, i]·dy[n, y, x, o], in float64: the reference for Conv2D filter gradients. */
export function directFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, k: number, before: number): Float32Array {
  const [batch, height, width, cin] = x.shape;
  const [, outHeight, outWidth, cout] = dy.shape;
  const xs = x.dataSync();
  const ds = dy.dataSync();
  const out = new Float64Array(k * k * cin * cout);
  for (let n = 0; n < batch; n++)
    for (let y = 0; y < outHeight; y++)
      for (let xx = 0; xx < outWidth; xx++)
        for (let a = 0; a < k; a++)
          for (let b = 0; b < k; b++) {
            const iy = y + a - before;
            const ix = xx + b - before;
            if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
            for (let i = 0; i < cin; i++) {
              const xv = xs[((n * height + iy) * width + ix) * cin + i] as number;
              for (let o = 0; o < cout; o++) out[((a * k + b) * cin + i) * cout + o] += xv * (ds[((n * outHeight + y) * outWidth + xx) * cout + o] as number);
            }
          }
  return Float32Array.from(out);
}
