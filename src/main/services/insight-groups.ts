/**
 * The plumbing every insight histogram shares: which group an item falls in (normal vs anomalous from
 * labels, the user's label, the dataset class, the split), shared bin edges, and bin membership that a
 * gallery filter can reproduce exactly from a bin's two edges.
 */
import type { GroupCounts, ItemGrouping } from '../../shared/ipc-insight';
import type { RunTable, UserLabelColumns } from './insight-run-data';

/** Classes beyond this many (by frequency) are drawn together as "other". */
export const MAX_CLASS_GROUPS = 12;

export interface GroupDefinition {
  key: string;
  label: string;
}

/** Assigns table rows to groups; built once per call, since classes are ranked by frequency. */
export interface Grouper {
  /** Groups in display order (some may end up empty). */
  groups: readonly GroupDefinition[];
  /** The group key of a row. */
  keyOf(row: number): string;
}

/** 1 anomalous, 0 normal, null unknown: the user's "anomalous"/"normal" wins over the dataset's flag. */
export function anomalyOf(table: RunTable, labels: UserLabelColumns, row: number): 0 | 1 | null {
  const userLabel = labels.labels[row];
  if (userLabel === 'anomalous') return 1;
  if (userLabel === 'normal') return 0;
  return table.anomaly[row] ?? null;
}

export function makeGrouper(grouping: ItemGrouping, table: RunTable, labels: UserLabelColumns, rows: readonly number[]): Grouper {
  switch (grouping) {
    case 'anomaly':
      return {
        groups: [
          { key: 'normal', label: 'Normal' },
          { key: 'anomalous', label: 'Anomalous' },
          { key: 'unknown', label: 'Not labelled' },
        ],
        keyOf: (row) => {
          const anomaly = anomalyOf(table, labels, row);
          return anomaly === 1 ? 'anomalous' : anomaly === 0 ? 'normal' : 'unknown';
        },
      };
    case 'user-label':
      return {
        groups: [
          { key: 'anomalous', label: 'Labelled anomalous' },
          { key: 'normal', label: 'Labelled normal' },
          { key: 'interesting', label: 'Labelled interesting' },
          { key: 'other', label: 'Other label' },
          { key: 'unlabelled', label: 'No label of yours' },
        ],
        keyOf: (row) => {
          const label = labels.labels[row];
          if (label === null || label === undefined) return 'unlabelled';
          return label === 'anomalous' || label === 'normal' || label === 'interesting' ? label : 'other';
        },
      };
    case 'split':
      return {
        groups: [
          { key: 'train', label: 'Training (normal)' },
          { key: 'test', label: 'Test' },
        ],
        keyOf: (row) => table.splits[row] as string,
      };
    case 'class': {
      const frequency = new Map<string, number>();
      for (const row of rows) {
        const label = table.labels[row];
        if (label !== null && label !== undefined) frequency.set(label, (frequency.get(label) ?? 0) + 1);
      }
      // Most common first; ties in natural order (so "2" comes before "10").
      const ranked = [...frequency.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'en', { numeric: true }));
      const kept = ranked.slice(0, MAX_CLASS_GROUPS).map(([name]) => name).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      const keptSet = new Set(kept);
      return {
        groups: [
          ...kept.map((name) => ({ key: `class:${name}`, label: name })),
          { key: 'other', label: 'Other classes' },
          { key: 'unlabelled', label: 'No class' },
        ],
        keyOf: (row) => {
          const label = table.labels[row];
          if (label === null || label === undefined) return 'unlabelled';
          return keptSet.has(label) ? `class:${label}` : 'other';
        },
      };
    }
    case 'none':
      return { groups: [{ key: 'all', label: 'All items' }], keyOf: () => 'all' };
  }
}

/** bins + 1 evenly spaced edges from low to high; a degenerate range is widened so every value has a bin. */
export function evenEdges(low: number, high: number, bins: number): number[] {
  let from = low;
  let to = high;
  if (!(to > from)) {
    const pad = Math.max(Math.abs(from) * 0.05, 0.5);
    from -= pad;
    to += pad;
  }
  return Array.from({ length: bins + 1 }, (_, b) => (b === bins ? to : from + ((to - from) * b) / bins));
}

/**
 * The bin of a value: the largest b with edges[b] ≤ value, clamped to the first and last bins, so
 * values outside the range fall into the end bins. binContains() is the same rule from two edges.
 */
export function binOf(value: number, edges: readonly number[]): number {
  const bins = edges.length - 1;
  if (value < (edges[1] as number)) return 0;
  if (value >= (edges[bins - 1] as number)) return bins - 1;
  let low = 1;
  let high = bins - 1; // edges[low] ≤ value < edges[high]
  while (high - low > 1) {
    const mid = (low + high) >>> 1;
    if ((edges[mid] as number) <= value) low = mid;
    else high = mid;
  }
  return low;
}

export function binContains(value: number, bin: { low: number; high: number; firstBin: boolean; lastBin: boolean }): boolean {
  const aboveLow = bin.firstBin || value >= bin.low;
  const belowHigh = bin.lastBin || value < bin.high;
  return aboveLow && belowHigh;
}

/** Counts per group and bin; values that are NaN (no value for that item) are left out. */
export function countGroups(grouper: Grouper, rows: readonly number[], values: ArrayLike<number>, edges: readonly number[]): GroupCounts[] {
  const bins = edges.length - 1;
  const tallies = new Map(grouper.groups.map((group) => [group.key, { counts: new Array<number>(bins).fill(0), total: 0, sum: 0 }]));
  rows.forEach((row, position) => {
    const value = values[position] as number;
    if (Number.isNaN(value)) return;
    const tally = tallies.get(grouper.keyOf(row));
    if (tally === undefined) return;
    tally.counts[binOf(value, edges)]++;
    tally.total++;
    tally.sum += value;
  });
  return grouper.groups
    .map((group) => {
      const tally = tallies.get(group.key) as { counts: number[]; total: number; sum: number };
      return { key: group.key, label: group.label, counts: tally.counts, total: tally.total, mean: tally.total > 0 ? tally.sum / tally.total : null };
    })
    .filter((group) => group.total > 0);
}

/** Smallest and largest of the non-NaN values, or null when there are none. */
export function valueRange(values: Iterable<number>): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (Number.isNaN(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return min <= max ? { min, max } : null;
}
