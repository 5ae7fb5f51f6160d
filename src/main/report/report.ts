/**
 * The report folder of `polaris reproduce`: report.json (everything, machine-readable), report.md
 * (the same for people, with Polaris's numbers beside the paper's and a plain account of where and
 * why they differ) and one ROC plot per evaluation (roc-<evaluation>.png, averaged over seeds).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ComparisonDetector, ComparisonModel } from '../../ml/compare';
import type { CompVaeConfig } from '../../ml/config';
import { writeFileAtomic } from '../runs/atomic';
import { renderLinePlot } from './plot-png';
import type { Environment, EvaluationResult, SuiteRun } from './run-suite';
import { averageCurves, formatMeanStd, type MeanStd, meanStd, ROC_GRID } from './statistics';
import { PAPER_VALUE_UNAVAILABLE, type SuiteDefinition, type SuiteSettings } from './suite';

export const REPORT_FORMAT = 'polaris-reproduce-report/1';

/** The metrics every row reports, as mean ± std over seeds. */
export const METRIC_KEYS = ['auroc', 'fpr95', 'fpr95_id', 'fpr95_id_interpolated', 'ap', 'aupr', 'precision_at_n'] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

export interface PaperCell {
  auroc: string;
  fpr95: string;
  source: string | null;
}

export interface SummaryRow {
  label: string;
  model: ComparisonModel;
  detector: ComparisonDetector;
  metrics: Record<MetricKey, MeanStd>;
  trainSeconds: MeanStd;
  /** Mean TPR over seeds at each FPR of rocGrid. */
  roc: number[];
  /** Tracked item id → rank over seeds (1 = most anomalous). */
  trackedRanks?: Record<string, MeanStd>;
  paper: PaperCell;
}

export interface EvaluationSummary {
  key: string;
  title: string;
  anomalies: number;
  normals: number;
  rocPlot: string;
  rows: SummaryRow[];
}

export interface ReportJson {
  format: typeof REPORT_FORMAT;
  suite: string;
  title: string;
  description: string;
  command: string;
  createdAt: string;
  wallSeconds: number;
  environment: Environment;
  settings: SuiteSettings;
  seeds: number[];
  /** Exact training config of the first seed; models differ only in `method`, seeds only in `seed`. */
  config: CompVaeConfig;
  dataRoot: string;
  dataNotes: string[];
  substitutes: string[];
  paperSetting: string;
  differences: string[];
  rocGrid: readonly number[];
  evaluations: EvaluationSummary[];
  trackedDescriptions: Record<string, string>;
  /** The raw run (per-seed metrics, curves and ranks), from which the rest can be rebuilt (--rerender). */
  run: SuiteRun;
}

const round4 = (value: number) => Math.round(value * 1e4) / 1e4;

function rowKey(row: { model: ComparisonModel; detector: ComparisonDetector }): string {
  return `${row.model}/${row.detector}`;
}

/** Per evaluation and method: mean ± std over seeds of every metric, the averaged ROC and tracked ranks. */
export function summarize(run: SuiteRun, suite: SuiteDefinition): EvaluationSummary[] {
  const first = run.seeds[0];
  if (!first) throw new RangeError('summarize: the run has no seeds');
  return first.evaluations.map((evaluation) => {
    const perSeed: EvaluationResult[] = run.seeds.map((seed) => {
      const match = seed.evaluations.find((e) => e.key === evaluation.key);
      if (!match) throw new RangeError(`Seed ${seed.seed} lacks evaluation ${evaluation.key}`);
      return match;
    });
    const rows = evaluation.methods.map((method): SummaryRow => {
      const results = perSeed.map((seedEvaluation) => {
        const found = seedEvaluation.methods.find((m) => rowKey(m) === rowKey(method));
        if (!found) throw new RangeError(`A seed lacks ${method.label} in ${evaluation.key}`);
        return found;
      });
      const metrics = Object.fromEntries(METRIC_KEYS.map((key) => [key, meanStd(results.map((r) => r.metrics[key]))])) as Record<MetricKey, MeanStd>;
      const summary: SummaryRow = {
        label: method.label,
        model: method.model,
        detector: method.detector,
        metrics,
        trainSeconds: meanStd(results.map((r) => r.trainSeconds)),
        roc: averageCurves(results.map((r) => r.rocTpr)).map(round4),
        paper: paperCell(suite, evaluation.key, method),
      };
      if (method.trackedRanks) {
        const ids = Object.keys(method.trackedRanks).sort();
        summary.trackedRanks = Object.fromEntries(ids.map((id) => [id, meanStd(results.map((r) => r.trackedRanks?.[id] ?? Number.NaN))]));
      }
      return summary;
    });
    return { key: evaluation.key, title: evaluation.title, anomalies: evaluation.anomalies, normals: evaluation.normals, rocPlot: `roc-${evaluation.key}.png`, rows };
  });
}

