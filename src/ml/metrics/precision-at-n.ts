/**
 * Precision at n, anomaly = positive class, higher score = more anomalous.
 *
 * Definition: the fraction of anomalies among the n highest-scoring items, with n = the number of
 * anomalies by default (then it equals R-precision: the recall at that cut is the same number).
 * Ties at the cut are broken by stable order: among equal scores the item that comes first in the
 * input counts as ranked higher. That makes the value reproducible, but a tie straddling the cut
 * can move it; report it together with AUROC/AP, which handle ties symmetrically.
 */
import { orderByDecreasingScore, validateBinaryProblem, type Labels, type Scores } from './common';

export function precisionAtN(scores: Scores, labels: Labels, n?: number): number {
  const { positives } = validateBinaryProblem(scores, labels, 'precision at n');
  const cut = n ?? positives;
  if (!Number.isInteger(cut) || cut < 1 || cut > scores.length) {
    throw new RangeError(`precision at n: n must be an integer in [1, ${scores.length}], got ${cut}`);
  }
  const order = orderByDecreasingScore(scores);
  let hits = 0;
  for (let rank = 0; rank < cut; rank++) if (labels[order[rank] as number] === 1) hits++;
  return hits / cut;
}
