import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobToFloat32, float32ToBlob } from '../src/main/store/columns';
import type { NewRun } from '../src/main/store/runs-repository';
import { openStore, type PolarisStore } from '../src/main/store/store';

let store: PolarisStore;
let tick = 0;
beforeEach(() => {
  tick = 0;
  // A clock that moves one second per call, so ordering by time is well defined.
  store = openStore(':memory:', { now: () => new Date(Date.UTC(2025, 0, 1, 0, 0, tick++)).toISOString() });
});
afterEach(() => store.close());

function newRun(id: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    id,
    datasetId: null,
    datasetPath: '/data/cells',
    runDir: `/runs/${id}`,
    origin: 'app',
    method: 'comp',
    config: { method: 'comp', epochs: 3, seed: 1 },
    seed: 1,
    epochsTotal: 3,
    appVersion: '1.2.3',
    status: 'queued',
    request: { dataset: { kind: 'folder', path: '/data/cells' } },
    ...overrides,
  };
}

describe('runs', () => {
  it('stores a run with its full config and request, and lists newest first', () => {
    store.runs.insert(newRun('run-a'));
    store.runs.insert(newRun('run-b', { status: 'done' }));
    const run = store.runs.get('run-a');
    expect(run).toMatchObject({ id: 'run-a', status: 'queued', config: { method: 'comp', epochs: 3, seed: 1 }, request: { dataset: { kind: 'folder', path: '/data/cells' } }, queuedAt: expect.any(String) });
    expect(store.runs.list().map((r) => r.id)).toEqual(['run-b', 'run-a']);
    expect(store.runs.get('missing')).toBeUndefined();
  });

  it('hands out queued runs in order, and claims each once', () => {
    store.runs.insert(newRun('first'));
    store.runs.insert(newRun('second'));
    expect(store.runs.nextQueued()?.id).toBe('first');
    expect(store.runs.claim('first')).toBe(true);
    expect(store.runs.claim('first')).toBe(false);
    expect(store.runs.get('first')).toMatchObject({ status: 'running', startedAt: expect.any(String) });
    expect(store.runs.nextQueued()?.id).toBe('second');
  });

  it('moves through interrupted → queued → running → done, and failed keeps its error', () => {
    store.runs.insert(newRun('r'));
    store.runs.claim('r');
    store.runs.finish('r', 'interrupted', { stopReason: 'cancelled' });
    expect(store.runs.get('r')).toMatchObject({ status: 'interrupted', stopReason: 'cancelled' });
    expect(store.runs.requeue('r')).toBe(true);
    expect(store.runs.get('r')).toMatchObject({ status: 'queued', stopReason: null });
    store.runs.claim('r');
    store.runs.finish('r', 'failed', { error: { name: 'RangeError', message: 'diverged' } });
    expect(store.runs.get('r')).toMatchObject({ status: 'failed', error: { name: 'RangeError', message: 'diverged' } });
    expect(store.runs.requeue('r')).toBe(true);
    store.runs.claim('r');
    store.runs.finish('r', 'done');
    expect(store.runs.get('r')).toMatchObject({ status: 'done', error: null, finishedAt: expect.any(String) });
    expect(store.runs.requeue('r')).toBe(false);
  });

  it('records attempts and their owners, and finds the open ones of running runs', () => {
    store.runs.insert(newRun('r'));
    store.runs.claim('r');
    const owner = { pid: 4242, host: 'lab-pc', token: 'abc' };
    expect(store.runs.startAttempt('r', 0, owner)).toBe(1);
    expect(store.runs.openAttemptsOfRunningRuns()).toEqual([expect.objectContaining({ runId: 'r', attempt: 1, ownerPid: 4242, ownerHost: 'lab-pc', ownerToken: 'abc', endedAt: null })]);
    expect(store.runs.markCrashed('r')).toBe(true);
    store.runs.endAttempt('r', 1, 'crashed');
    expect(store.runs.get('r')).toMatchObject({ status: 'interrupted', stopReason: 'crashed' });
    expect(store.runs.openAttemptsOfRunningRuns()).toEqual([]);
    store.runs.requeue('r');
    store.runs.claim('r');
    expect(store.runs.startAttempt('r', 5, owner)).toBe(2);
    expect(store.runs.attempts('r').map((a) => [a.attempt, a.fromEpoch, a.outcome])).toEqual([
      [1, 0, 'crashed'],
      [2, 5, null],
    ]);
  });

  it('keeps every loss term of every epoch, replaces a repeated epoch, and trims from a checkpoint', () => {
    store.runs.insert(newRun('r'));
    const log = (epoch: number, loss: number) => ({ epoch, losses: { loss, rec: loss / 2, kld: 7 }, imagesPerSecond: 100, seconds: 1.5, betaEffective: 1, annealing: 2, learningRate: 2e-4 });
    store.runs.recordEpoch('r', log(0, 10));
    store.runs.recordEpoch('r', log(1, 8));
    store.runs.recordEpoch('r', log(1, 6)); // repeated after a resume: the newer one wins
    expect(store.runs.epochs('r')).toEqual([log(0, 10), log(1, 6)]);
    store.runs.deleteEpochsFrom('r', 1);
    expect(store.runs.epochs('r').map((e) => e.epoch)).toEqual([0]);
    expect(store.db.prepare('SELECT count(*) FROM epoch_losses').pluck().get()).toBe(3);
  });

  it('keeps one checkpoint row per run', () => {
    store.runs.insert(newRun('r'));
    store.runs.recordCheckpoint({ runId: 'r', nextEpoch: 1, path: '/runs/r/checkpoint.json', bytes: 10, sha256: 'a', writtenAt: 't1' });
    store.runs.recordCheckpoint({ runId: 'r', nextEpoch: 2, path: '/runs/r/checkpoint.json', bytes: 10, sha256: 'b', writtenAt: 't2' });
    expect(store.runs.checkpoint('r')).toMatchObject({ nextEpoch: 2, sha256: 'b' });
  });
});

