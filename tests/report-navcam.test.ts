import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/ml/config';
import { type AnomalyMetrics } from '../src/ml/metrics';
import { buildReport, renderMarkdown } from '../src/main/report/report';
import type { MethodResult, SuiteRun } from '../src/main/report/run-suite';
import { ranksByDecreasingScore, ROC_GRID } from '../src/main/report/statistics';
import { SUITES } from '../src/main/report/suites';

const dataRoot = resolve(__dirname, '../../shared/data');
const hasNavcam = existsSync(resolve(dataRoot, 'navcam-novelty/labels.csv'));
if (!hasNavcam) console.warn(`skipping the navcam real-data test: ${dataRoot}/navcam-novelty is missing`);

describe('ranksByDecreasingScore', () => {
  it('ranks the highest score 1 and gives tied items the mean of the ranks they span', () => {
    expect(ranksByDecreasingScore([0.9, 0.1, 0.5, 0.5])).toEqual([1, 4, 2.5, 2.5]);
    expect(ranksByDecreasingScore([3, 3, 3])).toEqual([2, 2, 2]);
    expect(ranksByDecreasingScore([])).toEqual([]);
  });
});

const metrics: AnomalyMetrics = { auroc: 0.5, fpr95: 1, fpr95_id: 1, fpr95_id_interpolated: 1, ap: 0.5, aupr: 0.5, precision_at_n: 0.5, n_anomalies: 2, n_normal: 2 };

function method(label: string, model: MethodResult['model'], ranks: Record<string, number>): MethodResult {
  return { label, model, detector: 'knn', metrics, trainSeconds: 1, scoreSeconds: 0, rocTpr: ROC_GRID.map((x) => x), trackedRanks: ranks };
}

/** Two seeds, two methods, two novel targets with known ranks among 4 test items. */
const run: SuiteRun = {
  suite: 'navcam',
  settings: { ...SUITES.navcam.defaults, seeds: 2, firstSeed: 100, models: ['comp', 'pixels'] },
  config: resolveConfig({ imageSize: 64, channels: 1 }),
  dataRoot: '../shared/data',
  dataNotes: [],
  trackedDescriptions: { 'a.png': 'sol 1347, target 32', 'b.png': 'sol 1371, target 0' },
  environment: { appVersion: 'test', backend: 'cpu', node: 'v20', platform: 'test', cpus: 1, cpuModel: 'test' },
  startedAt: '2026-01-01T00:00:00.000Z',
  wallSeconds: 1,
  seeds: [100, 101].map((seed, i) => ({
    seed,
    seconds: 1,
    counts: { 'training images (typical)': 2, 'test typical': 2, 'test novel': 2 },
    evaluations: [
      {
        key: 'novel',
        title: 'typical vs novel Navcam targets',
        anomalies: 2,
        normals: 2,
        methods: [method('Comp.VAE + k-NN', 'comp', { 'a.png': 1 + i, 'b.png': 4 }), method('Pixels + k-NN', 'pixels', { 'a.png': 3, 'b.png': 2 + 2 * i })],
      },
    ],
  })),
};

describe('navcam rank table', () => {
  const markdown = renderMarkdown(buildReport(run, SUITES.navcam, 'npx polaris reproduce navcam'));

  it('lists every novel target with where it is and its mean ± std rank per method', () => {
    expect(markdown).toContain('#### Where each of the 2 anomalies lands');
    expect(markdown).toContain('Rank among the 4 test items of its seed');
    // a.png: comp ranks 1 and 2 → 1.5 ± 0.7; pixels 3 and 3 → 3.0 ± 0.0.
    expect(markdown).toContain('| a.png | sol 1347, target 32 | 1.5 ± 0.7 | 3.0 ± 0.0 |');
    // b.png: comp 4 and 4; pixels 2 and 4 → 3.0 ± 1.4.
    expect(markdown).toContain('| b.png | sol 1371, target 0 | 4.0 ± 0.0 | 3.0 ± 1.4 |');
    expect(markdown).toContain('| mean of the anomalies |  | 2.8 | 3.0 |');
  });

  it('marks the navcam dataset as a substitute for the paper\'s Mastcam set and has no invented paper numbers', () => {
    expect(markdown).toMatch(/substitutes the paper's Mars Mastcam set/);
    expect(markdown).toContain('paper value not available offline');
  });
});

describe.skipIf(!hasNavcam)('navcam suite on ../shared/data/navcam-novelty', () => {
  it('fits on typical targets and ranks held-out typical plus all 8 novel ones, tracking each novel target', async () => {
    const settings = { ...SUITES.navcam.defaults, seeds: 1, firstSeed: 100, models: [] };
    const loaded = await SUITES.navcam.load(dataRoot, settings);
    const seed = await loaded.seedData(100);
    expect(seed.counts).toEqual({ 'training images (typical)': 18, 'test typical': 8, 'test novel': 8 });
    expect(seed.train.cols).toBe(64 * 64);
    const [evaluation] = seed.evaluations;
    expect(evaluation?.tracked).toHaveLength(8);
    expect(evaluation?.tracked?.every((row) => evaluation.labels[row] === 1)).toBe(true);
    const ids = evaluation?.tracked?.map((row) => seed.testIds[row] as string) ?? [];
    expect(ids).toContain('SOL01347NLB_517071516EDR_F0541490CCAM15900M1-32.png');
    expect(loaded.trackedDescriptions?.['SOL01347NLB_517071516EDR_F0541490CCAM15900M1-32.png']).toBe('sol 1347, target 32');
    // Another seed holds out other typical targets but the same novel ones.
    const other = await loaded.seedData(101);
    const otherIds = other.evaluations[0]?.tracked?.map((row) => other.testIds[row]) ?? [];
    expect(new Set(otherIds)).toEqual(new Set(ids));
    expect(other.testIds).not.toEqual(seed.testIds);
  });
});
