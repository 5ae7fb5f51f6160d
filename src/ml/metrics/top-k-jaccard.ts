/**
 * Top-k Jaccard overlap of two rankings (most anomalous first).
 *
 * Definition: with A_k and B_k the sets of the first k items of each ranking,
 *   J_k(A, B) = |A_k ∩ B_k| / |A_k ∪ B_k|,
 * 1 when both runs flag the same k items (in any order), 0 when they share none. A ranking shorter
 * than k contributes all its items. Order inside the top k does not matter (rank-biased-overlap.ts
 * is the order-aware companion). Two empty prefixes have nothing to disagree on: J = 1.
 */

export interface TopKDifference<T> {
  /** |A_k ∩ B_k| / |A_k ∪ B_k|. */
  readonly jaccard: number;
  /** Items in both top k, in A's order. */
  readonly shared: readonly T[];
  /** In B's top k but not in A's (they "entered" the top k going from A to B), in B's order. */
  readonly entered: readonly T[];
  /** In A's top k but not in B's (they "left" the top k), in A's order. */
  readonly left: readonly T[];
}

function checkDepth(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`top-k overlap: k must be a positive integer, got ${k}`);
}

function checkDistinct<T>(ranking: readonly T[], name: string): void {
  if (new Set(ranking).size !== ranking.length) throw new RangeError(`top-k overlap: ranking ${name} lists an item twice`);
}

export function topKDifference<T>(a: readonly T[], b: readonly T[], k: number): TopKDifference<T> {
  checkDepth(k);
  const topA = a.slice(0, k);
  const topB = b.slice(0, k);
  checkDistinct(topA, 'A');
  checkDistinct(topB, 'B');
  const inA = new Set(topA);
  const inB = new Set(topB);
  const shared = topA.filter((item) => inB.has(item));
  const union = inA.size + inB.size - shared.length;
  return {
    jaccard: union === 0 ? 1 : shared.length / union,
    shared,
    entered: topB.filter((item) => !inA.has(item)),
    left: topA.filter((item) => !inB.has(item)),
  };
}

export function topKJaccard<T>(a: readonly T[], b: readonly T[], k: number): number {
  return topKDifference(a, b, k).jaccard;
}