describe('items, results and labels', () => {
  function seedRun(): number {
    const datasetId = store.datasets.ensure('folder', '/data/cells');
    store.runs.insert(newRun('r', { datasetId }));
    store.transaction(() => {
      store.results.replaceItems('r', [
        { index: 0, file: 'a.png', label: 'normal', anomaly: 0, split: 'train' },
        { index: 1, file: 'b.png', label: 'odd', anomaly: 1, split: 'test' },
        { index: 2, file: 'c, "quoted".png', label: null, anomaly: null, split: 'test' },
      ]);
      store.results.replaceResults('r', [
        { index: 0, score: 0.1, rank: 3, latentMean: Float32Array.from([1, 0, 0]), angleCosines: Float32Array.from([1, 0]) },
        { index: 1, score: 0.9, rank: 1, latentMean: Float32Array.from([0, 1, 0]), angleCosines: Float32Array.from([0, 1]) },
        { index: 2, score: 0.5, rank: 2, latentMean: null, angleCosines: null },
      ]);
    });
    return datasetId;
  }

  it('pages items by rank or index, filtered by split, with the user labels joined in', () => {
    const datasetId = seedRun();
    store.labels.set(datasetId, 'b.png', 'real anomaly', null);
    const byRank = store.results.page('r', { offset: 0, limit: 10, orderBy: 'rank', split: null });
    expect(byRank.total).toBe(3);
    expect(byRank.items.map((item) => [item.index, item.rank, item.userLabel])).toEqual([
      [1, 1, 'real anomaly'],
      [2, 2, null],
      [0, 3, null],
    ]);
    expect(store.results.page('r', { offset: 1, limit: 1, orderBy: 'index', split: null }).items.map((item) => item.file)).toEqual(['b.png']);
    const tests = store.results.page('r', { offset: 0, limit: 10, orderBy: 'index', split: 'test' });
    expect(tests).toMatchObject({ total: 2, items: [{ index: 1 }, { index: 2, file: 'c, "quoted".png', label: null, anomaly: null }] });
  });

  it('returns latent means and cosines as float32, and items without results sort last', () => {
    seedRun();
    const detail = store.results.item('r', 1);
    expect(detail?.latentMean).toEqual(Float32Array.from([0, 1, 0]));
    expect(detail?.angleCosines).toEqual(Float32Array.from([0, 1]));
    expect(store.results.item('r', 2)?.latentMean).toBeNull();
    expect(store.results.item('r', 9)).toBeUndefined();
    store.results.replaceResults('r', []);
    expect(store.results.countResults('r')).toBe(0);
    expect(store.results.page('r', { offset: 0, limit: 10, orderBy: 'rank', split: null }).items.map((item) => item.rank)).toEqual([null, null, null]);
  });

  it('sets, replaces, lists and removes user labels; deleting a dataset cannot take them along', () => {
    const datasetId = store.datasets.ensure('folder', '/data/cells');
    expect(store.labels.set(datasetId, 'a.png', 'anomaly', 'f'.repeat(64))).toMatchObject({ label: 'anomaly', sha256: 'f'.repeat(64) });
    store.labels.set(datasetId, 'a.png', 'artifact', null);
    store.labels.set(datasetId, 'b.png', 'normal', null);
    expect(store.labels.list(datasetId).map((label) => [label.file, label.label])).toEqual([
      ['a.png', 'artifact'],
      ['b.png', 'normal'],
    ]);
    expect(store.labels.set(datasetId, 'b.png', null, null)).toBeNull();
    expect(store.labels.get(datasetId, 'b.png')).toBeUndefined();
    expect(() => store.db.prepare('DELETE FROM datasets WHERE id = ?').run(datasetId)).toThrow(/FOREIGN KEY/);
  });
});

