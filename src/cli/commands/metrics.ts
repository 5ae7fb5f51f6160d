import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { computeAnomalyMetrics } from '../../ml/metrics';
import { parseCsv } from '../../main/data/labels';
import { readNpzFile } from '../../main/data/npy';
import { parse } from '../args';
import { EXIT, formatNumber, UsageError } from '../output';

export const METRICS_HELP = `polaris metrics <file> [--json]

Anomaly-detection metrics with the anomaly as the positive class (label 1) and higher score = more
anomalous. <file> is a CSV with columns score,label (other columns ignored) or an .npz with arrays
"scores" and "labels".

  --json   print one JSON object: auroc, fpr95, fpr95_id, fpr95_id_interpolated, ap, aupr,
           precision_at_n, n_anomalies, n_normal

fpr95:    fraction of normal items flagged when 95% of anomalies are caught (interpolated on the ROC;
          the convention of the paper's code and numbers)
fpr95_id: fraction of anomalies accepted when 95% of normal items are accepted (Sun et al.), at the
          first threshold reaching it; fpr95_id_interpolated interpolates instead.`;

export function readScoresAndLabels(file: string): { scores: Float64Array; labels: Uint8Array } {
  const extension = extname(file).toLowerCase();
  if (extension === '.npz') {
    const arrays = readNpzFile(file);
    const scores = arrays.scores;
    const labels = arrays.labels;
    if (!scores || !labels) throw new UsageError(`${file}: the .npz needs arrays "scores" and "labels" (has: ${Object.keys(arrays).join(', ') || 'none'})`);
    return { scores: Float64Array.from(scores.data as ArrayLike<number>), labels: toBinary(Array.from(scores.data as ArrayLike<number>).length, (i) => Number((labels.data as ArrayLike<number>)[i]), file) };
  }
  if (extension === '.csv' || extension === '.tsv' || extension === '.txt') {
    const table = parseCsv(readFileSync(file, 'utf8'), file);
    const lower = table.columns.map((c) => c.trim().toLowerCase());
    const scoreIndex = lower.indexOf('score');
    const labelIndex = ['label', 'anomaly', 'is_anomaly', 'target'].map((name) => lower.indexOf(name)).find((i) => i >= 0) ?? -1;
    if (scoreIndex < 0 || labelIndex < 0) throw new UsageError(`${file}: needs columns "score" and "label" (found: ${table.columns.join(', ')})`);
    const scores = Float64Array.from(table.rows, (row, i) => {
      const value = Number(row[scoreIndex]);
      if (!Number.isFinite(value)) throw new UsageError(`${file}: row ${i + 2} has score "${row[scoreIndex] ?? ''}", not a number`);
      return value;
    });
    return { scores, labels: toBinary(table.rows.length, (i) => Number(table.rows[i]?.[labelIndex]), file) };
  }
  throw new UsageError(`${file}: unknown format "${extension || '(none)'}"; give a .csv with score,label columns or an .npz with scores and labels`);
}

function toBinary(count: number, read: (i: number) => number, file: string): Uint8Array {
  return Uint8Array.from({ length: count }, (_, i) => {
    const value = read(i);
    if (value !== 0 && value !== 1) throw new UsageError(`${file}: label of item ${i} is ${value}; labels must be 0 (normal) or 1 (anomaly)`);
    return value;
  });
}

export async function metricsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, 'metrics');
  if (values.help) {
    process.stdout.write(`${METRICS_HELP}\n`);
    return EXIT.ok;
  }
  const file = positionals[0];
  if (!file) throw new UsageError('metrics: give a file (CSV with score,label or .npz with scores, labels)');
  const { scores, labels } = readScoresAndLabels(file);
  const metrics = computeAnomalyMetrics(scores, labels);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(metrics)}\n`);
  } else {
    const rows: [string, number][] = [
      ['AUROC', metrics.auroc],
      ['FPR95 (normal items flagged at 95% anomaly recall; the paper)', metrics.fpr95],
      ['FPR95 (anomalies accepted at 95% normal acceptance; Sun et al.)', metrics.fpr95_id],
      ['  interpolated', metrics.fpr95_id_interpolated],
      ['AP', metrics.ap],
      ['AUPR (trapezoidal)', metrics.aupr],
      ['precision at n', metrics.precision_at_n],
    ];
    for (const [name, value] of rows) process.stdout.write(`${name.padEnd(66)} ${formatNumber(value)}\n`);
    process.stdout.write(`${metrics.n_anomalies} anomalies, ${metrics.n_normal} normal items\n`);
  }
  return EXIT.ok;
}