function paperCell(suite: SuiteDefinition, evaluation: string, row: { model: ComparisonModel; detector: ComparisonDetector }): PaperCell {
  const value = suite.paperValues.find((v) => v.evaluation === evaluation && v.model === row.model && v.detector === row.detector);
  if (!value) return { auroc: PAPER_VALUE_UNAVAILABLE, fpr95: PAPER_VALUE_UNAVAILABLE, source: null };
  return {
    auroc: value.auroc === null ? PAPER_VALUE_UNAVAILABLE : `${value.auroc} (${value.source})`,
    fpr95: value.fpr95 === null ? PAPER_VALUE_UNAVAILABLE : `${value.fpr95} (${value.source})`,
    source: value.source,
  };
}

function describeSchedule(settings: SuiteSettings, config: CompVaeConfig): string {
  return `${settings.epochs} epoch(s), batch ${config.batchSize}, learning rate ${config.learningRate}, latent n = ${config.latentDim}, ${config.imageSize}×${config.imageSize} input`;
}

/** The training-set size of the seeds ("600", or "598–600" if it varied). */
function trainingCount(run: SuiteRun): string {
  const counts = run.seeds.flatMap((seed) => Object.entries(seed.counts).filter(([what]) => what.startsWith('training')).map(([, count]) => count));
  if (counts.length === 0) return 'the';
  const [low, high] = [Math.min(...counts), Math.max(...counts)];
  return low === high ? String(low) : `${low}–${high}`;
}

/** Where and why the numbers differ from the paper's: the fixed reasons first, then what the numbers show. */
export function differences(run: SuiteRun, suite: SuiteDefinition, evaluations: readonly EvaluationSummary[]): string[] {
  const { settings, config } = run;
  const lines = [
    `Training is far shorter than the paper's: ${describeSchedule(settings, config)} on ${run.environment.backend} (${run.environment.cpus} CPU cores), against 300 epochs, batch 200, learning rate 2e-4 and n = 128 on a GPU (method.md §5, §8). The models are not converged, so every number here can move with longer training, including the order of the methods. Scale up with --epochs, --train-limit, --size and --latent.`,
    `Each seed trains on ${trainingCount(run)} images (see the counts above), where the paper trains on its full training set.`,
    ...suite.substitutes.map((line) => `Substitute — ${line}`),
  ];
  const hasPaperNumbers = suite.paperValues.some((v) => v.auroc !== null || v.fpr95 !== null);
  if (!hasPaperNumbers) {
    lines.push(
      "Whether these numbers match the paper's cannot be checked offline: the paper's values for this experiment are not in method.md or in the offline data, so the paper columns above say so instead of quoting a number. What can be compared is the ordering of the methods, below.",
    );
  }
  for (const evaluation of evaluations) {
    const comp = evaluation.rows.find((r) => r.model === 'comp' && r.detector === 'knn');
    const vae = evaluation.rows.find((r) => r.model === 'vae' && r.detector === 'knn');
    const best = [...evaluation.rows].sort((a, b) => b.metrics.auroc.mean - a.metrics.auroc.mean)[0];
    const where = `${evaluation.title}`;
    if (comp && comp.paper.source) {
      const reference = suite.paperValues.find((v) => v.evaluation === evaluation.key && v.model === 'comp' && v.detector === 'knn');
      if (reference?.auroc !== null && reference?.auroc !== undefined) {
        const delta = comp.metrics.auroc.mean - reference.auroc;
        lines.push(
          `${where}: Comp.VAE + k-NN reaches AUROC ${formatMeanStd(comp.metrics.auroc)} against ${reference.auroc} in the ${reference.source} (${delta >= 0 ? 'higher' : 'lower'} by ${Math.abs(delta).toFixed(4)}); FPR95 ${formatMeanStd(comp.metrics.fpr95)} against ${reference.fpr95 ?? 'n/a'}. This is not the same experiment (different OOD set, shorter training, fewer training images and classes), so the gap measures the setting as much as the implementation.`,
        );
      }
    }
    if (comp && vae) {
      const delta = comp.metrics.auroc.mean - vae.metrics.auroc.mean;
      const spread = Math.max(comp.metrics.auroc.std ?? 0, vae.metrics.auroc.std ?? 0);
      const verdict =
        spread > 0 && Math.abs(delta) <= spread
          ? 'within one standard deviation over seeds, so no difference can be claimed from this run'
          : delta > 0
            ? 'the direction the paper argues (a compressed latent separates anomalies better under k-NN, method.md §1), by more than one standard deviation over seeds'
            : 'the opposite of what the paper argues (method.md §1), by more than one standard deviation over seeds; at this training length that is not evidence against the method';
      lines.push(`${where}: Comp.VAE + k-NN AUROC ${formatMeanStd(comp.metrics.auroc)} vs VAE + k-NN ${formatMeanStd(vae.metrics.auroc)} (difference ${delta >= 0 ? '+' : ''}${delta.toFixed(4)}): ${verdict}.`);
    }
    if (best) lines.push(`${where}: the best mean AUROC here is ${best.label} (${formatMeanStd(best.metrics.auroc)}).`);
  }
  return lines;
}

