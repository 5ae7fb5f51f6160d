/**
 * Runs side by side: which settings differ, the metrics and training time of each, their ROC curves
 * on one label source, and how much their top-k lists agree (top-k Jaccard and rank-biased overlap,
 * src/ml/metrics) with the items that entered or left the top k from the first run to each other.
 * Items are matched across runs by file, since two runs may list a dataset in different orders.
 */
import type { ComparedRun, ConfigDifference, LabelSource, RankChange, RunComparison, TopKOverlap } from '../../shared/ipc-insight';
import { DEFAULT_RBO_PERSISTENCE, rankBiasedOverlap, rocCurve, topKDifference } from '../../ml/metrics';
import { labelledProblem, metricOutcome } from './insight-labels';
import type { InsightRunData, RunTable } from './insight-run-data';

/** ROC curves longer than this are thinned for the chart (every achievable point is kept below it). */
export const MAX_ROC_POINTS = 1000;

export interface CompareRequest {
  runIds: readonly string[];
  topK: number;
  labelSource: LabelSource;
  split: 'all' | 'test';
}

/** A JSON value with object keys sorted, so that equal configs compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Every config key of the runs (first run's order, then new keys as they appear), marking those that differ. */
export function configDifferences(configs: readonly Record<string, unknown>[]): ConfigDifference[] {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const config of configs) {
    for (const key of Object.keys(config)) {
      if (!seen.has(key)) {
        seen.add(key);
        keys.push(key);
      }
    }
  }
  return keys.map((key) => {
    const values = configs.map((config) => (Object.hasOwn(config, key) ? (config[key] as ConfigDifference['values'][number]) : null));
    const first = canonicalJson(values[0]);
    return { key, values, differs: values.some((value) => canonicalJson(value) !== first) };
  });
}

/** Evenly thinned points of a curve, always keeping the first and the last. */
export function thinCurve(fpr: ArrayLike<number>, tpr: ArrayLike<number>, maxPoints: number): { fpr: number[]; tpr: number[] } {
  const count = fpr.length;
  if (count <= maxPoints) return { fpr: Array.from(fpr), tpr: Array.from(tpr) };
  const out = { fpr: [] as number[], tpr: [] as number[] };
  for (let i = 0; i < maxPoints; i++) {
    const position = Math.round((i * (count - 1)) / (maxPoints - 1));
    out.fpr.push(fpr[position] as number);
    out.tpr.push(tpr[position] as number);
  }
  return out;
}

/** Rows of a run ordered by rank (most anomalous first), over all items or the test split. */
function rankedRows(table: RunTable, split: 'all' | 'test'): number[] {
  const rows: number[] = [];
  for (let row = 0; row < table.indexes.length; row++) {
    if ((table.ranks[row] as number) > 0 && (split === 'all' || table.splits[row] === 'test')) rows.push(row);
  }
  return rows.sort((a, b) => (table.ranks[a] as number) - (table.ranks[b] as number));
}

function sameDataset(a: RunTable, b: RunTable): boolean {
  if (a.run.datasetId !== null && b.run.datasetId !== null) return a.run.datasetId === b.run.datasetId;
  return a.run.datasetPath === b.run.datasetPath;
}

export class InsightCompare {
  constructor(private readonly data: InsightRunData) {}

