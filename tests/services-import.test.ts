/**
 * Importing run folders written by `polaris train` elsewhere (the folders here are written with the
 * same run-folder and checkpoint writers), and scanning dataset folders into the database.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RUN_FILES } from '../src/main/runs/run-folder';
import { AppServices } from '../src/main/services/app-services';
import { importRunFolder, RunImportError, runIdFromManifest } from '../src/main/services/import-run';
import { angleCosines, DEFAULT_ANGLE_COSINE_EPS } from '../src/main/services/latent-angles';
import { encodePng } from './fixtures/data/image-encoders';
import { FAKE_ITEMS, FAKE_LATENT_DIM, FakeJob } from './helpers/fake-training';
import { makeTempDir } from './helpers/temp-dir';

let temp: ReturnType<typeof makeTempDir>;
let services: AppServices;

beforeEach(() => {
  temp = makeTempDir('import');
  services = new AppServices({
    dataDir: path.join(temp.dir, 'app'),
    appVersion: '1.0.0',
    autoStart: false,
    runner: () => {
      throw new Error('these tests train nothing');
    },
  });
});
afterEach(async () => {
  await services.close();
  temp.cleanup();
});

/** A run folder as `polaris train` leaves it on a cluster node: finished, or copied mid-training. */
function writeRunFolder(name: string, state: 'done' | 'running', epochs = 2): string {
  const runDir = path.join(temp.dir, 'cluster', name);
  const job = new FakeJob({ runDir, resume: false, dataset: { kind: 'folder', path: '/cluster/data/cells', onProblem: 'skip' }, overrides: { epochs } }, () => undefined);
  job.begin();
  for (let epoch = 0; epoch < epochs; epoch++) job.epoch();
  if (state === 'done') job.finishDone();
  return runDir;
}

