/**
 * Summaries over seeds for the reproduction reports: mean ± sample standard deviation, ROC curves
 * averaged over seeds, and the rank of chosen items in a scored list.
 */
import { interpolate, rocCurve } from '../../ml/metrics';

export interface MeanStd {
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); null for a single value. */
  std: number | null;
  /** The per-seed values the summary was computed from, in seed order. */
  values: number[];
}

export function meanStd(values: readonly number[]): MeanStd {
  if (values.length === 0) throw new RangeError('meanStd: no values');
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  if (values.length < 2) return { mean, std: null, values: [...values] };
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(squares / (values.length - 1)), values: [...values] };
}

/** "0.8123 ± 0.0210" (or "0.8123" with one seed, where no spread can be estimated). */
export function formatMeanStd(summary: MeanStd, digits = 4): string {
  const mean = summary.mean.toFixed(digits);
  return summary.std === null ? mean : `${mean} ± ${summary.std.toFixed(digits)}`;
}

/** False-positive rates at which ROC curves are sampled before averaging. */
export const ROC_GRID: readonly number[] = Array.from({ length: 101 }, (_, i) => i / 100);

/**
 * The ROC curve's true-positive rate at each FPR of ROC_GRID (the highest TPR reached at that FPR, as
 * numpy.interp does on a curve with vertical steps); the first point is (0, 0).
 */
export function rocOnGrid(scores: ArrayLike<number>, labels: ArrayLike<number>): number[] {
  const { fpr, tpr } = rocCurve(scores, labels);
  return ROC_GRID.map((x, i) => (i === 0 ? 0 : interpolate(x, fpr, tpr)));
}

/** Vertical averaging: the mean TPR over seeds at each grid FPR (Fawcett 2006, §7.1). */
export function averageCurves(curves: readonly (readonly number[])[]): number[] {
  if (curves.length === 0) throw new RangeError('averageCurves: no curves');
  return ROC_GRID.map((_, i) => curves.reduce((sum, curve) => sum + (curve[i] as number), 0) / curves.length);
}

/**
 * The rank of each item by decreasing score among `scores` (1 = most anomalous); tied items share the
 * mean of the ranks they span, so a rank never depends on input order.
 */
export function ranksByDecreasingScore(scores: ArrayLike<number>): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const ranks = new Array<number>(scores.length).fill(0);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && scores[order[end] as number] === scores[order[start] as number]) end++;
    const shared = (start + 1 + end) / 2; // mean of ranks start+1 … end
    for (let p = start; p < end; p++) ranks[order[p] as number] = shared;
    start = end;
  }
  return ranks;
}