export function buildReport(run: SuiteRun, suite: SuiteDefinition, command: string): ReportJson {
  const evaluations = summarize(run, suite);
  return {
    format: REPORT_FORMAT,
    suite: suite.name,
    title: suite.title,
    description: suite.description,
    command,
    createdAt: run.startedAt,
    wallSeconds: run.wallSeconds,
    environment: run.environment,
    settings: run.settings,
    seeds: run.seeds.map((s) => s.seed),
    config: run.config,
    dataRoot: run.dataRoot,
    dataNotes: run.dataNotes,
    substitutes: suite.substitutes,
    paperSetting: suite.paperSetting,
    differences: differences(run, suite, evaluations),
    rocGrid: ROC_GRID,
    evaluations,
    trackedDescriptions: run.trackedDescriptions,
    run,
  };
}

// ---------------------------------------------------------------- Markdown

function table(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const rule = header.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? '---' : '---:'));
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), `|${rule.join('|')}|`, ...rows.map(line)].join('\n');
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

function seedPhrase(report: ReportJson): string {
  return report.seeds.length === 1 ? `1 seed (${report.seeds[0]}; no spread can be estimated)` : `${report.seeds.length} seeds (${report.seeds.join(', ')})`;
}

export function renderMarkdown(report: ReportJson): string {
  const out: string[] = [];
  const spread = report.seeds.length > 1 ? 'mean ± sample standard deviation over ' : '';
  out.push(`# Polaris reproduction: ${report.title}`, '');
  out.push(`Made with:`, '', '```bash', report.command, '```', '');
  out.push(
    `Polaris ${report.environment.appVersion}, backend ${report.environment.backend}, Node ${report.environment.node}, ${report.environment.platform}, ` +
      `${report.environment.cpus} × ${report.environment.cpuModel}. Started ${report.createdAt}; wall time ${formatDuration(report.wallSeconds)} for ${seedPhrase(report)}.`,
    '',
  );
  out.push(report.description, '');

  out.push('## Data and protocol', '');
  out.push(`Data folder: \`${report.dataRoot}\` (outside the repository, read-only).`, '');
  for (const note of report.dataNotes) out.push(`- ${note}`);
  out.push(`- Seeds: ${seedPhrase(report)}. Each seed changes the split (or drawn subset), weight initialisation, batch order and sampling.`);
  out.push(`- Schedule: ${describeSchedule(report.settings, report.config)}; models: ${report.settings.models.join(', ')}.`);
  out.push('', '**Substitutes for the paper\'s data:**', '');
  for (const line of report.substitutes) out.push(`- ${line}`);
  out.push('');
  const first = report.run.seeds[0];
  if (first) {
    const what = Object.keys(first.counts);
    out.push('Items per seed:', '');
    out.push(table(['seed', ...what, 'seconds'], report.run.seeds.map((seed) => [String(seed.seed), ...what.map((w) => String(seed.counts[w] ?? '')), seed.seconds.toFixed(0)])));
    out.push('');
  }

  out.push('## Results', '');
  out.push(
    `Each cell is the ${spread}${seedPhrase(report)}. Anomaly / OOD is the positive class. ` +
      'FPR95 (paper code): fraction of normal items flagged when 95% of anomalies are caught, interpolated — the convention behind the paper\'s numbers ([B] metrics.py). ' +
      'FPR95 (Sun et al.): fraction of anomalies accepted when 95% of normal items are accepted — the convention the paper\'s text states; first threshold reaching 95%. ' +
      'AP: average precision. P@n: precision among the n top-scored items, n = number of anomalies. Train s: wall-clock seconds to train the model (shared by its detectors; other jobs on the machine make it vary).',
    '',
  );
  for (const evaluation of report.evaluations) {
    out.push(`### ${evaluation.title}`, '');
    out.push(`${evaluation.normals} normal / in-distribution and ${evaluation.anomalies} anomalous / OOD test items per seed.`, '');
    out.push(
      table(
        ['method', 'AUROC ↑', 'FPR95 ↓ (paper code)', 'FPR95 ↓ (Sun et al.)', 'AP ↑', 'P@n ↑', 'train s'],
        evaluation.rows.map((row) => [
          row.label,
          formatMeanStd(row.metrics.auroc),
          formatMeanStd(row.metrics.fpr95),
          formatMeanStd(row.metrics.fpr95_id),
          formatMeanStd(row.metrics.ap),
          formatMeanStd(row.metrics.precision_at_n),
          formatMeanStd(row.trainSeconds, 1),
        ]),
      ),
      '',
    );
    out.push(`![ROC curves, ${evaluation.title}](${evaluation.rocPlot})`, '');
    const tracked = renderTrackedRanks(report, evaluation);
    if (tracked) out.push(tracked, '');
  }

  out.push('## Beside the paper', '');
  out.push(report.paperSetting, '');
  for (const evaluation of report.evaluations) {
    out.push(`### ${evaluation.title}`, '');
    out.push(
      table(
        ['method', 'AUROC, Polaris', 'AUROC, paper', 'FPR95 (paper code), Polaris', 'FPR95, paper'],
        evaluation.rows.map((row) => [row.label, formatMeanStd(row.metrics.auroc), row.paper.auroc, formatMeanStd(row.metrics.fpr95), row.paper.fpr95]),
      ),
      '',
    );
  }

  out.push('## Where the results differ from the paper, and why', '');
  for (const line of report.differences) out.push(`- ${line}`);
  out.push('');

  out.push('## Per seed', '');
  for (const evaluation of report.evaluations) {
    out.push(`${evaluation.title}: AUROC / FPR95 (paper code) per seed.`, '');
    const labels = evaluation.rows.map((r) => r.label);
    out.push(
      table(
        ['seed', ...labels],
        report.run.seeds.map((seed) => {
          const methods = seed.evaluations.find((e) => e.key === evaluation.key)?.methods ?? [];
          return [String(seed.seed), ...labels.map((label) => {
            const m = methods.find((x) => x.label === label);
            return m ? `${m.metrics.auroc.toFixed(3)} / ${m.metrics.fpr95.toFixed(3)}` : '';
          })];
        }),
      ),
      '',
    );
  }

  out.push('## Exact configuration', '');
  out.push(
    `The training config of seed ${report.seeds[0]} as Polaris resolved it (every constant of method.md). The models differ only in \`method\` ` +
      `(comp, vmf, vae, ae); seed i uses \`seed\` = ${report.settings.firstSeed} + i. Suite settings: \`${JSON.stringify(report.settings)}\`.`,
    '',
  );
  out.push('```json', JSON.stringify(report.config, null, 2), '```', '');
  return `${out.join('\n')}\n`;
}

