/**
 * Rank-biased overlap (RBO) of two rankings, Webber, Moffat & Zobel (2010), "A similarity measure for
 * indefinite rankings", ACM TOIS 28(4). Top-weighted: agreement near the head counts most.
 *
 * Definitions, for rankings S and L (S the shorter, lengths s ≤ l) and persistence p ∈ (0, 1):
 *   X_d = |S_{:d} ∩ L_{:d}|                 overlap of the first d items (for d > s, S_{:d} = S)
 *   A_d = X_d / d                           agreement at depth d
 *   RBO_ext = (1 − p)/p · ( Σ_{d=1..l} X_d/d · p^d  +  Σ_{d=s+1..l} X_s·(d − s)/(s·d) · p^d )
 *             + ( (X_l − X_s)/l + X_s/s ) · p^l                                        (eq. 32)
 * For two lists of equal length k this is the familiar
 *   RBO_ext = (X_k/k)·p^k + (1 − p)/p · Σ_{d=1..k} (X_d/d)·p^d                            (eq. 30)
 * It extrapolates the agreement seen at depth l to all deeper ranks: identical lists give 1,
 * disjoint lists 0. With p = 0.9 the first 10 ranks carry about 86 % of the weight.
 */

export const DEFAULT_RBO_PERSISTENCE = 0.9;

function checkRanking<T>(ranking: readonly T[], name: string): void {
  if (new Set(ranking).size !== ranking.length) throw new RangeError(`rank-biased overlap: ranking ${name} lists an item twice`);
}

/** Extrapolated RBO of two finite rankings (any lengths; see the definition above). */
export function rankBiasedOverlap<T>(first: readonly T[], second: readonly T[], p: number = DEFAULT_RBO_PERSISTENCE): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`rank-biased overlap: p must lie in (0, 1), got ${p}`);
  checkRanking(first, 'A');
  checkRanking(second, 'B');
  const [short, long] = first.length <= second.length ? [first, second] : [second, first];
  const s = short.length;
  const l = long.length;
  if (l === 0) return 1; // two empty rankings: nothing to disagree on
  if (s === 0) return 0;

  const seenShort = new Set<T>();
  const seenLong = new Set<T>();
  let overlap = 0; // X_d, updated incrementally
  let overlapAtShortEnd = 0; // X_s
  let weightedSum = 0; // Σ X_d/d · p^d (+ the uneven-length correction)
  let power = 1; // p^d
  for (let d = 1; d <= l; d++) {
    power *= p;
    const fromLong = long[d - 1] as T;
    if (d <= s) {
      const fromShort = short[d - 1] as T;
      if (fromShort === fromLong) overlap++;
      else {
        if (seenLong.has(fromShort)) overlap++;
        if (seenShort.has(fromLong)) overlap++;
      }
      seenShort.add(fromShort);
      seenLong.add(fromLong);
      if (d === s) overlapAtShortEnd = overlap;
    } else {
      // Past the end of S, only L grows: its new item adds overlap when S holds it.
      if (seenShort.has(fromLong)) overlap++;
      weightedSum += ((overlapAtShortEnd * (d - s)) / (s * d)) * power;
    }
    weightedSum += (overlap / d) * power;
  }
  return ((1 - p) / p) * weightedSum + ((overlap - overlapAtShortEnd) / l + overlapAtShortEnd / s) * power;
}
