/**
 * The cosines of the hyperspherical angles of a latent mean, for the results table, as float32.
 * Uses the plain formula of src/ml/spherical.ts, which does not load TensorFlow.js: the main process
 * only files results; training happens in worker threads.
 */
import { cosines, DEFAULT_COSINE_EPS } from '../../ml/spherical';

/** Used when a run's config does not name cosineEps. */
export const DEFAULT_ANGLE_COSINE_EPS = DEFAULT_COSINE_EPS;

export function angleCosines(x: ArrayLike<number>, eps: number = DEFAULT_ANGLE_COSINE_EPS): Float32Array {
  return Float32Array.from(cosines(x, eps));
}
