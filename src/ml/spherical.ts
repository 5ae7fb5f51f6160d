/**
 * Hyperspherical coordinates of single vectors in plain TypeScript (method.md §2), with no
 * TensorFlow.js: the reference the tensor form is tested against, and what the main process uses to
 * file per-angle cosines without loading tfjs. Tensor versions live in coords.ts.
 *
 *   cos_i = x_i / sqrt(Σ_{j≥i} x_j² + eps), i = 1..n−1;  r = ||x||₂
 */

export const DEFAULT_COSINE_EPS = 1e-3;

/** One vector → its n−1 cosines (plain loop; the reference the tensor form is tested against). */
export function cosines(x: ArrayLike<number>, eps = DEFAULT_COSINE_EPS): Float64Array {
  const n = x.length;
  const out = new Float64Array(Math.max(n - 1, 0));
  const tails = tailSquareSums(x);
  for (let i = 0; i < n - 1; i++) out[i] = (x[i] as number) / Math.sqrt((tails[i] as number) + eps);
  return out;
}

/** tails[i] = Σ_{j ≥ i} x_j² (reverse cumulative sum of squares). */
function tailSquareSums(x: ArrayLike<number>): Float64Array {
  const tails = new Float64Array(x.length);
  let tail = 0;
  for (let i = x.length - 1; i >= 0; i--) {
    tail += (x[i] as number) ** 2;
    tails[i] = tail;
  }
  return tails;
}

export function radius(x: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (x[i] as number) ** 2;
  return Math.sqrt(sum);
}

/**
 * One vector → its n−1 angles in radians: φ_i = acos(clamp(cos_i, −1, 1)) with eps = 0, and the last
 * angle φ_{n−1} = 2π − φ_{n−1} when x_n < 0, so φ_{n−1} ∈ [0, 2π) and the map is invertible.
 * Where the tail is exactly zero the angle is undefined; 0 is returned (the vector lies on axis i).
 */
export function angles(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const out = new Float64Array(Math.max(n - 1, 0));
  const tails = tailSquareSums(x);
  for (let i = 0; i < n - 1; i++) {
    const norm = Math.sqrt(tails[i] as number);
    const cosine = norm === 0 ? 1 : Math.min(1, Math.max(-1, (x[i] as number) / norm));
    out[i] = Math.acos(cosine);
  }
  if (n >= 2 && (x[n - 1] as number) < 0) out[n - 2] = 2 * Math.PI - (out[n - 2] as number);
  return out;
}

/** Inverse map: x_i = r·cos φ_i·Π_{k<i} sin φ_k, x_n = r·Π_{k<n} sin φ_k. */
export function fromAngles(r: number, phi: ArrayLike<number>): Float64Array {
  const n = phi.length + 1;
  const out = new Float64Array(n);
  let sineProduct = r;
  for (let i = 0; i < n - 1; i++) {
    out[i] = sineProduct * Math.cos(phi[i] as number);
    sineProduct *= Math.sin(phi[i] as number);
  }
  out[n - 1] = sineProduct;
  return out;
}

/**
 * The paper's 3-D view of the hypersphere: the n coordinates averaged in three contiguous groups,
 * then normalized to the unit sphere.
 */
export function sphere3d(x: ArrayLike<number>): [number, number, number] {
  const n = x.length;
  const sums = [0, 0, 0];
  const counts = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const group = Math.min(2, Math.floor((i * 3) / n));
    sums[group] = (sums[group] as number) + (x[i] as number);
    counts[group] = (counts[group] as number) + 1;
  }
  const means = sums.map((s, g) => ((counts[g] as number) > 0 ? s / (counts[g] as number) : 0));
  const norm = Math.hypot(...means) || 1;
  return [(means[0] as number) / norm, (means[1] as number) / norm, (means[2] as number) / norm];
}
