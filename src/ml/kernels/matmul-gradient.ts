/**
 * BatchMatMul gradient with explicit transposes on the wasm backend.
 *
 * tfjs's stock gradient of C = A·B is dA = dC·Bᵀ and dB = Aᵀ·dC, written as matMul with
 * transposeA / transposeB. The wasm backend sends only untransposed, unbatched products to XNNPACK;
 * every transposed one goes to a naive triple loop (tfjs-backend-wasm batch_mat_mul_impl.cc,
 * `slow_batch_matmul`), measured 10–50× slower on the dense layers of §8. Transposing the small
 * operand first keeps both products on XNNPACK. Same products, same values; other backends and
 * other attribute combinations keep the stock gradient.
 */
import * as tf from '@tensorflow/tfjs-core';

let stockGradient: tf.GradConfig | undefined;
let installed = false;

function gradient(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): ReturnType<tf.GradConfig['gradFunc']> {
  const [a, b] = saved as [tf.Tensor, tf.Tensor];
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const upstream = dy as tf.Tensor;
  if (tf.getBackend() === 'wasm' && a.rank === 2 && b.rank === 2 && !transposeA && !transposeB) {
    return {
      a: () => tf.tidy(() => tf.matMul(upstream as tf.Tensor2D, tf.transpose(b) as tf.Tensor2D)),
      b: () => tf.tidy(() => tf.matMul(tf.transpose(a) as tf.Tensor2D, upstream as tf.Tensor2D)),
    };
  }
  if (!stockGradient) throw new Error('BatchMatMul gradient: no stock gradient to fall back on');
  return stockGradient.gradFunc(dy, saved, attrs);
}

/** Replaces the BatchMatMul gradient (idempotent). */
export function installMatMulGradient(): void {
  if (installed) return;
  stockGradient = tf.getGradient('BatchMatMul');
  tf.registerGradient({ kernelName: 'BatchMatMul', inputsToSave: ['a', 'b'], gradFunc: gradient });
  installed = true;
}

export function stockMatMulGradient(): tf.GradConfig | undefined {
  return stockGradient ?? tf.getGradient('BatchMatMul');
}
