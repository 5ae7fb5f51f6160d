import { resolve } from 'node:path';
import { describeBackend } from '../../ml/backend';
import { resolveConfig } from '../../ml/config';
import { readManifest } from '../../main/runs/run-folder';
import type { DatasetSpec } from '../../main/services/dataset-prep';
import { runTrainJob } from '../../main/services/train-job';
import { applyBackendFlag, configOverrides, DATA_OPTIONS, folderDatasetSpec, MODEL_HELP, MODEL_OPTIONS, numberFlag, parse, stringFlag } from '../args';
import { EXIT, formatNumber, installInterruptHandler, ProgressReporter, UsageError } from '../output';

export const TRAIN_HELP = `polaris train <dataset> [options]

Trains a model on the normal images of <dataset> (a folder of PNG/JPEG/TIFF/FITS/.npy images, or
"demo" for the embedded MNIST digits), with a checkpoint after every epoch, then scores every item
by its mean distance to the k nearest training means and writes a run folder.

Model:
${MODEL_HELP}
Data:
  --labels file.csv          labels CSV (key column file/filename/path/id/objid; label column label/class/novel/…)
  --label-column NAME        label column to use
  --anomaly-classes A,B      label values that are anomalies (e.g. 4,5); a novel/anomaly column means 1
  --test-fraction F          share of normal items held out for testing (default 0.2)
  --balanced                 hold out as many normal items as there are anomalies (the paper's protocol)
  --on-error skip|stop       unreadable files: skip and report them (default) or stop at the first
  --limit N                  use only the first N files
Run:
  --out DIR                  run folder (default runs/<method>-<time>)
  --resume                   continue the run in --out from its last checkpoint
  --json                     print the final run manifest as JSON on stdout

Ctrl-C stops after the current batch; the run can then be resumed with --resume.
Exit codes: 0 done, 1 failed, 2 usage error, 3 bad data, 130 interrupted.`;

export async function trainCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...MODEL_OPTIONS,
      ...DATA_OPTIONS,
      'test-fraction': { type: 'string' },
      balanced: { type: 'boolean' },
      out: { type: 'string' },
      resume: { type: 'boolean' },
      json: { type: 'boolean' },
      digit: { type: 'string' },
    },
    'train',
  );
  if (values.help) {
    process.stdout.write(`${TRAIN_HELP}\n`);
    return EXIT.ok;
  }
  const resume = values.resume === true;
  const datasetArgument = positionals[0];
  if (!datasetArgument && !resume) throw new UsageError('train: give a dataset folder (or "demo"); see polaris train --help');
  applyBackendFlag(values);
  const overrides = configOverrides(values);
  const method = overrides.method ?? 'comp';
  const out = stringFlag(values, 'out') ?? (resume ? undefined : `runs/${method}-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
  if (!out) throw new UsageError('train --resume needs --out <run folder>');

  let dataset: DatasetSpec | undefined;
  if (datasetArgument === 'demo') {
    dataset = { kind: 'demo', anomalyDigit: numberFlag(values, 'digit', { integer: true, min: 0 }) ?? 7, trainCount: numberFlag(values, 'limit', { integer: true, min: 10 }) ?? 2000, testAnomalies: 300 };
    if (overrides.imageSize === undefined) overrides.imageSize = 32;
  } else if (datasetArgument) {
    dataset = folderDatasetSpec(values, datasetArgument);
  }

  const totalEpochs = overrides.epochs ?? (resume ? Number(readManifest(resolve(out)).config.epochs) : resolveConfig(overrides).epochs);
  const progress = new ProgressReporter(process.stderr, totalEpochs);
  let stopping = false;
  const interrupt = installInterruptHandler(() => {
    stopping = true;
    progress.message('Stopping after the current batch (Ctrl-C again to exit at once)…');
  });
  try {
    const result = await runTrainJob({
      dataset,
      runDir: resolve(out),
      overrides,
      resume,
      testFraction: numberFlag(values, 'test-fraction', { min: 0 }),
      balancedTest: values.balanced === true,
      callbacks: {
        onBackend: (info) => progress.message(`backend: ${describeBackend(info)}`),
        onStatus: (_status, message) => progress.message(message),
        onBatchEnd: (info) => progress.batch(info),
        onEpochEnd: (log) => progress.epoch(log),
        shouldStop: () => stopping,
      },
    });
    const { manifest } = result;
    progress.message(`run folder: ${resolve(out)}`);
    if (manifest.dataset.problems.length > 0) {
      progress.message(`${manifest.dataset.problems.length} file(s) skipped:`);
      for (const problem of manifest.dataset.problems.slice(0, 20)) progress.message(`  ${problem.file}: ${problem.reason}`);
      if (manifest.dataset.problems.length > 20) progress.message(`  … see ${out}/run.json`);
    }
    if (manifest.metrics) {
      progress.message(
        `test split: AUROC ${formatNumber(manifest.metrics.auroc ?? NaN)}  FPR95 ${formatNumber(manifest.metrics.fpr95 ?? NaN)}  FPR95 (Sun) ${formatNumber(manifest.metrics.fpr95_id ?? NaN)}  AP ${formatNumber(manifest.metrics.ap ?? NaN)}`,
      );
    }
    if (values.json) process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
    return result.status === 'interrupted' ? EXIT.interrupted : EXIT.ok;
  } finally {
    interrupt.dispose();
  }
}
