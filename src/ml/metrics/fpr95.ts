/**
 * FPR at 95 % TPR, in the two conventions found for the Comp.VAE paper (method.md §9). They measure
 * different things and give different numbers on the same scores, so each has its own name.
 *
 * 1. {@link fpr95Flagged} — the convention of the paper's code ([B] metrics.py), the one behind the
 *    paper's numbers: on the ROC curve with ANOMALY = positive (see roc.ts), the FPR linearly
 *    interpolated at TPR = 0.95, i.e. `np.interp(0.95, tpr, fpr)`:
 *    the fraction of NORMAL items flagged when the threshold catches 95 % of the anomalies.
 *
 * 2. {@link fpr95Accepted} — the convention the paper's text states (Sun et al. 2022, "KNN-OOD"):
 *    NORMAL (in-distribution) = positive and the scores negated (lower anomaly score = more normal);
 *    the fraction of ANOMALIES accepted as normal when the threshold accepts 95 % of the normal
 *    items. Reported two ways: at the first ROC point (threshold) whose TPR reaches ≥ 0.95, and
 *    linearly interpolated at TPR = 0.95 like (1).
 */
import { interpolate, validateBinaryProblem, type Labels, type Scores } from './common';
import { rocCurve } from './roc';

/** The recall level at which both conventions are read. */
export const DEFAULT_RECALL_LEVEL = 0.95;

/** Code convention ([B] metrics.py): fraction of normal items flagged when `recallLevel` of anomalies are caught. */
export function fpr95Flagged(scores: Scores, labels: Labels, recallLevel = DEFAULT_RECALL_LEVEL): number {
  checkRecallLevel(recallLevel);
  const { fpr, tpr } = rocCurve(scores, labels);
  return interpolate(recallLevel, tpr, fpr);
}

export interface AcceptedAnomalyRate {
  /** Anomalies accepted at the first threshold that accepts at least `recallLevel` of normal items. */
  readonly firstThreshold: number;
  /** Anomalies accepted, linearly interpolated on the ROC at exactly `recallLevel` of normal items accepted. */
  readonly interpolated: number;
}

/** Sun et al. convention: fraction of anomalies accepted when `recallLevel` of normal items are accepted. */
export function fpr95Accepted(scores: Scores, labels: Labels, recallLevel = DEFAULT_RECALL_LEVEL): AcceptedAnomalyRate {
  checkRecallLevel(recallLevel);
  validateBinaryProblem(scores, labels, 'FPR95 (Sun et al.)');
  // Normal = positive: negate scores (higher = more normal) and flip labels.
  const normality = Float64Array.from({ length: scores.length }, (_, i) => -(scores[i] as number));
  const isNormal = Float64Array.from({ length: labels.length }, (_, i) => 1 - (labels[i] as number));
  const { fpr, tpr } = rocCurve(normality, isNormal);
  let first = 0;
  while ((tpr[first] as number) < recallLevel) first++; // terminates: the last TPR is 1
  return { firstThreshold: fpr[first] as number, interpolated: interpolate(recallLevel, tpr, fpr) };
}

function checkRecallLevel(recallLevel: number): void {
  if (!(recallLevel > 0 && recallLevel <= 1)) {
    throw new RangeError(`FPR at TPR: recall level must be in (0, 1], got ${recallLevel}`);
  }
}
