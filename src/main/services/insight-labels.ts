/**
 * Metrics from the labels so far (method.md §9: anomaly = positive, higher score = more anomalous).
 * A user's "anomalous" / "normal" labels live per dataset file, so every run on that dataset sees them:
 * each run's AUROC, FPR95, AP and precision at n are recomputed from them on every call.
 */
import type { LabelledItem, LabelSource, MetricOutcome, RunLabelMetrics } from '../../shared/ipc-insight';
import { computeAnomalyMetrics } from '../../ml/metrics';
import { itemAt, type InsightRunData, type RunTable, type UserLabelColumns } from './insight-run-data';

/** Scores and 0/1 labels of the items that take part in a metric, with their table rows. */
export interface LabelledProblem {
  rows: number[];
  scores: Float64Array;
  labels: Uint8Array;
}

function userFlag(label: string | null | undefined): 0 | 1 | null {
  return label === 'anomalous' ? 1 : label === 'normal' ? 0 : null;
}

/**
 * The items and labels of one label source (see LabelSourceSchema): only items with a score take part.
 *   dataset   test split, the dataset's anomaly flag
 *   user      any item the user labelled anomalous or normal
 *   combined  test split and user-labelled items; the user's label wins over the dataset's flag
 */
export function labelledProblem(table: RunTable, labels: UserLabelColumns, source: LabelSource): LabelledProblem {
  const rows: number[] = [];
  const flags: number[] = [];
  for (let row = 0; row < table.indexes.length; row++) {
    if (Number.isNaN(table.scores[row] as number)) continue;
    const fromUser = userFlag(labels.labels[row]);
    const fromDataset = table.splits[row] === 'test' ? (table.anomaly[row] ?? null) : null;
    const flag = source === 'dataset' ? fromDataset : source === 'user' ? fromUser : (fromUser ?? fromDataset);
    if (flag === null) continue;
    rows.push(row);
    flags.push(flag);
  }
  return { rows, scores: Float64Array.from(rows, (row) => table.scores[row] as number), labels: Uint8Array.from(flags) };
}

const SOURCE_WORDS: Readonly<Record<LabelSource, string>> = {
  dataset: 'test items with a known anomaly flag',
  user: 'items you labelled anomalous or normal',
  combined: 'labelled items',
};

export function metricOutcome(problem: LabelledProblem, source: LabelSource): MetricOutcome {
  const anomalies = problem.labels.reduce((sum, label) => sum + label, 0);
  const normals = problem.labels.length - anomalies;
  if (problem.labels.length === 0) return { metrics: null, reason: `No ${SOURCE_WORDS[source]} yet.` };
  if (anomalies === 0 || normals === 0) {
    return { metrics: null, reason: `Needs both classes: ${anomalies} anomalous and ${normals} normal ${SOURCE_WORDS[source]} so far.` };
  }
  const metrics = computeAnomalyMetrics(problem.scores, problem.labels);
  return {
    metrics: { auroc: metrics.auroc, fpr95: metrics.fpr95, ap: metrics.ap, precisionAtN: metrics.precision_at_n, anomalies, normals },
    reason: null,
  };
}

export class InsightLabels {
  constructor(private readonly data: InsightRunData) {}

  runMetrics(runId: string): RunLabelMetrics {
    const table = this.data.table(runId);
    const labels = this.data.userLabels(table);
    const labelCounts = { anomalous: 0, normal: 0, interesting: 0, other: 0 };
    for (const label of labels.labels) {
      if (label === null) continue;
      if (label === 'anomalous' || label === 'normal' || label === 'interesting') labelCounts[label]++;
      else labelCounts.other++;
    }
    const outcome = (source: LabelSource): MetricOutcome => metricOutcome(labelledProblem(table, labels, source), source);
    return {
      runId,
      method: table.run.method,
      datasetId: table.run.datasetId,
      datasetPath: table.run.datasetPath,
      labelCounts,
      user: outcome('user'),
      combined: outcome('combined'),
      dataset: outcome('dataset'),
    };
  }

  /** The given runs, or every run that has scores. */
  metrics(runIds: readonly string[] | undefined): { runs: RunLabelMetrics[] } {
    const ids = runIds ?? this.data.scoredRuns().map((run) => run.id);
    return { runs: ids.map((runId) => this.runMetrics(runId)) };
  }

  labelledItems(runId: string): { runId: string; datasetId: number | null; items: LabelledItem[] } {
    const table = this.data.table(runId);
    const labels = this.data.userLabels(table);
    const items: LabelledItem[] = [];
    for (let row = 0; row < table.indexes.length; row++) {
      const userLabel = labels.labels[row];
      const labelledAt = labels.updatedAt[row];
      if (userLabel === null || userLabel === undefined || labelledAt === null || labelledAt === undefined) continue;
      items.push({ ...itemAt(table, labels, row), userLabel, labelledAt });
    }
    // Most anomalous first, unscored items last: the order of the gallery.
    items.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.index - b.index);
    return { runId, datasetId: table.run.datasetId, items };
  }
}
