/**
 * AUROC: area under the ROC curve, anomaly = positive class, higher score = more anomalous.
 *
 * Definition: the probability that a randomly drawn anomaly scores higher than a randomly drawn
 * normal item, ties counted half:
 *   AUROC = (1 / (P·N)) Σ_{anomaly a} Σ_{normal n} ( [s_a > s_n] + ½ [s_a = s_n] ).
 * This equals the trapezoidal area under the ROC curve (scikit-learn's `roc_auc_score`). Computed in
 * O(n log n) through the Mann–Whitney U statistic with average ranks for tied scores:
 *   AUROC = (R⁺ − P(P + 1)/2) / (P·N),  R⁺ = sum of the (1-based, tie-averaged) ranks of anomalies in
 * increasing score order.
 */
import { orderByDecreasingScore, validateBinaryProblem, type Labels, type Scores } from './common';

export function auroc(scores: Scores, labels: Labels): number {
  const { positives, negatives } = validateBinaryProblem(scores, labels, 'AUROC');
  const order = orderByDecreasingScore(scores);
  const n = order.length;
  let positiveRankSum = 0;
  // Walk tie groups from the highest score down; descending position p has ascending rank n − p.
  let start = 0;
  while (start < n) {
    const score = scores[order[start] as number] as number;
    let end = start + 1;
    while (end < n && scores[order[end] as number] === score) end++;
    // Ascending ranks of this group run from n − end + 1 to n − start; every member gets their mean.
    const averageRank = (2 * n - start - end + 1) / 2;
    let groupPositives = 0;
    for (let p = start; p < end; p++) if (labels[order[p] as number] === 1) groupPositives++;
    positiveRankSum += groupPositives * averageRank;
    start = end;
  }
  const mannWhitneyU = positiveRankSum - (positives * (positives + 1)) / 2;
  return mannWhitneyU / (positives * negatives);
}
