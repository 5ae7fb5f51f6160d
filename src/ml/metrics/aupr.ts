/**
 * AUPR: area under the precision–recall curve by the trapezoidal rule, anomaly = positive class,
 * higher score = more anomalous.
 *
 * Definition (scikit-learn `auc(recall, precision)` on `precision_recall_curve`, see pr-curve.ts):
 *   AUPR = Σ_i (R_i − R_{i+1}) · (P_i + P_{i+1}) / 2
 * over consecutive curve points, including the end point (recall 0, precision 1). Linear
 * interpolation between PR points is optimistic; average-precision.ts gives the step-wise value.
 */
import type { Labels, Scores } from './common';
import { precisionRecallCurve } from './pr-curve';

export function aupr(scores: Scores, labels: Labels): number {
  const { precision, recall } = precisionRecallCurve(scores, labels);
  let area = 0;
  for (let i = 0; i + 1 < recall.length; i++) {
    area += (((recall[i] as number) - (recall[i + 1] as number)) * ((precision[i] as number) + (precision[i + 1] as number))) / 2;
  }
  return area;
}
