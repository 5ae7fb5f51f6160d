/**
 * Anomaly-detection metrics. Every metric takes (scores, labels) with label 1 = anomaly / OOD = the
 * positive class and higher score = more anomalous; each file documents its exact definition.
 */
import { validateBinaryProblem, type Labels, type Scores } from './common';
import { auroc } from './auroc';
import { averagePrecision } from './average-precision';
import { aupr } from './aupr';
import { fpr95Accepted, fpr95Flagged } from './fpr95';
import { precisionAtN } from './precision-at-n';

export type { Labels, Scores } from './common';
export { interpolate } from './common';
export { rocCurve, type RocCurve } from './roc';
export { precisionRecallCurve, type PrecisionRecallCurve } from './pr-curve';
export { auroc } from './auroc';
export { fpr95Flagged, fpr95Accepted, DEFAULT_RECALL_LEVEL, type AcceptedAnomalyRate } from './fpr95';
export { averagePrecision } from './average-precision';
export { aupr } from './aupr';
export { precisionAtN } from './precision-at-n';
export { rankBiasedOverlap, DEFAULT_RBO_PERSISTENCE } from './rank-biased-overlap';
export { topKJaccard, topKDifference, type TopKDifference } from './top-k-jaccard';

export interface AnomalyMetrics {
  /** Area under ROC, ties counted half (auroc.ts). */
  readonly auroc: number;
  /** Paper-code convention: fraction of normal items flagged at 95 % anomaly recall, interpolated (fpr95.ts). */
  readonly fpr95: number;
  /** Sun et al. convention: fraction of anomalies accepted at the first threshold accepting ≥ 95 % of normal items. */
  readonly fpr95_id: number;
  /** Sun et al. convention, linearly interpolated at exactly 95 % of normal items accepted. */
  readonly fpr95_id_interpolated: number;
  /** Average precision, step-wise (average-precision.ts). */
  readonly ap: number;
  /** Trapezoidal area under the precision–recall curve (aupr.ts). */
  readonly aupr: number;
  /** Precision among the n_anomalies top-scored items, stable tie order (precision-at-n.ts). */
  readonly precision_at_n: number;
  readonly n_anomalies: number;
  readonly n_normal: number;
}

/**
 * All metrics at once. Throws a RangeError for a length mismatch, a non-finite score, a label other
 * than 0/1 or a single class.
 */
export function computeAnomalyMetrics(scores: Scores, labels: Labels): AnomalyMetrics {
  const { positives, negatives } = validateBinaryProblem(scores, labels, 'anomaly metrics');
  const accepted = fpr95Accepted(scores, labels);
  return {
    auroc: auroc(scores, labels),
    fpr95: fpr95Flagged(scores, labels),
    fpr95_id: accepted.firstThreshold,
    fpr95_id_interpolated: accepted.interpolated,
    ap: averagePrecision(scores, labels),
    aupr: aupr(scores, labels),
    precision_at_n: precisionAtN(scores, labels),
    n_anomalies: positives,
    n_normal: negatives,
  };
}