describe('importing a run folder', () => {
  it('brings in the run with its config, epochs, items, scores, latents and cosines', () => {
    const runDir = writeRunFolder('cells-a', 'done');
    const imported = services.importRun(runDir);
    expect(imported).toEqual({ runId: 'cells-a', status: 'done', itemCount: FAKE_ITEMS });
    const run = services.getRun('cells-a');
    expect(run).toMatchObject({
      origin: 'imported',
      status: 'done',
      runDir,
      datasetPath: '/cluster/data/cells',
      method: 'comp',
      seed: 7,
      backend: 'cpu',
      appVersion: 'test',
      epochsCompleted: 2,
      metrics: { auroc: 0.75 },
      checkpoint: { nextEpoch: 2 },
      resultCount: FAKE_ITEMS,
    });
    expect(services.runEpochs('cells-a').map((epoch) => epoch.epoch)).toEqual([0, 1]);

    const scores = readFileSync(path.join(runDir, RUN_FILES.scores), 'utf8').trim().split('\n').slice(1);
    const byRank = services.runItems({ runId: 'cells-a', offset: 0, limit: 100, orderBy: 'rank' }).items;
    expect(byRank).toHaveLength(FAKE_ITEMS);
    for (const item of byRank) {
      const [index, file, score, rank] = (scores[item.index] ?? '').split(',');
      expect([item.index, item.file, item.score, item.rank]).toEqual([Number(index), file, Number(score), Number(rank)]);
    }
    const detail = services.runItem('cells-a', 0);
    expect(detail.latentMean).toHaveLength(FAKE_LATENT_DIM);
    // cos φ_1 = x_1 / sqrt(Σ x_j² + eps) for the stored mean
    const [x1 = 0, ...rest] = detail.latentMean ?? [];
    expect(detail.angleCosines?.[0]).toBeCloseTo(x1 / Math.sqrt(x1 * x1 + rest.reduce((sum, x) => sum + x * x, 0) + 1e-3), 5);

    const dataset = services.listDatasets().find((entry) => entry.path === '/cluster/data/cells');
    expect(dataset).toMatchObject({ kind: 'folder', fileCount: FAKE_ITEMS, channels: 1, inputSize: 32 });
  });

  it('imports a folder copied while its run was still training as interrupted, without results', () => {
    const runDir = writeRunFolder('cells-b', 'running', 3);
    expect(services.importRun(runDir)).toEqual({ runId: 'cells-b', status: 'interrupted', itemCount: FAKE_ITEMS });
    expect(services.getRun('cells-b')).toMatchObject({ status: 'interrupted', stopReason: 'crashed', epochsCompleted: 3, resultCount: 0 });
    expect(() => services.resumeRun('cells-b')).toThrow(/polaris train --resume/);
  });

  it('refreshes a re-imported run in place and keeps the user labels on its files', () => {
    const runDir = writeRunFolder('cells-c', 'running');
    services.importRun(runDir);
    const datasetId = services.getRun('cells-c').datasetId ?? -1;
    services.setLabel(datasetId, 'img-1.png', 'artifact');
    // Later the cluster run finishes; the user imports the updated folder again.
    const finished = writeRunFolder('cells-c-finished', 'done');
    cpSync(finished, runDir, { recursive: true, force: true });
    writeFileSync(path.join(runDir, RUN_FILES.manifest), readFileSync(path.join(runDir, RUN_FILES.manifest), 'utf8').replace('"cells-c-finished"', '"cells-c"'));
    expect(services.importRun(runDir).status).toBe('done');
    expect(services.listRuns().filter((run) => run.runId === 'cells-c')).toHaveLength(1);
    expect(services.runItem('cells-c', 1).userLabel).toBe('artifact');
  });

  it('reports folders it cannot import and writes nothing for them', () => {
    expect(() => services.importRun(path.join(temp.dir, 'nowhere'))).toThrow(/not a Polaris run folder/);

    const newer = writeRunFolder('from-the-future', 'done');
    const manifestPath = path.join(newer, RUN_FILES.manifest);
    writeFileSync(manifestPath, readFileSync(manifestPath, 'utf8').replace('"formatVersion": 1', '"formatVersion": 9'));
    expect(() => services.importRun(newer)).toThrow(/newer Polaris/);

    const truncated = writeRunFolder('truncated', 'done');
    const scoresPath = path.join(truncated, RUN_FILES.scores);
    writeFileSync(scoresPath, readFileSync(scoresPath, 'utf8').split('\n').slice(0, 3).join('\n'));
    expect(() => services.importRun(truncated)).toThrow(/scores\.csv: 2 rows, items\.csv has 6/);

    const badScore = writeRunFolder('bad-score', 'done');
    const badPath = path.join(badScore, RUN_FILES.scores);
    writeFileSync(badPath, readFileSync(badPath, 'utf8').replace(/\n0,img-0\.png,[^,]+,/, '\n0,img-0.png,not-a-number,'));
    expect(() => services.importRun(badScore)).toThrow(/data row 1: score/);

    expect(services.listRuns()).toEqual([]);
  });

  it('will not overwrite a run trained in this app', () => {
    const runDir = writeRunFolder('mine', 'done');
    services.store.runs.insert({
      id: 'mine',
      datasetId: null,
      datasetPath: '/d',
      runDir: '/app/runs/mine',
      origin: 'app',
      method: 'comp',
      config: {},
      seed: 1,
      epochsTotal: 1,
      appVersion: '1',
      status: 'done',
      request: null,
    });
    expect(() => importRunFolder(services.store, runDir)).toThrow(RunImportError);
  });

  it('turns any manifest id into a valid run id', () => {
    expect(runIdFromManifest('cells-a-m1x2')).toBe('cells-a-m1x2');
    expect(runIdFromManifest('My Run (copy) #2')).toBe('My-Run-copy-2');
    expect(runIdFromManifest('  ../etc/passwd')).toBe('etc-passwd');
    expect(() => runIdFromManifest('///')).toThrow(/cannot be turned into a valid run id/);
  });
});

