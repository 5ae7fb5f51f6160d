/**
 * Shared plumbing for the binary anomaly-detection metrics in this folder.
 *
 * Conventions used by every metric here (as in anomalib and the Comp.VAE paper, method.md §9):
 * - label 1 = anomaly / out-of-distribution = the POSITIVE class, label 0 = normal;
 * - a higher score means "more anomalous".
 */

/** Scores as produced by a detector: one finite number per item. */
export type Scores = ArrayLike<number>;
/** Ground truth per item: 1 = anomaly (positive), 0 = normal. */
export type Labels = ArrayLike<number>;

/** Item counts per class, returned by {@link validateBinaryProblem}. */
export interface ClassCounts {
  readonly positives: number;
  readonly negatives: number;
}

/**
 * Throws a clear error for inputs that no metric can be computed on: length mismatch, empty input,
 * non-finite scores, labels other than 0/1 and a single class (every ranking metric needs both).
 */
export function validateBinaryProblem(scores: Scores, labels: Labels, metric: string): ClassCounts {
  if (scores.length !== labels.length) {
    throw new RangeError(`${metric}: ${scores.length} scores but ${labels.length} labels; they must match one to one`);
  }
  if (scores.length === 0) throw new RangeError(`${metric}: no items to evaluate`);
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i] as number;
    if (!Number.isFinite(score)) {
      throw new RangeError(`${metric}: score ${score} at index ${i} is not a finite number`);
    }
    const label = labels[i];
    if (label === 1) positives++;
    else if (label !== 0) {
      throw new RangeError(`${metric}: label ${String(label)} at index ${i}; labels must be 0 (normal) or 1 (anomaly)`);
    }
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) {
    const present = positives === 0 ? 'normal (0)' : 'anomalous (1)';
    throw new RangeError(
      `${metric}: all ${scores.length} items are ${present}; the metric needs both normal and anomalous items`,
    );
  }
  return { positives, negatives };
}

/**
 * Item indices ordered by decreasing score; equal scores keep their input order (stable), so any
 * result that depends on the order inside a tie is reproducible.
 */
export function orderByDecreasingScore(scores: Scores): Int32Array {
  const order = new Int32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // The index tie-break makes the order stable whatever the engine's sort guarantees.
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  return order;
}

/**
 * Cumulative true- and false-positive counts when the decision threshold is lowered through each
 * distinct score in turn ("flag everything with score >= threshold"), exactly like sklearn's
 * `_binary_clf_curve`: thresholds are decreasing, one entry per distinct score.
 */
export interface ThresholdCounts {
  readonly thresholds: Float64Array;
  readonly truePositives: Float64Array;
  readonly falsePositives: Float64Array;
}

export function countsAtDistinctThresholds(scores: Scores, labels: Labels): ThresholdCounts {
  const order = orderByDecreasingScore(scores);
  const thresholds: number[] = [];
  const truePositives: number[] = [];
  const falsePositives: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let rank = 0; rank < order.length; rank++) {
    const item = order[rank] as number;
    if (labels[item] === 1) tp++;
    else fp++;
    const score = scores[item] as number;
    const next = rank + 1 < order.length ? (scores[order[rank + 1] as number] as number) : Number.NaN;
    // Emit a point only after the last item of a tie group: tied items cannot be separated.
    if (next !== score) {
      thresholds.push(score);
      truePositives.push(tp);
      falsePositives.push(fp);
    }
  }
  return {
    thresholds: Float64Array.from(thresholds),
    truePositives: Float64Array.from(truePositives),
    falsePositives: Float64Array.from(falsePositives),
  };
}

/**
 * numpy.interp(x, xp, fp) for a non-decreasing xp that may repeat values (as ROC TPRs do): uses the
 * last index i with xp[i] <= x and interpolates linearly towards i + 1; clamps outside the range.
 */
export function interpolate(x: number, xp: ArrayLike<number>, fp: ArrayLike<number>): number {
  const n = xp.length;
  if (n === 0 || n !== fp.length) throw new RangeError('interpolate: xp and fp must be non-empty and of equal length');
  if (x < (xp[0] as number)) return fp[0] as number;
  if (x >= (xp[n - 1] as number)) return fp[n - 1] as number;
  // Binary search for the last index with xp[i] <= x (exists, and is < n - 1, given the checks above).
  let low = 0;
  let high = n - 1;
  while (high - low > 1) {
    const mid = (low + high) >>> 1;
    if ((xp[mid] as number) <= x) low = mid;
    else high = mid;
  }
  const x0 = xp[low] as number;
  const x1 = xp[low + 1] as number;
  const y0 = fp[low] as number;
  const y1 = fp[low + 1] as number;
  // Same operation order as numpy (slope first), so results agree to the last bit.
  const slope = (y1 - y0) / (x1 - x0);
  return slope * (x - x0) + y0;
}
