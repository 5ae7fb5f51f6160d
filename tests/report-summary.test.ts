import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector } from '../src/ml/detectors';
import { createMatrix, type Matrix } from '../src/ml/matrix';
import { computeAnomalyMetrics } from '../src/ml/metrics';
import { Rng } from '../src/ml/rng';
import { buildReport, renderMarkdown, type ReportJson, stringifyCompact, summarize, writeReportFolder } from '../src/main/report/report';
import { runSuite, type SuiteRun } from '../src/main/report/run-suite';
import { formatMeanStd, meanStd } from '../src/main/report/statistics';
import { PAPER_VALUE_UNAVAILABLE, type SeedData, type SuiteDefinition, type SuiteSettings } from '../src/main/report/suite';
import { useTestBackend } from './helpers/backend';

const SIDE = 32;

/** Dim noisy squares as normal images, bright ones as anomalies; the seed picks the noise. */
function syntheticImages(count: number, brightness: number, rng: Rng): Matrix {
  const values = new Float32Array(count * SIDE * SIDE);
  for (let i = 0; i < values.length; i++) values[i] = Math.min(1, Math.max(0, brightness + 0.15 * rng.normal()));
  return createMatrix(count, SIDE * SIDE, values);
}

function stack(a: Matrix, b: Matrix): Matrix {
  const values = new Float32Array(a.data.length + b.data.length);
  values.set(a.data);
  values.set(b.data, a.data.length);
  return createMatrix(a.rows + b.rows, a.cols, values);
}

const seedDataBySeed = new Map<number, SeedData>();

function syntheticSeedData(seed: number): SeedData {
  const rng = new Rng(seed);
  const normalTest = syntheticImages(6, 0.3, rng);
  const anomalies = syntheticImages(6, 0.38, rng);
  const data: SeedData = {
    train: syntheticImages(16, 0.3, rng),
    test: stack(normalTest, anomalies),
    testIds: Array.from({ length: 12 }, (_, i) => `item-${i}`),
    evaluations: [
      {
        key: 'toy',
        title: 'dim vs bright squares',
        members: Array.from({ length: 12 }, (_, i) => i),
        labels: Uint8Array.from({ length: 12 }, (_, i) => (i >= 6 ? 1 : 0)),
        tracked: [6, 7, 8],
      },
    ],
    counts: { 'training images (normal)': 16, 'test normal': 6, 'test bright': 6 },
  };
  seedDataBySeed.set(seed, data);
  return data;
}

const toySuite: SuiteDefinition = {
  name: 'navcam', // any registered name; the toy data is what matters
  title: 'Toy suite',
  description: 'Synthetic squares.',
  requiredPaths: [],
  defaults: { epochs: 1, trainLimit: 16, testLimit: 6, imageSize: SIDE, latentDim: 8, batchSize: 8, learningRate: 1e-3, heldOutClasses: [] },
  configExtras: () => ({}),
  load: async () => ({
    channels: 1,
    dataNotes: ['synthetic'],
    trackedDescriptions: { 'item-6': 'first bright', 'item-7': 'second bright', 'item-8': 'third bright' },
    seedData: async (seed) => syntheticSeedData(seed),
  }),
  substitutes: ['Toy data instead of anything real.'],
  paperSetting: 'None.',
  paperValues: [{ evaluation: 'toy', model: 'pixels', detector: 'knn', auroc: 0.9, fpr95: 0.2, source: 'made-up reference for the test' }],
};

const settings: SuiteSettings = { ...toySuite.defaults, seeds: 2, firstSeed: 11, models: ['ae', 'pixels'] };