describe('scanning a dataset folder', () => {
  function writeImages(folder: string): void {
    mkdirSync(path.join(folder, 'sub'), { recursive: true });
    const png = (value: number) => encodePng({ width: 4, height: 3, channels: 1, bitDepth: 8, data: new Array<number>(12).fill(value) });
    writeFileSync(path.join(folder, 'a.png'), png(10));
    writeFileSync(path.join(folder, 'b.png'), png(200));
    writeFileSync(path.join(folder, 'sub', 'c.png'), png(90));
    writeFileSync(path.join(folder, 'labels.csv'), 'file,label\na.png,normal\nsub/c.png,odd\n');
  }

  it('records every image with its size, SHA-256 and CSV label, and the sample shape', async () => {
    const folder = path.join(temp.dir, 'images');
    writeImages(folder);
    const summary = await services.scanDataset(folder, 'labels.csv');
    expect(summary).toMatchObject({ path: folder, imageCount: 3, countsByExtension: { png: 3 }, unreadableCount: 0, sampleShape: { width: 4, height: 3, channels: 1 }, hashedCount: 3, labelledCount: 2 });
    const files = services.datasetFiles(summary.datasetId, 0, 10);
    const sha = (file: string) => createHash('sha256').update(readFileSync(path.join(folder, file))).digest('hex');
    expect(files).toEqual({
      total: 3,
      files: [
        { file: 'a.png', bytes: readFileSync(path.join(folder, 'a.png')).length, sha256: sha('a.png'), label: 'normal', userLabel: null },
        { file: 'b.png', bytes: expect.any(Number), sha256: sha('b.png'), label: null, userLabel: null },
        { file: 'sub/c.png', bytes: expect.any(Number), sha256: sha('sub/c.png'), label: 'odd', userLabel: null },
      ],
    });

    // A user label remembers the content hash of what was labelled.
    services.setLabel(summary.datasetId, 'b.png', 'artifact');
    expect(services.store.labels.get(summary.datasetId, 'b.png')?.sha256).toBe(sha('b.png'));
    expect(services.datasetFiles(summary.datasetId, 1, 1).files[0]?.userLabel).toBe('artifact');

    // Rescanning after a file changed updates its hash and keeps the dataset id and the user's label.
    writeFileSync(path.join(folder, 'b.png'), encodePng({ width: 4, height: 3, channels: 1, bitDepth: 8, data: new Array<number>(12).fill(1) }));
    const again = await services.scanDataset(folder);
    expect(again.datasetId).toBe(summary.datasetId);
    expect(services.datasetFiles(summary.datasetId, 1, 1).files[0]).toMatchObject({ sha256: sha('b.png'), userLabel: 'artifact' });
    expect(services.listDatasets()).toEqual([expect.objectContaining({ datasetId: summary.datasetId, fileCount: 3, userLabelCount: 1, imageWidth: 4, imageHeight: 3 })]);
  });

  it('counts unreadable images and says which folder is missing', async () => {
    const folder = path.join(temp.dir, 'broken');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'not-really.png'), 'hello');
    writeFileSync(path.join(folder, 'ok.png'), encodePng({ width: 2, height: 2, channels: 3, bitDepth: 8, data: new Array<number>(12).fill(5) }));
    const summary = await services.scanDataset(folder);
    expect(summary).toMatchObject({ imageCount: 2, unreadableCount: 1, sampleShape: { width: 2, height: 2, channels: 3 } });
    await expect(services.scanDataset(path.join(temp.dir, 'absent'))).rejects.toThrow(/dataset folder not found/);
  });

  it('refuses labels for a dataset it does not know', () => {
    expect(() => services.setLabel(999, 'a.png', 'x')).toThrow('No dataset 999');
  });
});

describe('latent angle cosines', () => {
  it('match the engine’s cosines() exactly (same formula, no TensorFlow.js in the main process)', async () => {
    const { cosines, DEFAULT_COSINE_EPS } = await import('../src/ml/coords');
    expect(DEFAULT_ANGLE_COSINE_EPS).toBe(DEFAULT_COSINE_EPS);
    for (const vector of [[3, -4, 0.5, 2], [0, 0, 0], [1e-3, 7, -7, 0, 2.5, 1]]) {
      expect(angleCosines(vector)).toEqual(Float32Array.from(cosines(vector)));
      expect(angleCosines(vector, 0.25)).toEqual(Float32Array.from(cosines(vector, 0.25)));
    }
  });
});