function renderTrackedRanks(report: ReportJson, evaluation: EvaluationSummary): string | null {
  const withRanks = evaluation.rows.filter((row) => row.trackedRanks);
  const firstRanks = withRanks[0]?.trackedRanks;
  if (!firstRanks) return null;
  const ids = Object.keys(firstRanks);
  const total = evaluation.normals + evaluation.anomalies;
  const lines = [
    `#### Where each ${ids.length === 1 ? 'anomaly' : `of the ${ids.length} anomalies`} lands`,
    '',
    `Rank among the ${total} test items of its seed (1 = most anomalous; ties share the mean rank), ${report.seeds.length > 1 ? `mean ± std over ${report.seeds.length} seeds` : 'one seed'}. ` +
      `A perfect method puts the ${ids.length} anomalies at ranks 1–${ids.length} (mean ${((ids.length + 1) / 2).toFixed(1)}); a random one at ${((total + 1) / 2).toFixed(1)} on average.`,
    '',
    table(
      ['item', 'where', ...withRanks.map((r) => r.label)],
      [
        ...ids.map((id) => [id, report.trackedDescriptions[id] ?? '', ...withRanks.map((row) => formatRank(row.trackedRanks?.[id]))]),
        ['mean of the anomalies', '', ...withRanks.map((row) => meanRank(row.trackedRanks ?? {}).toFixed(1))],
      ],
      ['l', 'l', ...withRanks.map(() => 'r' as const)],
    ),
  ];
  return lines.join('\n');
}

