/**
 * Average precision (AP), anomaly = positive class, higher score = more anomalous.
 *
 * Definition (scikit-learn `average_precision_score`): the precision at each distinct threshold,
 * weighted by the recall gained at that threshold,
 *   AP = Σ_n (R_n − R_{n−1}) · P_n,
 * with thresholds visited in decreasing order and R_0 = 0. A step-function sum, not a trapezoid, so
 * it is not optimistically interpolated (compare aupr.ts).
 */
import type { Labels, Scores } from './common';
import { precisionRecallCurve } from './pr-curve';

export function averagePrecision(scores: Scores, labels: Labels): number {
  const { precision, recall } = precisionRecallCurve(scores, labels);
  // Arrays run from the lowest threshold to the end point (recall 0); walk them backwards.
  let sum = 0;
  for (let i = recall.length - 2; i >= 0; i--) {
    sum += ((recall[i] as number) - (recall[i + 1] as number)) * (precision[i] as number);
  }
  return sum;
}
