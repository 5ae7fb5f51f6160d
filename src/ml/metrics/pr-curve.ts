/**
 * Precision–recall curve, anomaly = positive class, higher score = more anomalous.
 *
 * Definition: for each distinct score t (decreasing), flag every item with score >= t;
 *   precision(t) = flagged anomalies / flagged items,   recall(t) = flagged anomalies / all anomalies.
 * Returned in scikit-learn's `precision_recall_curve` layout (sklearn ≥ 1.1, no truncation at full
 * recall): points ordered by INCREASING threshold, so recall is non-increasing, followed by the
 * conventional end point (recall 0, precision 1) that has no threshold.
 */
import { countsAtDistinctThresholds, validateBinaryProblem, type Labels, type Scores } from './common';

export interface PrecisionRecallCurve {
  /** length = thresholds.length + 1; the last value is 1. */
  readonly precision: Float64Array;
  /** length = thresholds.length + 1, non-increasing; the last value is 0. */
  readonly recall: Float64Array;
  /** Distinct scores in increasing order. */
  readonly thresholds: Float64Array;
}

export function precisionRecallCurve(scores: Scores, labels: Labels): PrecisionRecallCurve {
  validateBinaryProblem(scores, labels, 'precision–recall curve');
  const { thresholds, truePositives, falsePositives } = countsAtDistinctThresholds(scores, labels);
  const m = thresholds.length;
  const totalPositives = truePositives[m - 1] as number;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const increasingThresholds = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const source = m - 1 - i; // reverse the decreasing-threshold counts
    const tp = truePositives[source] as number;
    precision[i] = tp / (tp + (falsePositives[source] as number));
    recall[i] = tp / totalPositives;
    increasingThresholds[i] = thresholds[source] as number;
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: increasingThresholds };
}
