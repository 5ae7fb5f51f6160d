import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPARISON_MODELS } from '../../ml/compare';
import { buildReport, REPORT_FORMAT, type ReportJson, writeReportFolder } from '../../main/report/report';
import { ComparisonStopped, runSuite } from '../../main/report/run-suite';
import { formatMeanStd } from '../../main/report/statistics';
import { SUITE_NAMES, type SuiteDefinition, type SuiteName, type SuiteSettings } from '../../main/report/suite';
import { SUITES } from '../../main/report/suites';
import { listFlag, numberFlag, parse, stringFlag } from '../args';
import { EXIT, installInterruptHandler, ProgressReporter, UsageError } from '../output';
import { parseModels } from './eval';

/** The repository root (this file is src/cli/commands/reproduce.ts); the shared data sits beside it. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEFAULT_DATA_ROOT = path.resolve(REPO_ROOT, '../shared/data');

function suiteDefaults(name: SuiteName): string {
  const d = SUITES[name].defaults;
  const extra = d.heldOutClasses.length > 0 ? `, held out ${d.heldOutClasses.join(',')}` : '';
  return `  ${name.padEnd(12)} --epochs ${d.epochs} --train-limit ${d.trainLimit} --test-limit ${d.testLimit} --size ${d.imageSize} --latent ${d.latentDim} --batch ${d.batchSize} --lr ${d.learningRate}${extra}`;
}

export const REPRODUCE_HELP = `polaris reproduce <suite> [--seeds N] [--epochs E] [options]

Runs one of the paper's comparisons end to end, once per seed, and writes a report folder:
report.md (tables beside the paper's numbers, substitutes marked, differences explained),
report.json (every number, the exact config, backend, app version, train times) and one ROC plot
per evaluation (roc-*.png, averaged over seeds). Every method gets AUROC, FPR95 in both conventions,
AP and precision at n as mean ± std over the seeds.

Suites (data under --data, default ../shared/data beside the repository):
  galaxyzoo     galaxyzoo1-64: train on normal galaxies, test half normal, half odd (classes 4, 5)
  navcam        navcam-novelty: fit on typical Mars Navcam targets, rank the rest, report where each
                novel target lands
  cifar10-ood   cifar10-jpg.tar.gz: class-conditioned CIFAR-10 (ID); near-OOD = held-out CIFAR-10
                classes; far-OOD = MNIST digits as RGB
  all           the three in turn into <out>/<suite>, skipping any whose data is missing

  --seeds N            seeds (default 3; seed i = first seed + i; varies split, init, shuffles)
  --first-seed S       default 100
  --epochs E           epochs per model (the paper trains 300 on a GPU)
  --train-limit N      most normal / ID training images per seed (a random subset per seed)
  --test-limit N       most test items per side of an evaluation (cifar10-ood: total ID / OOD items)
  --size S             input side, 32·2^k   --latent N   latent dimension   --batch B   --lr R
  --methods LIST       models (default ${COMPARISON_MODELS.join(',')})
  --held-out LIST      cifar10-ood: CIFAR-10 classes held out of training as near-OOD
  --data DIR           folder holding the datasets (default ../shared/data beside the repository)
  --out DIR            report folder (default reproduce-<suite>; for "all", the parent folder)
  --backend B          node-gpu | node | wasm | cpu
  --rerender DIR       rewrite DIR's report.md, report.json and plots from its report.json
                       (after a Polaris update), without training anything

Defaults per suite (sized for ~10–20 min on 2 CPU cores at --seeds 3):
${SUITE_NAMES.map(suiteDefaults).join('\n')}`;

type FlagValues = Record<string, string | boolean | string[] | undefined>;

function suiteSettings(suite: SuiteDefinition, values: FlagValues): SuiteSettings {
  const d = suite.defaults;
  return {
    seeds: numberFlag(values, 'seeds', { integer: true, min: 1 }) ?? 3,
    firstSeed: numberFlag(values, 'first-seed', { integer: true }) ?? 100,
    epochs: numberFlag(values, 'epochs', { integer: true, min: 1 }) ?? d.epochs,
    trainLimit: numberFlag(values, 'train-limit', { integer: true, min: 2 }) ?? d.trainLimit,
    testLimit: numberFlag(values, 'test-limit', { integer: true, min: 1 }) ?? d.testLimit,
    imageSize: numberFlag(values, 'size', { integer: true, min: 32 }) ?? d.imageSize,
    latentDim: numberFlag(values, 'latent', { integer: true, min: 3 }) ?? d.latentDim,
    batchSize: numberFlag(values, 'batch', { integer: true, min: 2 }) ?? d.batchSize,
    learningRate: numberFlag(values, 'lr', { min: 0 }) ?? d.learningRate,
    models: parseModels(listFlag(values, 'methods')),
    heldOutClasses: listFlag(values, 'held-out') ?? d.heldOutClasses,
  };
}

/** The command as a user would retype it, for the report. */
function commandLine(argv: readonly string[]): string {
  const quote = (arg: string) => (/^[\w./,=:@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`);
  return ['npx polaris reproduce', ...argv.map(quote)].join(' ');
}

/** A path as the report shows it: relative to the repository when it lies near it, never a home directory. */
function displayPath(absolute: string): string {
  const relative = path.relative(REPO_ROOT, absolute).split(path.sep).join('/');
  return relative.startsWith('../../') ? absolute : relative || '.';
}

async function reproduceOne(suite: SuiteDefinition, values: FlagValues, dataRoot: string, out: string, command: string): Promise<number> {
  const missing = suite.requiredPaths.filter((p) => !existsSync(path.join(dataRoot, p)));
  if (missing.length > 0) {
    process.stderr.write(`polaris reproduce ${suite.name}: skipped — ${missing.map((p) => `${displayPath(path.join(dataRoot, p))}`).join(', ')} missing (see --data)\n`);
    return EXIT.data;
  }
  const settings = suiteSettings(suite, values);
  try {
    suite.validate?.(settings);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  let reporter = new ProgressReporter(process.stderr, settings.epochs);
  let seedLabel = '';
  let stopping = false;
  const interrupt = installInterruptHandler(() => {
    stopping = true;
    reporter.message('Stopping after the current batch…');
  });
  process.stderr.write(`polaris reproduce ${suite.name}: ${settings.seeds} seed(s), ${settings.epochs} epoch(s) per model, models ${settings.models.join(',')}\n`);
  try {
    const run = await runSuite({
      suite,
      settings,
      dataRoot,
      dataRootLabel: displayPath(dataRoot),
      progress: {
        onMessage: (text) => reporter.message(text),
        onSeedBegin: (seed, index, total) => {
          seedLabel = `[seed ${seed}, ${index + 1}/${total}] `;
          reporter.message(`${seedLabel}drawing the split`);
        },
        onModelBegin: (model) => {
          reporter = new ProgressReporter(process.stderr, settings.epochs, `${seedLabel}${model} `);
          reporter.message(`${seedLabel}— ${model}`);
        },
        onBatchEnd: (_model, info) => reporter.batch(info),
        onEpochEnd: (_model, log) => reporter.epoch(log),
        shouldStop: () => stopping,
      },
    });
    const report = buildReport(run, suite, command);
    const written = writeReportFolder(out, report);
    for (const evaluation of report.evaluations) {
      process.stdout.write(`\n${suite.name}: ${evaluation.title} — AUROC over ${report.seeds.length} seed(s)\n`);
      for (const row of evaluation.rows) process.stdout.write(`  ${row.label.padEnd(24)} ${formatMeanStd(row.metrics.auroc)}\n`);
    }
    process.stdout.write(`\nwrote ${written.map(displayPath).join(', ')}\n`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ComparisonStopped) return EXIT.interrupted;
    throw error;
  } finally {
    interrupt.dispose();
  }
}

/** Rebuilds a report folder from the raw run stored in its report.json. */
function rerenderReport(folder: string): number {
  const file = path.join(folder, 'report.json');
  let report: ReportJson;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as ReportJson;
  } catch (error) {
    throw new UsageError(`--rerender: cannot read ${file} (${error instanceof Error ? error.message : String(error)})`);
  }
  if (report.format !== REPORT_FORMAT || !(SUITE_NAMES as readonly string[]).includes(report.suite) || !report.run) {
    throw new UsageError(`--rerender: ${file} is not a ${REPORT_FORMAT} report`);
  }
  const written = writeReportFolder(folder, buildReport(report.run, SUITES[report.suite as SuiteName], report.command));
  process.stdout.write(`wrote ${written.map(displayPath).join(', ')}\n`);
  return EXIT.ok;
}

export async function reproduceCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      seeds: { type: 'string' },
      'first-seed': { type: 'string' },
      epochs: { type: 'string' },
      'train-limit': { type: 'string' },
      'test-limit': { type: 'string' },
      size: { type: 'string' },
      latent: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      methods: { type: 'string' },
      'held-out': { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string' },
      rerender: { type: 'string' },
    },
    'reproduce',
  );
  if (values.help) {
    process.stdout.write(`${REPRODUCE_HELP}\n`);
    return EXIT.ok;
  }
  const rerender = stringFlag(values, 'rerender');
  if (rerender) return rerenderReport(path.resolve(rerender));
  const name = positionals[0];
  if (!name) throw new UsageError(`reproduce: name a suite (${SUITE_NAMES.join(', ')}, all); see polaris reproduce --help`);
  if (positionals.length > 1) throw new UsageError(`reproduce: one suite at a time, got ${positionals.join(' ')}`);
  const backend = stringFlag(values, 'backend');
  if (backend) process.env.POLARIS_BACKEND = backend;
  const dataRoot = path.resolve(stringFlag(values, 'data') ?? DEFAULT_DATA_ROOT);
  const command = commandLine(argv);
  if (name === 'all') {
    const parent = path.resolve(stringFlag(values, 'out') ?? 'reproduce');
    let worst: number = EXIT.ok;
    for (const suiteName of SUITE_NAMES) {
      const code = await reproduceOne(SUITES[suiteName], values, dataRoot, path.join(parent, suiteName), command);
      if (code === EXIT.interrupted) return code;
      if (code !== EXIT.ok) worst = code;
    }
    return worst;
  }
  if (!(SUITE_NAMES as readonly string[]).includes(name)) throw new UsageError(`reproduce: unknown suite "${name}"; use ${SUITE_NAMES.join(', ')} or all`);
  const suite = SUITES[name as SuiteName];
  return reproduceOne(suite, values, dataRoot, path.resolve(stringFlag(values, 'out') ?? `reproduce-${suite.name}`), command);
}
