import { resolve } from 'node:path';
import { describeBackend, initBackend } from '../../ml/backend';
import { resolveConfig } from '../../ml/config';
import { COMPARISON_MODELS, type ComparisonModel, ComparisonStopped, formatComparisonTable, runComparison, type ComparisonRow } from '../../ml/compare';
import { selectRows } from '../../ml/matrix';
import { writeFileAtomic } from '../../main/runs/atomic';
import { appVersion } from '../../main/services/train-job';
import { type DatasetSpec, prepareDataset } from '../../main/services/dataset-prep';
import { applyBackendFlag, configOverrides, DATA_OPTIONS, folderDatasetSpec, listFlag, MODEL_HELP, MODEL_OPTIONS, parse, stringFlag } from '../args';
import { EXIT, installInterruptHandler, ProgressReporter, UsageError } from '../output';

export const EVAL_HELP = `polaris eval <dataset> --methods comp,vmf,vae,ae,pixels [options]

The paper's Table 1 for one dataset split: trains each model on the normal training items, then
scores a held-out test set of as many normal items as anomalies (all known anomalies) with the
detectors the paper pairs it with — Comp.VAE / vMF + k-NN; VAE and AE + k-NN, Isolation Forest and
reconstruction MSE; raw pixels + k-NN and Isolation Forest — and prints AUROC and FPR95 per method.

  --methods LIST             models to compare (default comp,vmf,vae,ae,pixels)
  --labels file.csv          labels CSV   --label-column NAME
  --anomaly-classes A,B      label values that are anomalies (required unless the column is novel/anomaly)
  --on-error skip|stop       --limit N
  --out report.json          write the rows, config and backend as JSON
${MODEL_HELP}`;

export interface EvalReport {
  dataset: string;
  backend: string;
  appVersion: string;
  createdAt: string;
  config: Record<string, unknown>;
  trainCount: number;
  testCount: number;
  anomalies: number;
  rows: ComparisonRow[];
}

export async function evaluate(
  dataset: DatasetSpec,
  models: readonly ComparisonModel[],
  overrides: ReturnType<typeof configOverrides>,
  title: string,
): Promise<{ report: EvalReport; table: string } | null> {
  const backend = await initBackend();
  const config = resolveConfig(overrides);
  const progress = new ProgressReporter(process.stderr, config.epochs);
  progress.message(`backend: ${describeBackend(backend)}`);
  const prepared = await prepareDataset(dataset, { size: config.imageSize, protocol: { seed: config.seed, testFraction: 0.2, balancedTest: true } });
  const testLabels = prepared.test.map((i) => prepared.anomaly[i]);
  if (!testLabels.some((l) => l === 1)) throw new UsageError(`${prepared.path}: no anomalies known; give --labels and --anomaly-classes`);
  let stopping = false;
  const interrupt = installInterruptHandler(() => {
    stopping = true;
    progress.message('Stopping after the current batch…');
  });
  try {
    progress.message(`${prepared.train.length} normal training items, ${prepared.test.length} test items (${testLabels.filter((l) => l === 1).length} anomalies)`);
    const rows = await runComparison({
      train: selectRows(prepared.images, prepared.train),
      test: selectRows(prepared.images, prepared.test),
      testLabels: Uint8Array.from(testLabels, (l) => (l === 1 ? 1 : 0)),
      baseConfig: { ...overrides, channels: prepared.channels, imageSize: config.imageSize },
      models,
      knnK: config.knnK,
      onModelBegin: (model) => progress.message(`— ${model}`),
      onBatchEnd: (_model, info) => progress.batch(info),
      onEpochEnd: (_model, log) => progress.epoch(log),
      shouldStop: () => stopping,
    });
    const report: EvalReport = {
      dataset: prepared.path,
      backend: describeBackend(backend),
      appVersion: appVersion(),
      createdAt: new Date().toISOString(),
      config: { ...resolveConfig({ ...overrides, channels: prepared.channels }) },
      trainCount: prepared.train.length,
      testCount: prepared.test.length,
      anomalies: testLabels.filter((l) => l === 1).length,
      rows,
    };
    return { report, table: formatComparisonTable(rows, title) };
  } catch (error) {
    if (error instanceof ComparisonStopped) return null;
    throw error;
  } finally {
    interrupt.dispose();
  }
}

export function parseModels(list: string[] | undefined): ComparisonModel[] {
  const models = list ?? [...COMPARISON_MODELS];
  for (const model of models) {
    if (!(COMPARISON_MODELS as readonly string[]).includes(model)) throw new UsageError(`--methods: unknown "${model}"; use ${COMPARISON_MODELS.join(', ')}`);
  }
  return models as ComparisonModel[];
}

export async function evalCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...MODEL_OPTIONS,
      ...DATA_OPTIONS,
      methods: { type: 'string' },
      out: { type: 'string' },
    },
    'eval',
  );
  if (values.help) {
    process.stdout.write(`${EVAL_HELP}\n`);
    return EXIT.ok;
  }
  const path = positionals[0];
  if (!path) throw new UsageError('eval: give a dataset folder; see polaris eval --help');
  applyBackendFlag(values);
  const dataset = folderDatasetSpec(values, path);
  const result = await evaluate(dataset, parseModels(listFlag(values, 'methods')), configOverrides(values), `Table 1 on ${path}`);
  if (!result) return EXIT.interrupted;
  process.stdout.write(`${result.table}\n`);
  const out = stringFlag(values, 'out');
  if (out) {
    writeFileAtomic(resolve(out), `${JSON.stringify(result.report, null, 2)}\n`);
    process.stderr.write(`wrote ${out}\n`);
  }
  return EXIT.ok;
}
