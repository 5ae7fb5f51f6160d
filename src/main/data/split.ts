/**
 * Seeded train/test splits. The same n, fraction, seed and labels always give the same split, so a
 * run can be reproduced from its stored settings.
 */
import { Rng } from '../../ml/rng';

export interface SplitOptions {
  /** Fraction of items for the test set, 0 ≤ testFraction < 1 (rounded to whole items; train keeps at least one item). */
  testFraction: number;
  seed: number;
  /** Per-item labels; when given, each label (null counts as its own group) is split in the same proportion. */
  stratifyBy?: readonly (string | null)[];
}

export interface Split {
  /** Item indices, ascending. */
  train: number[];
  /** Item indices, ascending; disjoint from train, and together they cover 0..n-1. */
  test: number[];
}

export function splitTrainTest(n: number, options: SplitOptions): Split {
  const { testFraction, seed, stratifyBy } = options;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`splitTrainTest: n must be a non-negative integer, got ${n}`);
  if (!(testFraction >= 0 && testFraction < 1)) throw new RangeError(`splitTrainTest: testFraction must be in [0, 1), got ${testFraction}`);
  if (stratifyBy && stratifyBy.length !== n) throw new RangeError(`splitTrainTest: ${stratifyBy.length} labels for ${n} items`);
  const rng = new Rng(seed);
  const testTotal = Math.min(Math.round(n * testFraction), Math.max(0, n - 1));

  // Groups in a fixed order (sorted keys), each shuffled by the one seeded generator.
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const label = stratifyBy ? stratifyBy[i] : undefined;
    const key = label === null || label === undefined ? '\u0000none' : `=${label}`;
    const members = groups.get(key);
    if (members) members.push(i);
    else groups.set(key, [i]);
  }
  const orderedGroups = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, members]) => rng.shuffle(members));

  // Largest-remainder allocation: each group gets its proportional share and the total is exact.
  const shares = orderedGroups.map((members) => (members.length * testTotal) / Math.max(1, n));
  const quotas = shares.map(Math.floor);
  let remaining = testTotal - quotas.reduce((sum, quota) => sum + quota, 0);
  const byRemainder = shares.map((share, g) => ({ g, remainder: share - (quotas[g] as number) })).sort((a, b) => b.remainder - a.remainder || a.g - b.g);
  for (const { g } of byRemainder) {
    if (remaining <= 0) break;
    if ((quotas[g] as number) < (orderedGroups[g] as number[]).length) {
      quotas[g] = (quotas[g] as number) + 1;
      remaining--;
    }
  }

  const test: number[] = [];
  const train: number[] = [];
  orderedGroups.forEach((members, g) => {
    const quota = quotas[g] as number;
    test.push(...members.slice(0, quota));
    train.push(...members.slice(quota));
  });
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}
