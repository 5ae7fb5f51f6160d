/**
 * The two ranking-agreement metrics of the run comparison, against values computed by hand from their
 * definitions (src/ml/metrics/top-k-jaccard.ts and rank-biased-overlap.ts).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RBO_PERSISTENCE, rankBiasedOverlap, topKDifference, topKJaccard } from '../src/ml/metrics';

describe('top-k Jaccard', () => {
  it('is |A_k ∩ B_k| / |A_k ∪ B_k| and lists what entered and left the top k', () => {
    // Top 3: {a, b, c} vs {b, a, d}: 2 shared of 4 → 0.5.
    const difference = topKDifference(['a', 'b', 'c', 'e'], ['b', 'a', 'd', 'c'], 3);
    expect(difference.jaccard).toBe(0.5);
    expect(difference.shared).toEqual(['a', 'b']);
    expect(difference.entered).toEqual(['d']);
    expect(difference.left).toEqual(['c']);
    // k = 1: {a} vs {b} → 0; k = 4: the same four items → 1, order inside the top k does not matter.
    expect(topKJaccard(['a', 'b', 'c', 'e'], ['b', 'a', 'd', 'c'], 1)).toBe(0);
    expect(topKJaccard(['a', 'b', 'c', 'd'], ['d', 'c', 'b', 'a'], 4)).toBe(1);
    // A ranking shorter than k gives all it has: {1, 2} vs {2, 3, 4} → 1/4.
    expect(topKJaccard([1, 2], [2, 3, 4], 3)).toBe(0.25);
    expect(topKJaccard([], [], 5)).toBe(1);
  });

  it('refuses a bad k and duplicated items', () => {
    expect(() => topKJaccard(['a'], ['a'], 0)).toThrow(/positive integer/);
    expect(() => topKJaccard(['a', 'a'], ['a'], 2)).toThrow(/twice/);
  });
});

describe('rank-biased overlap (RBO_ext, Webber et al. 2010)', () => {
  it('is 1 for identical rankings and 0 for disjoint ones, at any depth', () => {
    for (const depth of [1, 2, 5, 30]) {
      const ranking = Array.from({ length: depth }, (_, i) => i);
      expect(rankBiasedOverlap(ranking, ranking)).toBeCloseTo(1, 12);
      expect(rankBiasedOverlap(ranking, ranking.map((i) => i + 1000))).toBe(0);
    }
  });

  it('matches eq. 30 computed by hand for two lists of equal length', () => {
    // S = [a, b, c], T = [b, a, d], p = 0.9: X_1 = 0, X_2 = 2, X_3 = 2.
    // RBO_ext = (X_3/3)·p³ + (1−p)/p · (0·p + (2/2)·p² + (2/3)·p³) = 0.486 + (1/9)·(0.81 + 0.486) = 0.63.
    expect(DEFAULT_RBO_PERSISTENCE).toBe(0.9);
    expect(rankBiasedOverlap(['a', 'b', 'c'], ['b', 'a', 'd'])).toBeCloseTo(0.63, 12);
    // S = [f9, f8, f7], T = [f8, f0, f9]: X = 0, 1, 2 → 0.486 + (1/9)·(0.405 + 0.486) = 0.585.
    expect(rankBiasedOverlap(['f9', 'f8', 'f7'], ['f8', 'f0', 'f9'])).toBeCloseTo(0.585, 12);
    // Symmetric, and top-weighted: swapping the first two items costs more than swapping the last two.
    expect(rankBiasedOverlap(['b', 'a', 'd'], ['a', 'b', 'c'])).toBeCloseTo(0.63, 12);
    const headSwap = rankBiasedOverlap([1, 2, 3, 4], [2, 1, 3, 4]);
    const tailSwap = rankBiasedOverlap([1, 2, 3, 4], [1, 2, 4, 3]);
    expect(headSwap).toBeLessThan(tailSwap);
    // Another p: S = [a, b], T = [b, a], p = 0.5: X = 0, 2 → (2/2)·0.25 + 1·(0 + 1·0.25) = 0.5.
    expect(rankBiasedOverlap(['a', 'b'], ['b', 'a'], 0.5)).toBeCloseTo(0.5, 12);
  });

  it('matches eq. 32 by hand for lists of different lengths', () => {
    // S = [a, b] (s = 2), L = [a, b, c] (l = 3), p = 0.9: X_1 = 1, X_2 = 2, X_3 = |S ∩ L_{:3}| = 2.
    // (1−p)/p · (1·0.9 + 1·0.81 + (2/3)·0.729 + 2·(3−2)/(2·3)·0.729) + ((2−2)/3 + 2/2)·0.729 = 1 (S is a prefix of L).
    expect(rankBiasedOverlap(['a', 'b'], ['a', 'b', 'c'])).toBeCloseTo(1, 12);
    // S = [x], L = [a, x, b]: X_1 = 0, X_2 = 1, X_3 = 1.
    // (1/9)·(0 + (1/2)·0.81 + (1/3)·0.729 + [d=2: 0·…] + [d=3: 0·…]) + ((1−0)/3 + 0/1)·0.729
    //   = (1/9)·(0.405 + 0.243) + 0.243 = 0.315.
    expect(rankBiasedOverlap(['x'], ['a', 'x', 'b'])).toBeCloseTo(0.315, 12);
    expect(rankBiasedOverlap(['a', 'x', 'b'], ['x'])).toBeCloseTo(0.315, 12);
    expect(rankBiasedOverlap([], [])).toBe(1);
    expect(rankBiasedOverlap([], ['a'])).toBe(0);
  });

  it('refuses p outside (0, 1) and duplicated items', () => {
    expect(() => rankBiasedOverlap(['a'], ['a'], 1)).toThrow(/p must lie/);
    expect(() => rankBiasedOverlap(['a'], ['a'], 0)).toThrow(/p must lie/);
    expect(() => rankBiasedOverlap(['a', 'a'], ['a'])).toThrow(/twice/);
  });
});
