/**
 * Cartesian ↔ hyperspherical coordinates (method.md §2).
 *
 * The losses use only cosines, never arccos: cos_i = x_i / sqrt(Σ_{j≥i} x_j² + eps), i = 1..n−1,
 * with eps inside the sqrt so the gradient stays finite where the tail vanishes. The tensor form is
 * one reverse cumulative sum, O(n) per vector. Angles and the inverse map are for people (histograms
 * in degrees, the 3-D sphere view) and for tests.
 */
import * as tf from '@tensorflow/tfjs-core';

import { DEFAULT_COSINE_EPS } from './spherical';

export { angles, cosines, DEFAULT_COSINE_EPS, fromAngles, radius, sphere3d } from './spherical';

/** Batch of vectors (M × n) → cosines of the n−1 angles (M × (n−1)). */
export function cosinesTensor(x: tf.Tensor2D, eps = DEFAULT_COSINE_EPS): tf.Tensor2D {
  return tf.tidy(() => {
    const n = x.shape[1];
    const tail = tf.cumsum(tf.square(x), 1, false, true);
    const cosines = tf.div(x, tf.sqrt(tf.add(tail, eps)));
    return tf.slice(cosines, [0, 0], [-1, n - 1]) as tf.Tensor2D;
  });
}

/** Batch of vectors (M × n) → Euclidean norms (M), no eps. */
export function radiusTensor(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.norm(x, 'euclidean', 1) as tf.Tensor1D);
}