describe('a tiny synthetic comparison over 2 seeds', () => {
  let run: SuiteRun;
  let folder: string;

  beforeAll(async () => {
    await useTestBackend();
    run = await runSuite({ suite: toySuite, settings, dataRoot: '/nonexistent', dataRootLabel: '../toy' });
    folder = mkdtempSync(join(tmpdir(), 'polaris-report-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('runs every seed and every paired detector', () => {
    expect(run.seeds.map((s) => s.seed)).toEqual([11, 12]);
    const labels = run.seeds[0]?.evaluations[0]?.methods.map((m) => m.label);
    expect(labels).toEqual(['AE + k-NN', 'AE + IF', 'AE + MSE', 'Pixels + k-NN', 'Pixels + IF']);
    expect(run.config.seed).toBe(11);
    expect(run.config.latentDim).toBe(8);
    expect(run.seeds[0]?.evaluations[0]?.methods[0]?.trainSeconds).toBeGreaterThan(0);
  });

  it('per-seed pixel k-NN metrics equal an independent k-NN on the same data', async () => {
    for (const seed of run.seeds) {
      const data = seedDataBySeed.get(seed.seed) as SeedData;
      const detector = createDetector('knn', { k: 3 });
      await detector.fit(data.train);
      const scores = await detector.score(data.test);
      const expected = computeAnomalyMetrics(scores, data.evaluations[0]?.labels as Uint8Array);
      const row = seed.evaluations[0]?.methods.find((m) => m.label === 'Pixels + k-NN');
      expect(row?.metrics.auroc).toBeCloseTo(expected.auroc, 12);
      expect(row?.metrics.fpr95).toBeCloseTo(expected.fpr95, 12);
    }
  });

  it('summarizes every metric as the mean and the sample standard deviation over seeds', () => {
    const [evaluation] = summarize(run, toySuite);
    for (const row of evaluation?.rows ?? []) {
      for (const key of ['auroc', 'fpr95', 'fpr95_id', 'ap', 'precision_at_n'] as const) {
        const values = run.seeds.map((s) => s.evaluations[0]?.methods.find((m) => m.label === row.label)?.metrics[key] as number);
        const mean = (values[0] as number) / 2 + (values[1] as number) / 2;
        const std = Math.abs((values[0] as number) - (values[1] as number)) / Math.SQRT2; // n − 1 = 1
        expect(row.metrics[key].values).toEqual(values);
        expect(row.metrics[key].mean).toBeCloseTo(mean, 12);
        expect(row.metrics[key].std).toBeCloseTo(std, 12);
      }
    }
  });

  it('writes Markdown, JSON and a ROC PNG that agree with the summary', () => {
    const report = buildReport(run, toySuite, 'npx polaris reproduce toy --seeds 2');
    const written = writeReportFolder(folder, report);
    expect(written.map((f) => f.slice(folder.length + 1)).sort()).toEqual(['report.json', 'report.md', 'roc-toy.png']);

    const json = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')) as ReportJson;
    const pixels = json.evaluations[0]?.rows.find((r) => r.label === 'Pixels + k-NN');
    const expected = meanStd(run.seeds.map((s) => s.evaluations[0]?.methods.find((m) => m.label === 'Pixels + k-NN')?.metrics.auroc as number));
    expect(pixels?.metrics.auroc.mean).toBeCloseTo(expected.mean, 12);
    expect(pixels?.metrics.auroc.std).toBeCloseTo(expected.std as number, 12);
    expect(json.command).toBe('npx polaris reproduce toy --seeds 2');
    expect(json.environment.backend).toMatch(/wasm|cpu|node/);
    expect(json.config.method).toBe('comp');
    expect(json.evaluations[0]?.rows[0]?.roc).toHaveLength(101);

    const markdown = readFileSync(join(folder, 'report.md'), 'utf8');
    expect(markdown).toContain(`| Pixels + k-NN | ${formatMeanStd(expected)} |`);
    expect(markdown).toContain('npx polaris reproduce toy --seeds 2');
    expect(markdown).toContain('0.9 (made-up reference for the test)');
    expect(markdown).toContain(PAPER_VALUE_UNAVAILABLE);
    expect(markdown).toContain('Toy data instead of anything real.');
    expect(markdown).toContain('![ROC curves, dim vs bright squares](roc-toy.png)');
    expect(markdown).toMatch(/"seed": 11/);

    const png = PNG.sync.read(readFileSync(join(folder, 'roc-toy.png')));
    expect(png.width).toBeGreaterThan(100);
  });

  it('rebuilds the same report from the raw run stored in report.json (--rerender)', () => {
    const report = buildReport(run, toySuite, 'cmd');
    const reread = JSON.parse(stringifyCompact(report)) as ReportJson;
    expect(renderMarkdown(buildReport(reread.run, toySuite, reread.command))).toBe(renderMarkdown(report));
  });
});

describe('meanStd and formatMeanStd', () => {
  it('uses n − 1 and shows no spread for a single value', () => {
    const summary = meanStd([0.8, 0.6, 0.7]);
    expect(summary.mean).toBeCloseTo(0.7, 12);
    expect(summary.std).toBeCloseTo(0.1, 12);
    expect(formatMeanStd(summary)).toBe('0.7000 ± 0.1000');
    expect(meanStd([0.5]).std).toBeNull();
    expect(formatMeanStd(meanStd([0.5]))).toBe('0.5000');
    expect(() => meanStd([])).toThrow(RangeError);
  });

  it('keeps number arrays on one line in the JSON without touching strings', () => {
    const text = stringifyCompact({ curve: [0, 0.5, 1], words: ['a', 'b'], note: 'x [1, 2]' });
    expect(text).toContain('"curve": [0, 0.5, 1]');
    expect(text).toContain('"note": "x [1, 2]"');
    expect(JSON.parse(text)).toEqual({ curve: [0, 0.5, 1], words: ['a', 'b'], note: 'x [1, 2]' });
  });
});
