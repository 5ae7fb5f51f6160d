/**
 * `polaris`: the headless command line over the same engine and services as the desktop app, for
 * workstations and clusters. Every command has --help; exit codes: 0 ok, 1 failure, 2 usage,
 * 3 bad data, 130 interrupted.
 */
import { CONFIG_HELP, DEFAULT_CONFIG } from '../ml/config';
import { DatasetFileError } from '../main/data/errors';
import { demoCommand } from './commands/demo';
import { evalCommand } from './commands/eval';
import { metricsCommand } from './commands/metrics';
import { reproduceCommand } from './commands/reproduce';
import { scoreCommand } from './commands/score';
import { serveCommand } from './commands/serve';
import { trainCommand } from './commands/train';
import { EXIT, UsageError } from './output';

const HELP = `polaris — anomaly detection in image collections with Comp.VAE (hyperspherical-coordinate VAE)

Usage: polaris <command> [options]     (polaris <command> --help for details)

  demo                         train and compare every method on the embedded MNIST default
  train <dataset>              train a model, checkpoint each epoch, score every item, write a run folder
  score --method M --fit D --input D --out scores.csv
                               score data with k-NN, KNN*, Isolation Forest or reconstruction error
  metrics <file> [--json]      AUROC, FPR95 (both conventions), AP, AUPR, precision at n
  eval <dataset> --methods …   the paper's Table 1 for one dataset split
  reproduce <suite>            a whole comparison over seeds (galaxyzoo, navcam, cifar10-ood) → report folder
  serve [--port P]             the app's services and window for a browser, on 127.0.0.1 with a token
  config                       every constant of the method with its default and meaning

Environment: POLARIS_BACKEND=node-gpu|node|wasm|cpu forces a TensorFlow.js backend.`;

function configCommand(): number {
  const width = Math.max(...Object.keys(DEFAULT_CONFIG).map((k) => k.length));
  for (const [key, value] of Object.entries(DEFAULT_CONFIG)) {
    process.stdout.write(`${key.padEnd(width)}  ${JSON.stringify(value).padEnd(14)}  ${CONFIG_HELP[key as keyof typeof CONFIG_HELP]}\n`);
  }
  process.stdout.write('\nOverride any of them with --set key=value or --config file.json.\n');
  return EXIT.ok;
}

const COMMANDS: Record<string, (argv: string[]) => Promise<number> | number> = {
  demo: demoCommand,
  train: trainCommand,
  score: scoreCommand,
  metrics: metricsCommand,
  eval: evalCommand,
  reproduce: reproduceCommand,
  serve: serveCommand,
  config: configCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command ? EXIT.ok : EXIT.usage;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`polaris: unknown command "${command}"\n\n${HELP}\n`);
    return EXIT.usage;
  }
  try {
    return await run(rest);
  } catch (error) {
    return reportError(error);
  }
}

export function reportError(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`polaris: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof DatasetFileError) {
    process.stderr.write(`polaris: bad input file ${error.message}\n(use --on-error skip to skip such files)\n`);
    return EXIT.data;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`polaris: ${message}\n`);
  if (process.env.POLARIS_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return error instanceof RangeError ? EXIT.data : EXIT.failure;
}
