/**
 * The paper's one-class protocol on a labelled image folder, shared by the galaxyzoo and navcam
 * suites: per seed, train on (a random subset of) the normal items and test on held-out normals plus
 * the known anomalies, as many of each (protocolSplit with balancedTest).
 */
import path from 'node:path';
import { selectRows } from '../../../ml/matrix';
import { Rng } from '../../../ml/rng';
import { type PreparedDataset, protocolSplit } from '../../services/dataset-prep';
import type { Evaluation, SeedData, SuiteSettings } from '../suite';

export interface FolderSeedOptions {
  evaluationKey: string;
  evaluationTitle: string;
  /** Words for the two sides in the counts, e.g. "normal" / "odd". */
  normalWord: string;
  anomalyWord: string;
  /** Report each anomaly's rank per method (navcam). */
  trackAnomalies?: boolean;
}

/** Draws a seed's split: the protocol split, then the training subset and the test cap, all from the seed. */
export function folderSeedData(prepared: PreparedDataset, seed: number, settings: SuiteSettings, options: FolderSeedOptions): SeedData {
  const split = protocolSplit(prepared.anomaly, { seed, testFraction: 0.2, balancedTest: true });
  const rng = new Rng(seed + 7); // a stream of its own, so the subset does not mirror the split's shuffle
  const byIndex = (a: number, b: number) => a - b;
  const train = rng.shuffle(split.train.filter((i) => prepared.anomaly[i] === 0)).slice(0, settings.trainLimit).sort(byIndex);
  const normals = rng.shuffle(split.test.filter((i) => prepared.anomaly[i] === 0)).slice(0, settings.testLimit);
  const anomalies = rng.shuffle(split.test.filter((i) => prepared.anomaly[i] === 1)).slice(0, settings.testLimit);
  const test = [...normals, ...anomalies].sort(byIndex);
  const labels = Uint8Array.from(test, (i) => (prepared.anomaly[i] === 1 ? 1 : 0));
  const evaluation: Evaluation = {
    key: options.evaluationKey,
    title: options.evaluationTitle,
    members: test.map((_, row) => row),
    labels,
  };
  if (options.trackAnomalies) evaluation.tracked = test.flatMap((item, row) => (prepared.anomaly[item] === 1 ? [row] : []));
  return {
    train: selectRows(prepared.images, train),
    test: selectRows(prepared.images, test),
    testIds: test.map((i) => path.posix.basename(prepared.files[i] as string)),
    evaluations: [evaluation],
    counts: {
      [`training images (${options.normalWord})`]: train.length,
      [`test ${options.normalWord}`]: normals.length,
      [`test ${options.anomalyWord}`]: anomalies.length,
    },
  };
}

/** Label value → number of items, sorted by label, for the report's data notes. */
export function labelCounts(labels: readonly (string | null)[]): string {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label ?? '(none)', (counts.get(label ?? '(none)') ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([label, count]) => `${label}: ${count}`)
    .join(', ');
}