describe('datasets', () => {
  it('ensures one row per (kind, path), records scans and merges what runs learn', () => {
    const id = store.datasets.ensure('folder', '/data/cells');
    expect(store.datasets.ensure('folder', '/data/cells')).toBe(id);
    expect(store.datasets.ensure('demo', '/data/cells')).not.toBe(id);
    store.datasets.recordScan(id, {
      labelsCsv: 'labels.csv',
      imageWidth: 64,
      imageHeight: 48,
      channels: 3,
      files: [
        { file: 'a.png', bytes: 100, sha256: 'a'.repeat(64), label: 'normal' },
        { file: 'b.png', bytes: 50, sha256: 'b'.repeat(64), label: null },
      ],
    });
    store.labels.set(id, 'a.png', 'mine', null);
    expect(store.datasets.get(id)).toMatchObject({ fileCount: 2, totalBytes: 150, imageWidth: 64, imageHeight: 48, channels: 3, labelsCsv: 'labels.csv', scannedAt: expect.any(String), userLabelCount: 1 });
    store.transaction(() =>
      store.datasets.mergeFromRun(id, { channels: 1, inputSize: 32, labelsCsv: null, files: [{ file: 'b.png', label: 'odd' }, { file: 'c.png', label: null }] }),
    );
    expect(store.datasets.pageFiles(id, 0, 10)).toEqual({
      total: 3,
      files: [
        { file: 'a.png', bytes: 100, sha256: 'a'.repeat(64), label: 'normal' },
        { file: 'b.png', bytes: 50, sha256: 'b'.repeat(64), label: 'odd' },
        { file: 'c.png', bytes: null, sha256: null, label: null },
      ],
    });
    expect(store.datasets.get(id)).toMatchObject({ channels: 1, inputSize: 32, fileCount: 3 });
  });
});

describe('float32 blobs', () => {
  it('round-trip exactly, including from unaligned buffers', () => {
    const values = Float32Array.from([0, -1.5, Math.PI, 1e-30, 3.4e38]);
    const blob = float32ToBlob(values);
    const unaligned = Buffer.concat([Buffer.from([7]), blob]).subarray(1);
    expect(blobToFloat32(unaligned)).toEqual(values);
    expect(() => blobToFloat32(Buffer.from([1, 2, 3]))).toThrow(/multiple of 4/);
  });
});
