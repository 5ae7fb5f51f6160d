/**
 * Score histograms with the labelled groups overlaid and the counts at a threshold the user picks
 * (score ≥ threshold is flagged), and the gallery filters: the items behind a histogram bin (angle or
 * score) or an explicit list, one page at a time, most anomalous first.
 */
import type { GalleryFilter, InsightItem, ItemGrouping, ScoreHistogram } from '../../shared/ipc-insight';
import type { InsightAngles } from './insight-angles';
import { binContains, countGroups, evenEdges, makeGrouper, valueRange } from './insight-groups';
import { itemAt, type InsightRunData, type RunTable } from './insight-run-data';

export interface ScoreHistogramRequest {
  runId: string;
  grouping: ItemGrouping;
  bins: number;
  split: 'all' | 'train' | 'test';
  threshold: number | null;
}

function inSplit(table: RunTable, row: number, split: 'all' | 'train' | 'test'): boolean {
  return split === 'all' || table.splits[row] === split;
}

function formatValue(value: number): string {
  return String(Number(value.toPrecision(4)));
}

const GROUP_WORDS: Readonly<Record<string, string>> = {
  normal: 'normal',
  anomalous: 'anomalous',
  unknown: 'not labelled',
  interesting: 'labelled interesting',
  unlabelled: 'without a label',
  other: 'in other classes',
  train: 'in the training split',
  test: 'in the test split',
};

function describeGroup(group: string | null): string {
  if (group === null || group === 'all') return '';
  if (group.startsWith('class:')) return `, class ${group.slice('class:'.length)}`;
  return `, ${GROUP_WORDS[group] ?? group}`;
}

/** A bin in words: "[0.25, 0.3)", "below 0.3", "0.95 and above". */
function describeBin(bin: { low: number; high: number; firstBin: boolean; lastBin: boolean }, unit = ''): string {
  if (bin.firstBin && bin.lastBin) return 'any value';
  if (bin.firstBin) return `below ${formatValue(bin.high)}${unit}`;
  if (bin.lastBin) return `${formatValue(bin.low)}${unit} and above`;
  return `[${formatValue(bin.low)}${unit}, ${formatValue(bin.high)}${unit})`;
}

export class InsightScores {
  constructor(
    private readonly data: InsightRunData,
    private readonly angles: InsightAngles,
  ) {}

  /** Rows with a score in the split: what a score histogram counts. */
  private scoredRows(table: RunTable, split: 'all' | 'train' | 'test'): number[] {
    const rows: number[] = [];
    for (let row = 0; row < table.indexes.length; row++) {
      if (!Number.isNaN(table.scores[row] as number) && inSplit(table, row, split)) rows.push(row);
    }
    return rows;
  }

  histogram(request: ScoreHistogramRequest): ScoreHistogram {
    const table = this.data.table(request.runId);
    const labels = this.data.userLabels(table);
    const rows = this.scoredRows(table, request.split);
    const scores = Float64Array.from(rows, (row) => table.scores[row] as number);
    const range = valueRange(scores);
    const edges = range === null ? [] : evenEdges(range.min, range.max, request.bins);
    const grouper = makeGrouper(request.grouping, table, labels, rows);
    const groups = range === null ? [] : countGroups(grouper, rows, scores, edges);

    let threshold: ScoreHistogram['threshold'] = null;
    if (request.threshold !== null) {
      const value = request.threshold;
      const flaggedByGroup: Record<string, number> = {};
      let flagged = 0;
      rows.forEach((row, position) => {
        if ((scores[position] as number) < value) return;
        flagged++;
        const key = grouper.keyOf(row);
        flaggedByGroup[key] = (flaggedByGroup[key] ?? 0) + 1;
      });
      // Ranks run over every item (most anomalous first), so the flagged items of the whole run are ranks 1…count.
      let lastFlaggedRank = 0;
      for (let row = 0; row < table.indexes.length; row++) if ((table.scores[row] as number) >= value) lastFlaggedRank++;
      threshold = { value, flagged, flaggedByGroup, lastFlaggedRank };
    }
    return { runId: request.runId, edges, groups, itemCount: rows.length, threshold };
  }

  /** The table rows a filter selects, and the filter in words. */
  private select(table: RunTable, filter: GalleryFilter): { rows: number[]; description: string } {
    const labels = this.data.userLabels(table);
    switch (filter.kind) {
      case 'items': {
        const rows = [...new Set(filter.indexes)].flatMap((index) => {
          const row = table.rowOfIndex.get(index);
          return row === undefined ? [] : [row];
        });
        return { rows, description: filter.title };
      }
      case 'angle-bin': {
        const rows = this.angles.binRows(table, labels, filter);
        const quantity = filter.scale === 'cosine' ? `cos φ${filter.angle}` : `φ${filter.angle}`;
        const when = filter.epoch === null ? 'scored model' : `after epoch ${filter.epoch + 1}, snapshot sample`;
        return { rows, description: `${quantity} ${describeBin(filter, filter.scale === 'degrees' ? '°' : '')}${describeGroup(filter.group)} (${when})` };
      }
      case 'score-range': {
        // The same scope as the histogram the bin came from, so that classes rank the same way.
        const scope = this.scoredRows(table, filter.split);
        const grouper = makeGrouper(filter.grouping, table, labels, scope);
        const rows = scope.filter((row) => binContains(table.scores[row] as number, filter) && (filter.group === null || grouper.keyOf(row) === filter.group));
        const split = filter.split === 'all' ? '' : `, ${filter.split} split`;
        return { rows, description: `Score ${describeBin(filter)}${describeGroup(filter.group)}${split}` };
      }
    }
  }

  filteredItems(runId: string, filter: GalleryFilter, offset: number, limit: number): { total: number; items: InsightItem[]; description: string } {
    const table = this.data.table(runId);
    const { rows, description } = this.select(table, filter);
    // The gallery's order: most anomalous first, unranked items last by index.
    const byRank = (row: number): number => ((table.ranks[row] as number) > 0 ? (table.ranks[row] as number) : Infinity);
    rows.sort((a, b) => byRank(a) - byRank(b) || (table.indexes[a] as number) - (table.indexes[b] as number));
    const labels = this.data.userLabels(table);
    return { total: rows.length, items: rows.slice(offset, offset + limit).map((row) => itemAt(table, labels, row)), description };
  }
}