  compare(request: CompareRequest): RunComparison {
    const tables = request.runIds.map((runId) => this.data.table(runId));
    const runs: ComparedRun[] = tables.map((table) => {
      const problem = labelledProblem(table, this.data.userLabels(table), request.labelSource);
      const metrics = metricOutcome(problem, request.labelSource);
      let roc: ComparedRun['roc'] = null;
      if (metrics.metrics !== null) {
        const curve = rocCurve(problem.scores, problem.labels);
        roc = thinCurve(curve.fpr, curve.tpr, MAX_ROC_POINTS);
      }
      return {
        runId: table.run.id,
        method: table.run.method,
        status: table.run.status,
        datasetId: table.run.datasetId,
        datasetPath: table.run.datasetPath,
        createdAt: table.run.createdAt,
        epochsCompleted: table.run.epochsCompleted,
        epochsTotal: table.run.epochsTotal,
        trainSeconds: table.run.trainSeconds,
        itemCount: table.indexes.length,
        metrics,
        roc,
      };
    });

    const rankings = tables.map((table) => rankedRows(table, request.split).map((row) => table.files[row] as string));
    const pairScores = (i: number, j: number): { rbo: number | null; jaccard: number | null } => {
      if (i === j) return { rbo: 1, jaccard: 1 };
      const a = tables[i] as RunTable;
      const b = tables[j] as RunTable;
      const topA = (rankings[i] as string[]).slice(0, request.topK);
      const topB = (rankings[j] as string[]).slice(0, request.topK);
      if (!sameDataset(a, b) || topA.length === 0 || topB.length === 0) return { rbo: null, jaccard: null };
      return { rbo: rankBiasedOverlap(topA, topB, DEFAULT_RBO_PERSISTENCE), jaccard: topKDifference(topA, topB, request.topK).jaccard };
    };
    const matrix = tables.map((_, i) => tables.map((__, j) => pairScores(i, j)));

    const reference = tables[0] as RunTable;
    const overlaps: TopKOverlap[] = tables.slice(1).map((other, offset) => this.overlap(reference, other, rankings[0] as string[], rankings[offset + 1] as string[], request.topK));

    return {
      labelSource: request.labelSource,
      runs,
      config: configDifferences(tables.map((table) => table.run.config)),
      overlaps,
      rboMatrix: matrix.map((row) => row.map((cell) => cell.rbo)),
      jaccardMatrix: matrix.map((row) => row.map((cell) => cell.jaccard)),
    };
  }

  private overlap(reference: RunTable, other: RunTable, referenceRanking: string[], otherRanking: string[], k: number): TopKOverlap {
    const base = { referenceRunId: reference.run.id, otherRunId: other.run.id, k };
    if (!sameDataset(reference, other)) {
      return { ...base, jaccard: null, rbo: null, entered: [], left: [], unavailableReason: 'The runs were trained on different datasets: their rankings have no items in common.' };
    }
    if (referenceRanking.length === 0 || otherRanking.length === 0) {
      return { ...base, jaccard: null, rbo: null, entered: [], left: [], unavailableReason: 'A run has no scores yet.' };
    }
    const topReference = referenceRanking.slice(0, k);
    const topOther = otherRanking.slice(0, k);
    const difference = topKDifference(topReference, topOther, k);
    const change = (file: string): RankChange => {
      const referenceRow = reference.rowOfFile.get(file);
      const otherRow = other.rowOfFile.get(file);
      const rankIn = (table: RunTable, row: number | undefined): number | null => (row === undefined || (table.ranks[row] as number) === 0 ? null : (table.ranks[row] as number));
      const labelRow = otherRow ?? referenceRow;
      const labelTable = otherRow !== undefined ? other : reference;
      return {
        file,
        indexInReference: referenceRow === undefined ? null : (reference.indexes[referenceRow] as number),
        indexInOther: otherRow === undefined ? null : (other.indexes[otherRow] as number),
        rankInReference: rankIn(reference, referenceRow),
        rankInOther: rankIn(other, otherRow),
        label: labelRow === undefined ? null : (labelTable.labels[labelRow] ?? null),
        anomaly: labelRow === undefined ? null : (labelTable.anomaly[labelRow] ?? null),
      };
    };
    return {
      ...base,
      k: Math.min(k, Math.max(topReference.length, topOther.length)),
      jaccard: difference.jaccard,
      rbo: rankBiasedOverlap(topReference, topOther, DEFAULT_RBO_PERSISTENCE),
      entered: difference.entered.map(change),
      left: difference.left.map(change),
      unavailableReason: null,
    };
  }
}
