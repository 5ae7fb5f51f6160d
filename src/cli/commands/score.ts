import { resolve } from 'node:path';
import { rankScores, csvField } from '../../main/runs/run-folder';
import { writeFileAtomic } from '../../main/runs/atomic';
import { SCORE_METHODS, type ScoreMethod, scoreData } from '../../main/services/scoring';
import { applyBackendFlag, numberFlag, onErrorFlag, parse, stringFlag } from '../args';
import { EXIT, UsageError } from '../output';

export const SCORE_HELP = `polaris score --method M --fit <normal data> --input <data> --out scores.csv [options]

Fits a detector on normal data and scores the input; higher = more anomalous. Data is an image
folder or a .npy feature matrix (rows = items). With --run, images are first encoded by that run's
model (its latent means), or reconstructed by it for --method mse; without, detectors work on pixels
(normalized per channel on the normal data) or on the given features.

  --method knn|knn-star|iforest|mse
                      knn: mean distance to the k nearest normal items (k = 3)
                      knn-star: L2-normalized features, distance to the k-th neighbour (k = 50)
                      iforest: Isolation Forest (100 trees, sub-samples of 256)
                      mse: reconstruction error of the run's model (needs --run)
  --fit PATH          normal data
  --input PATH        data to score
  --out FILE          CSV with columns index,file,score,rank (rank 1 = most anomalous)
  --run DIR           a run folder written by polaris train
  --k K               neighbours for knn / knn-star
  --trees T           Isolation Forest trees   --seed S   its seed
  --size S            input side for pixel-space scoring of image folders (default 32)
  --on-error skip|stop`;

export async function scoreCommand(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      method: { type: 'string' },
      fit: { type: 'string' },
      input: { type: 'string' },
      out: { type: 'string' },
      run: { type: 'string' },
      k: { type: 'string' },
      trees: { type: 'string' },
      seed: { type: 'string' },
      size: { type: 'string' },
      'on-error': { type: 'string' },
      backend: { type: 'string' },
    },
    'score',
  );
  if (values.help) {
    process.stdout.write(`${SCORE_HELP}\n`);
    return EXIT.ok;
  }
  const method = stringFlag(values, 'method');
  if (!method || !(SCORE_METHODS as readonly string[]).includes(method)) throw new UsageError(`score: --method must be one of ${SCORE_METHODS.join(', ')}`);
  const fit = stringFlag(values, 'fit');
  const input = stringFlag(values, 'input');
  const out = stringFlag(values, 'out');
  if (!fit || !input || !out) throw new UsageError('score: --fit, --input and --out are required (see polaris score --help)');
  const onError = onErrorFlag(values);
  applyBackendFlag(values);
  const run = stringFlag(values, 'run');
  const result = await scoreData({
    method: method as ScoreMethod,
    fit: resolve(fit),
    input: resolve(input),
    runDir: run ? resolve(run) : undefined,
    k: numberFlag(values, 'k', { integer: true, min: 1 }),
    trees: numberFlag(values, 'trees', { integer: true, min: 1 }),
    seed: numberFlag(values, 'seed', { integer: true }),
    size: numberFlag(values, 'size', { integer: true, min: 8 }),
    onProblem: onError,
  });
  const ranks = rankScores(result.scores);
  const lines = ['index,file,score,rank', ...result.files.map((file, i) => `${i},${csvField(file)},${result.scores[i]},${ranks[i]}`)];
  writeFileAtomic(resolve(out), `${lines.join('\n')}\n`);
  for (const problem of result.problems) process.stderr.write(`skipped ${problem.file}: ${problem.reason}\n`);
  process.stderr.write(`scored ${result.files.length} item(s) with ${method} in ${result.featureSpace}; wrote ${out}\n`);
  return EXIT.ok;
}