function formatRank(summary: MeanStd | undefined): string {
  if (!summary) return '';
  return summary.std === null ? summary.mean.toFixed(1) : `${summary.mean.toFixed(1)} ± ${summary.std.toFixed(1)}`;
}

function meanRank(ranks: Record<string, MeanStd>): number {
  const values = Object.values(ranks).map((r) => r.mean);
  return values.reduce((sum, v) => sum + v, 0) / Math.max(values.length, 1);
}

// ---------------------------------------------------------------- folder

function renderRocPlots(report: ReportJson): Map<string, Buffer> {
  const plots = new Map<string, Buffer>();
  for (const evaluation of report.evaluations) {
    plots.set(
      evaluation.rocPlot,
      renderLinePlot({
        title: `ROC: ${evaluation.title}`,
        subtitle: `${report.suite}, ${report.seeds.length > 1 ? `mean TPR over ${report.seeds.length} seeds` : '1 seed'}, legend: mean AUROC`,
        xLabel: 'False positive rate (normal items flagged)',
        yLabel: 'True positive rate (anomalies caught)',
        series: evaluation.rows.map((row) => ({ label: `${row.label}  ${row.metrics.auroc.mean.toFixed(3)}`, x: report.rocGrid, y: row.roc })),
        diagonal: true,
        width: 800, // room for the legend's two columns
        height: 640,
      }),
    );
  }
  return plots;
}

/** JSON with two-space indentation, but arrays of numbers (curves) kept on one line each. */
export function stringifyCompact(value: unknown): string {
  // Only multi-line matches are touched, and JSON strings never hold a raw newline, so strings are safe.
  return JSON.stringify(value, null, 2).replace(/\[\n[-\d.eE+,\s]*?\]/g, (match) => `[${match.slice(1, -1).split(',').map((v) => v.trim()).join(', ')}]`);
}

/** Writes report.json, report.md and the ROC plots into `folder`; returns the paths written. */
export function writeReportFolder(folder: string, report: ReportJson): string[] {
  mkdirSync(folder, { recursive: true });
  const written: string[] = [];
  const write = (name: string, data: string | Uint8Array) => {
    const file = path.join(folder, name);
    writeFileAtomic(file, data);
    written.push(file);
  };
  write('report.json', `${stringifyCompact(report)}\n`);
  write('report.md', renderMarkdown(report));
  for (const [name, png] of renderRocPlots(report)) write(name, png);
  return written;
}
