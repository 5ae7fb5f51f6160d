/**
 * The insight services through the real handler table and the contract's validation, on two small
 * run folders with hand-picked latent means, scores and snapshots (helpers/insight-runs.ts), so every
 * count, mean, metric and overlap below is checked against a value computed by hand.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchInvoke } from '../src/main/ipc/dispatch';
import { createInvokeHandlers } from '../src/main/ipc/handlers';
import { AppServices } from '../src/main/services/app-services';
import { angleValue } from '../src/main/services/insight-angles';
import { binOf, evenEdges } from '../src/main/services/insight-groups';
import { angles, cosines } from '../src/ml/spherical';
import { samplePositions } from '../src/main/services/insight-sphere';
import { configDifferences, thinCurve } from '../src/main/services/insight-compare';
import { invokeContract, RunIdSchema, type InvokeChannel, type InvokeRequest, type InvokeResponse } from '../src/shared/ipc';
import type { RunItem } from '../src/main/runs/run-folder';
import { writeHandRun } from './helpers/insight-runs';
import { makeTempDir } from './helpers/temp-dir';

const sender = 'test:trusted';
const policy = { isTrustedSender: (url: string) => url === sender };
const EPS = 1e-3;

/**
 * Ten items: f0–f5 training normals, f6–f7 test normals, f8–f9 test anomalies (class "x").
 * Normal means point along e1 (cos φ1 = 1/√(1 + eps)), anomalies along e3 (cos φ1 = 0, φ1 = 90°).
 */
const items: RunItem[] = Array.from({ length: 10 }, (_, index) => ({
  index,
  file: `f${index}.png`,
  label: index >= 8 ? 'x' : index % 2 === 0 ? 'a' : 'b',
  anomaly: index >= 8 ? 1 : 0,
  split: index >= 6 ? 'test' : 'train',
}));
const NORMAL = [1, 0, 0, 0];
const ANOMALY = [0, 0, 1, 0];

