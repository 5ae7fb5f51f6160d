/**
 * ROC curve (receiver operating characteristic), anomaly = positive class, higher score = more
 * anomalous.
 *
 * Definition: for a threshold t every item with score >= t is flagged as anomalous;
 *   TPR(t) = flagged anomalies / all anomalies,   FPR(t) = flagged normal items / all normal items.
 * One point per distinct score, visited in decreasing order, preceded by (FPR, TPR) = (0, 0) at
 * threshold +Infinity (nothing flagged). This is scikit-learn's `roc_curve` with
 * `drop_intermediate=False`: no collinear point is dropped, so every achievable operating point is
 * present. (With sklearn's default `drop_intermediate=True` some collinear points are removed; any
 * linear interpolation along the curve — AUROC, `np.interp` — is unchanged by that.)
 */
import { countsAtDistinctThresholds, validateBinaryProblem, type Labels, type Scores } from './common';

export interface RocCurve {
  /** False-positive rate per point, non-decreasing, from 0 to 1. */
  readonly fpr: Float64Array;
  /** True-positive rate (recall of anomalies) per point, non-decreasing, from 0 to 1. */
  readonly tpr: Float64Array;
  /** Decision threshold per point, decreasing; the first one is +Infinity. */
  readonly thresholds: Float64Array;
}

export function rocCurve(scores: Scores, labels: Labels): RocCurve {
  validateBinaryProblem(scores, labels, 'ROC curve');
  const { thresholds, truePositives, falsePositives } = countsAtDistinctThresholds(scores, labels);
  const points = thresholds.length + 1;
  const totalPositives = truePositives[thresholds.length - 1] as number;
  const totalNegatives = falsePositives[thresholds.length - 1] as number;
  const fpr = new Float64Array(points);
  const tpr = new Float64Array(points);
  const curveThresholds = new Float64Array(points);
  curveThresholds[0] = Number.POSITIVE_INFINITY;
  for (let i = 0; i < thresholds.length; i++) {
    fpr[i + 1] = (falsePositives[i] as number) / totalNegatives;
    tpr[i + 1] = (truePositives[i] as number) / totalPositives;
    curveThresholds[i + 1] = thresholds[i] as number;
  }
  return { fpr, tpr, thresholds: curveThresholds };
}