describe('insight services through the contract', () => {
  const temp = makeTempDir('insight-services');
  const services = new AppServices({
    dataDir: path.join(temp.dir, 'data'),
    appVersion: '0.0.0-test',
    autoStart: false,
    runner: () => {
      throw new Error('no training here');
    },
  });
  const handlers = createInvokeHandlers({ getVersion: () => '0', getBackend: () => 'cpu', platform: 'linux', services });
  const datasetPath = path.join(temp.dir, 'survey');
  let datasetId = 0;

  async function invoke<C extends InvokeChannel>(channel: C, payload: InvokeRequest<C>): Promise<InvokeResponse<C>> {
    const result = await dispatchInvoke(invokeContract, handlers, channel, sender, payload, policy);
    if (!result.ok) throw Object.assign(new Error(result.error.message), { name: result.error.name });
    return result.value as InvokeResponse<C>;
  }

  beforeAll(() => {
    // Comp: scores rank f9 > f8 > f7 > f6 > … ; snapshots of f0, f2, f8 after two epochs.
    const comp = writeHandRun(temp.dir, {
      id: 'hand-comp',
      method: 'comp',
      datasetPath,
      items,
      scores: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
      latents: items.map((item) => (item.anomaly === 1 ? ANOMALY : NORMAL)),
      snapshots: {
        items: [0, 2, 8],
        epochs: [
          [
            [0, 0, 0, 1],
            [0, 0, 0, 1],
            [0, 0, 0, 1],
          ],
          [NORMAL, NORMAL, ANOMALY],
        ],
      },
    });
    // VAE on the same files: ranks f8 > f0 > f9 > …; a standard VAE spreads the means out.
    const vae = writeHandRun(temp.dir, {
      id: 'hand-vae',
      method: 'vae',
      config: { vaeKlWeight: 1 },
      datasetPath,
      items,
      scores: [0.95, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0, 0.9],
      latents: items.map((_, index) => [Math.cos(index), Math.sin(index), 0.5, -0.5]),
    });
    services.importRun(comp);
    services.importRun(vae);
    datasetId = services.getRun('hand-comp').datasetId ?? 0;
    expect(services.getRun('hand-vae').datasetId).toBe(datasetId);
  });

  afterAll(async () => {
    await services.close();
    temp.cleanup();
  });

  it('restates the run id rule of ./ipc exactly', () => {
    const request = invokeContract['insight:angle-heatmap'].request;
    for (const runId of ['run-1', 'a', 'A.b_c-d', '-x', '.hidden', '', 'x'.repeat(128), 'x'.repeat(129), 'a/b', 'ü']) {
      expect(request.safeParse({ runId }).success, runId).toBe(RunIdSchema.safeParse(runId).success);
    }
  });

  it('computes one angle exactly as ml/spherical.ts computes them all', () => {
    const vectors = [
      [1, 2, 3],
      [-1, 0.5, -2],
      [2, 0, 0, 0],
      [0.3, -0.2, 0.1, 0.4, -0.5],
      [0, 0, 0, 0],
    ];
    for (const vector of vectors) {
      const allCosines = cosines(vector, 0.01);
      const allAngles = angles(vector);
      for (let angle = 1; angle < vector.length; angle++) {
        expect(angleValue(vector, angle, 'cosine', 0.01)).toBe(allCosines[angle - 1]);
        expect(angleValue(vector, angle, 'degrees')).toBeCloseTo(((allAngles[angle - 1] as number) * 180) / Math.PI, 12);
      }
    }
    // method.md §10: [−1, 0.5, −2] has φ_2 = 4.9574 rad > π (the last angle runs to 2π).
    expect(angleValue([-1, 0.5, -2], 2, 'degrees')).toBeCloseTo((4.9574 * 180) / Math.PI, 2);
  });

  it('bins values like the gallery filter does, end bins catching what lies outside', () => {
    const edges = evenEdges(-1, 1, 10);
    expect(edges).toHaveLength(11);
    expect(edges[0]).toBe(-1);
    expect(edges[10]).toBe(1);
    expect(binOf(-5, edges)).toBe(0);
    expect(binOf(1, edges)).toBe(9);
    expect(binOf(0, edges)).toBe(5);
    expect(binOf(edges[3] as number, edges)).toBe(3);
    // A single value is widened by half a unit on each side.
    expect(evenEdges(2, 2, 4)).toEqual([1.5, 1.75, 2, 2.25, 2.5]);
  });

  it('histograms cos φ1 of every item, split normal vs anomalous, on the full axis', async () => {
    const answer = await invoke('insight:angle-histograms', { series: [{ runId: 'hand-comp', epoch: null }], angle: 1, bins: 10 });
    expect(answer.scale).toBe('cosine');
    expect(answer.edges[0]).toBe(-1);
    const [series] = answer.series;
    expect(series?.itemCount).toBe(10);
    const normal = series?.groups.find((group) => group.key === 'normal');
    const anomalous = series?.groups.find((group) => group.key === 'anomalous');
    // cos φ1 = 1/√1.001 = 0.9995 → last bin; 0 → bin [0, 0.2).
    expect(normal?.counts[9]).toBe(8);
    expect(normal?.total).toBe(8);
    expect(normal?.mean).toBeCloseTo(1 / Math.sqrt(1 + EPS), 6);
    expect(anomalous?.counts[5]).toBe(2);
    expect(anomalous?.mean).toBe(0);
    expect(series?.groups.map((group) => group.key)).toEqual(['normal', 'anomalous']);
  });

  it('gives φ in degrees, by class, and overlays epochs and runs on shared bins', async () => {
    const answer = await invoke('insight:angle-histograms', {
      series: [
        { runId: 'hand-comp', epoch: 0 },
        { runId: 'hand-comp', epoch: 1 },
        { runId: 'hand-comp', epoch: 7 },
        { runId: 'hand-vae', epoch: null },
      ],
      angle: 1,
      scale: 'degrees',
      grouping: 'class',
      bins: 18,
    });
    expect(answer.edges[0]).toBe(0);
    expect(answer.edges[18]).toBe(180);
    const [epoch0, epoch1, missing, vae] = answer.series;
    // Epoch 0: all three sample means along e4 → φ1 = 90° (bin 9); epoch 1: f0, f2 at 0°, f8 at 90°.
    expect(epoch0?.itemCount).toBe(3);
    expect(epoch0?.groups.map((group) => [group.key, group.counts[9]])).toEqual([
      ['class:a', 2],
      ['class:x', 1],
    ]);
    expect(epoch1?.groups.find((group) => group.key === 'class:a')?.counts[0]).toBe(2);
    expect(epoch1?.groups.find((group) => group.key === 'class:x')?.counts[9]).toBe(1);
    expect(missing?.unavailableReason).toMatch(/no latent snapshot after epoch 8/);
    expect(vae?.itemCount).toBe(10);
    expect(vae?.method).toBe('vae');
    // The last angle φ3 of n = 4 runs over [0°, 360°).
    const last = await invoke('insight:angle-histograms', { series: [{ runId: 'hand-vae', epoch: null }], angle: 3, scale: 'degrees', bins: 10 });
    expect(last.edges[10]).toBe(360);
    const beyond = await invoke('insight:angle-histograms', { series: [{ runId: 'hand-vae', epoch: null }], angle: 4 });
    expect(beyond.series[0]?.unavailableReason).toMatch(/φ_1 … φ_3/);
  });

  it('maps the mean cosine of every angle over epochs: the pole forming', async () => {
    const heatmap = await invoke('insight:angle-heatmap', { runId: 'hand-comp' });
    expect(heatmap.epochs).toEqual([0, 1]);
    expect(heatmap.angleCount).toBe(3);
    expect(heatmap.itemCount).toBe(3);
    // Epoch 0: e4 → cos = [0, 0, 0]. Epoch 1: two of e1, one of e3 → cos φ1 = (2/√1.001 + 0)/3, cos φ2 = 0, cos φ3 = 1/√1.001 / 3.
    expect(heatmap.meanCosines[0]).toEqual([0, 0, 0]);
    expect(heatmap.meanCosines[1]?.[0]).toBeCloseTo(2 / Math.sqrt(1 + EPS) / 3, 6);
    expect(heatmap.meanCosines[1]?.[1]).toBe(0);
    expect(heatmap.meanCosines[1]?.[2]).toBeCloseTo(1 / Math.sqrt(1 + EPS) / 3, 6);
    const anomalous = await invoke('insight:angle-heatmap', { runId: 'hand-comp', group: 'anomalous' });
    expect(anomalous.itemCount).toBe(1);
    expect(anomalous.meanCosines[1]?.[2]).toBeCloseTo(1 / Math.sqrt(1 + EPS), 6);
    const none = await invoke('insight:angle-heatmap', { runId: 'hand-vae' });
    expect(none.unavailableReason).toMatch(/no per-epoch latent snapshots/);
  });

  it('puts every item on the unit sphere with its score, rank and labels', async () => {
    const sphere = await invoke('insight:sphere-points', { runId: 'hand-comp' });
    expect(sphere.dimension).toBe(4);
    expect(sphere.total).toBe(10);
    expect(sphere.sampled).toBe(false);
    // n = 4 in groups {1, 2}, {3}, {4}: e1 → (1, 0, 0), e3 → (0, 1, 0).
    const f0 = sphere.points.index.indexOf(0);
    const f9 = sphere.points.index.indexOf(9);
    expect([sphere.points.x[f0], sphere.points.y[f0], sphere.points.z[f0]]).toEqual([1, 0, 0]);
    expect([sphere.points.x[f9], sphere.points.y[f9], sphere.points.z[f9]]).toEqual([0, 1, 0]);
    expect(sphere.points.rank[f9]).toBe(1);
    expect(sphere.points.file[f9]).toBe('f9.png');
    for (let i = 0; i < sphere.points.index.length; i++) {
      expect(Math.hypot(sphere.points.x[i] as number, sphere.points.y[i] as number, sphere.points.z[i] as number)).toBeCloseTo(1, 6);
    }
    const epoch = await invoke('insight:sphere-points', { runId: 'hand-comp', epoch: 0 });
    expect(epoch.total).toBe(3);
    expect(epoch.points.z).toEqual([1, 1, 1]);
  });

  it('samples big spheres evenly but never drops the items it must keep', () => {
    const positions = samplePositions(10_000, 500, [9_999, 5]);
    expect(positions).toHaveLength(500);
    expect(positions).toContain(9_999);
    expect(positions).toContain(5);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(samplePositions(10_000, 500, [9_999, 5])).toEqual(positions);
    expect(samplePositions(3, 500)).toEqual([0, 1, 2]);
  });

  it('recomputes AUROC, FPR95, AP and precision at n for every run from the labels so far', async () => {
    let metrics = await invoke('insight:label-metrics', {});
    expect(metrics.runs.map((run) => run.runId).sort()).toEqual(['hand-comp', 'hand-vae']);
    let comp = metrics.runs.find((run) => run.runId === 'hand-comp');
    // Dataset flags on the test split: f8, f9 above f6, f7 → perfect.
    expect(comp?.dataset.metrics).toMatchObject({ auroc: 1, ap: 1, precisionAtN: 1, fpr95: 0, anomalies: 2, normals: 2 });
    expect(comp?.user.metrics).toBeNull();
    expect(comp?.user.reason).toMatch(/No items you labelled/);

    // The user labels f9 and f1 anomalous, f0 and f8 normal (disagreeing with the dataset on f8), f3 interesting.
    for (const [file, label] of [
      ['f9.png', 'anomalous'],
      ['f1.png', 'anomalous'],
      ['f0.png', 'normal'],
      ['f8.png', 'normal'],
      ['f3.png', 'interesting'],
    ] as const) {
      await invoke('labels:set', { datasetId, file, label });
    }
    metrics = await invoke('insight:label-metrics', {});
    comp = metrics.runs.find((run) => run.runId === 'hand-comp');
    const vae = metrics.runs.find((run) => run.runId === 'hand-vae');
    expect(comp?.labelCounts).toEqual({ anomalous: 2, normal: 2, interesting: 1, other: 0 });
    // Comp scores: anomalous f9 = 1.0, f1 = 0.2; normal f8 = 0.9, f0 = 0.1. Pairs won: (f9 > f8), (f9 > f0), (f1 > f0) → AUROC 3/4.
    // AP: ranked f9 (+), f8 (−), f1 (+), f0 (−) → (1/1 + 2/3)/2 = 5/6. P@2: f9, f8 → 1/2.
    // FPR95 (code convention): 95 % of anomalies needs f1 at 0.2, above which f8 is flagged: 1 of 2 normals = 0.5.
    expect(comp?.user.metrics?.auroc).toBeCloseTo(0.75, 12);
    expect(comp?.user.metrics?.ap).toBeCloseTo(5 / 6, 12);
    expect(comp?.user.metrics?.precisionAtN).toBe(0.5);
    expect(comp?.user.metrics?.fpr95).toBeCloseTo(0.5, 12);
    // VAE scores: anomalous f9 = 0.9, f1 = 0.1; normal f8 = 1.0, f0 = 0.95 → only (f1 > none), (f9 > none): AUROC 0.
    expect(vae?.user.metrics?.auroc).toBe(0);
    // Combined: test split with the user's word on f8 (normal) and f9, plus f0, f1 → anomalies f9, f1; normals f6, f7, f8, f0.
    expect(comp?.combined.metrics).toMatchObject({ anomalies: 2, normals: 4 });
    // f9 (1.0) beats all 4 normals; f1 (0.2) beats only f0 (0.1) → 5/8.
    expect(comp?.combined.metrics?.auroc).toBeCloseTo(5 / 8, 12);

    const only = await invoke('insight:label-metrics', { runIds: ['hand-vae'] });
    expect(only.runs).toHaveLength(1);

    const labelled = await invoke('insight:labelled-items', { runId: 'hand-comp' });
    expect(labelled.items.map((item) => [item.file, item.userLabel, item.rank])).toEqual([
      ['f9.png', 'anomalous', 1],
      ['f8.png', 'normal', 2],
      ['f3.png', 'interesting', 7],
      ['f1.png', 'anomalous', 9],
      ['f0.png', 'normal', 10],
    ]);
    expect(labelled.items[0]?.labelledAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('splits histograms by the user labels once there are some', async () => {
    const answer = await invoke('insight:score-histogram', { runId: 'hand-comp', grouping: 'user-label', bins: 5 });
    expect(answer.groups.map((group) => [group.key, group.total])).toEqual([
      ['anomalous', 2],
      ['normal', 2],
      ['interesting', 1],
      ['unlabelled', 5],
    ]);
    // The user's "normal" on f8 moves it from anomalous to normal in the anomaly grouping.
    const byAnomaly = await invoke('insight:angle-histograms', { series: [{ runId: 'hand-comp', epoch: null }], angle: 1, bins: 10 });
    expect(byAnomaly.series[0]?.groups.map((group) => [group.key, group.total])).toEqual([
      ['normal', 8],
      ['anomalous', 2],
    ]);
    const anomalous = byAnomaly.series[0]?.groups.find((group) => group.key === 'anomalous');
    // f1 (now anomalous) sits at the pole, f9 at cos 0.
    expect(anomalous?.counts[9]).toBe(1);
    expect(anomalous?.counts[5]).toBe(1);
  });

  it('compares runs: config differences, metrics, time, ROC curves and top-k overlap', async () => {
    const comparison = await invoke('insight:compare-runs', { runIds: ['hand-comp', 'hand-vae'], topK: 3 });
    expect(comparison.labelSource).toBe('dataset');
    expect(comparison.runs.map((run) => [run.runId, run.method, run.trainSeconds, run.itemCount])).toEqual([
      ['hand-comp', 'comp', 12.5, 10],
      ['hand-vae', 'vae', 12.5, 10],
    ]);
    const differing = comparison.config.filter((entry) => entry.differs).map((entry) => entry.key);
    expect(differing.sort()).toEqual(['epochs', 'method', 'vaeKlWeight']);
    expect(comparison.config.find((entry) => entry.key === 'vaeKlWeight')?.values).toEqual([null, 1]);
    expect(comparison.config.find((entry) => entry.key === 'latentDim')).toEqual({ key: 'latentDim', values: [4, 4], differs: false });
    // Dataset labels on the test split: comp is perfect; vae ranks f8 (1.0) > f9 (0.9) > f7 > f6 → also perfect.
    expect(comparison.runs[0]?.metrics.metrics?.auroc).toBe(1);
    expect(comparison.runs[0]?.roc?.fpr[0]).toBe(0);
    expect(comparison.runs[0]?.roc?.tpr.at(-1)).toBe(1);

    // Top 3: comp [f9, f8, f7], vae [f8, f0, f9] → Jaccard 2/4, RBO 0.585 (tests/insight-metrics.test.ts).
    const [overlap] = comparison.overlaps;
    expect(overlap?.referenceRunId).toBe('hand-comp');
    expect(overlap?.jaccard).toBe(0.5);
    expect(overlap?.rbo).toBeCloseTo(0.585, 12);
    expect(overlap?.entered.map((change) => [change.file, change.rankInReference, change.rankInOther])).toEqual([['f0.png', 10, 2]]);
    expect(overlap?.left.map((change) => [change.file, change.rankInReference, change.rankInOther])).toEqual([['f7.png', 3, 4]]);
    expect(comparison.rboMatrix[0]?.[0]).toBe(1);
    expect(comparison.rboMatrix[1]?.[0]).toBeCloseTo(0.585, 12);
    expect(comparison.jaccardMatrix[0]?.[1]).toBe(0.5);

    // On the test split only: comp [f9, f8, f7], vae [f8, f9, f7] → same set, RBO with the head swapped.
    const testOnly = await invoke('insight:compare-runs', { runIds: ['hand-comp', 'hand-vae'], topK: 3, split: 'test' });
    expect(testOnly.overlaps[0]?.jaccard).toBe(1);
    expect(testOnly.overlaps[0]?.rbo).toBeLessThan(1);

    // The user's labels as the source: comp 0.75 (above).
    const byUser = await invoke('insight:compare-runs', { runIds: ['hand-comp', 'hand-vae'], labelSource: 'user' });
    expect(byUser.runs[0]?.metrics.metrics?.auroc).toBeCloseTo(0.75, 12);
  });

  it('keeps config differences order-independent and thins long curves keeping both ends', () => {
    expect(configDifferences([{ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } }])).toEqual([{ key: 'a', values: [{ x: 1, y: 2 }, { y: 2, x: 1 }], differs: false }]);
    const thin = thinCurve(Float64Array.from({ length: 5000 }, (_, i) => i / 4999), Float64Array.from({ length: 5000 }, (_, i) => i / 4999), 1000);
    expect(thin.fpr).toHaveLength(1000);
    expect(thin.fpr[0]).toBe(0);
    expect(thin.fpr.at(-1)).toBe(1);
  });

  it('histograms scores by group with the counts at a threshold', async () => {
    const answer = await invoke('insight:score-histogram', { runId: 'hand-comp', grouping: 'split', bins: 9, threshold: 0.75 });
    expect(answer.itemCount).toBe(10);
    expect(answer.edges[0]).toBe(0.1);
    expect(answer.edges[9]).toBe(1);
    expect(answer.groups.map((group) => [group.key, group.total])).toEqual([
      ['train', 6],
      ['test', 4],
    ]);
    // Scores ≥ 0.75: f7 (0.8), f8, f9 → ranks 1…3, all in the test split.
    expect(answer.threshold).toEqual({ value: 0.75, flagged: 3, flaggedByGroup: { test: 3 }, lastFlaggedRank: 3 });
    const testSplit = await invoke('insight:score-histogram', { runId: 'hand-comp', split: 'test', threshold: 2 });
    expect(testSplit.itemCount).toBe(4);
    expect(testSplit.threshold?.flagged).toBe(0);
  });

  it('filters the gallery to the items of a bin, a score range or a list, most anomalous first', async () => {
    const histogram = await invoke('insight:angle-histograms', { series: [{ runId: 'hand-comp', epoch: null }], angle: 1, bins: 10 });
    const edges = histogram.edges;
    const poleBin = await invoke('insight:filtered-items', {
      runId: 'hand-comp',
      filter: { kind: 'angle-bin', epoch: null, angle: 1, scale: 'cosine', low: edges[9] as number, high: edges[10] as number, firstBin: false, lastBin: true, grouping: 'anomaly', group: 'normal' },
    });
    // f8 counts as normal now (the user said so) but sits at cos 0; the pole bin holds the 7 other normals.
    expect(poleBin.total).toBe(7);
    expect(poleBin.items.map((item) => item.file)).toEqual(['f7.png', 'f6.png', 'f5.png', 'f4.png', 'f3.png', 'f2.png', 'f0.png']);
    expect(poleBin.items.find((item) => item.file === 'f0.png')?.userLabel).toBe('normal');
    expect(poleBin.description).toBe('cos φ1 0.8 and above, normal (scored model)');
    const page = await invoke('insight:filtered-items', {
      runId: 'hand-comp',
      offset: 5,
      limit: 5,
      filter: { kind: 'angle-bin', epoch: null, angle: 1, scale: 'cosine', low: edges[9] as number, high: edges[10] as number, firstBin: false, lastBin: true, grouping: 'anomaly', group: 'normal' },
    });
    expect(page.items.map((item) => item.file)).toEqual(['f2.png', 'f0.png']);

    const snapshotBin = await invoke('insight:filtered-items', {
      runId: 'hand-comp',
      filter: { kind: 'angle-bin', epoch: 0, angle: 1, scale: 'degrees', low: 90, high: 100, firstBin: false, lastBin: false, grouping: 'none', group: null },
    });
    expect(snapshotBin.items.map((item) => item.file)).toEqual(['f8.png', 'f2.png', 'f0.png']);
    expect(snapshotBin.description).toBe('φ1 [90°, 100°) (after epoch 1, snapshot sample)');

    const scores = await invoke('insight:filtered-items', {
      runId: 'hand-comp',
      filter: { kind: 'score-range', low: 0.55, high: 0.85, firstBin: false, lastBin: false, grouping: 'none', group: null, split: 'all' },
    });
    expect(scores.items.map((item) => item.rank)).toEqual([3, 4, 5]);
    const list = await invoke('insight:filtered-items', { runId: 'hand-comp', filter: { kind: 'items', indexes: [0, 9, 9, 42], title: 'Picked on the sphere' } });
    expect(list.items.map((item) => item.index)).toEqual([9, 0]);
    expect(list.description).toBe('Picked on the sphere');
  });

  it('answers unknown runs and bad requests with a clear error', async () => {
    await expect(invoke('insight:sphere-points', { runId: 'no-such-run' })).rejects.toThrow(/No run no-such-run/);
    const tooFew = await dispatchInvoke(invokeContract, handlers, 'insight:compare-runs', sender, { runIds: ['hand-comp'] }, policy);
    expect(tooFew.ok).toBe(false);
    const badAngle = await dispatchInvoke(invokeContract, handlers, 'insight:angle-histograms', sender, { series: [{ runId: 'hand-comp', epoch: null }], angle: 0 }, policy);
    expect(badAngle.ok).toBe(false);
  });
});
