/**
 * The main-side services behind the UI channels, through the real handler table and the contract's
 * validation: thumbnails with stretch and band mapping, dataset import with inspection, progress and
 * cancel, sorted pages, the neighbours behind a score, config defaults and the dialog fallback.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchInvoke } from '../src/main/ipc/dispatch';
import { createInvokeHandlers } from '../src/main/ipc/handlers';
import { writeNpyFile } from '../src/main/data/npy';
import { AppServices } from '../src/main/services/app-services';
import { displayBands } from '../src/main/services/ui-images';
import { spreadIndexes } from '../src/main/services/ui-reconstructions';
import { CONFIG_HELP, DEFAULT_CONFIG } from '../src/ml/config';
import { KnnDetector } from '../src/ml/detectors';
import { createMatrix, selectRows } from '../src/ml/matrix';
import { eventContract, invokeContract, type EventChannels, type InvokeChannel, type InvokeRequest, type InvokeResponse, type JobProgress } from '../src/shared/ipc';
import { writeLargeFolder, writeRoverDataset, writeSyntheticRun, type RoverDataset } from './helpers/ui-datasets';
import { useTestBackend } from './helpers/backend';
import { makeTempDir } from './helpers/temp-dir';

const sender = 'test:trusted';
const policy = { isTrustedSender: (url: string) => url === sender };

describe('UI services through the contract', () => {
  const temp = makeTempDir('ui-services');
  const services = new AppServices({
    dataDir: path.join(temp.dir, 'data'),
    appVersion: '0.0.0-test',
    autoStart: false,
    runner: () => {
      throw new Error('no training here');
    },
  });
  const handlers = createInvokeHandlers({ getVersion: () => '0', getBackend: () => 'cpu', platform: 'linux', services });
  const progress: JobProgress[] = [];
  services.events.subscribe((event, payload) => {
    if (event === 'jobs:progress') progress.push(eventContract['jobs:progress'].parse(payload) as EventChannels['jobs:progress']);
  });
  let rover: RoverDataset;
  let datasetId = 0;

  async function invoke<C extends InvokeChannel>(channel: C, payload: InvokeRequest<C>): Promise<InvokeResponse<C>> {
    const result = await dispatchInvoke(invokeContract, handlers, channel, sender, payload, policy);
    if (!result.ok) throw Object.assign(new Error(result.error.message), { name: result.error.name });
    return result.value as InvokeResponse<C>;
  }

  beforeAll(async () => {
    await useTestBackend(); // the k-NN scoring of the synthetic run below runs on TensorFlow.js
    rover = writeRoverDataset(path.join(temp.dir, 'rover'));
    const imported = await invoke('datasets:import', { path: rover.folder, labelsCsv: rover.labelsCsv, jobId: 'import-1' });
    datasetId = imported.summary.datasetId;
  });

  afterAll(async () => {
    await services.close();
    temp.cleanup();
  });

  it('inspects every file on import: shapes, bit depths, and each unreadable file with its reason', async () => {
    const inspection = await invoke('datasets:inspection', { datasetId });
    expect(inspection).not.toBeNull();
    expect(inspection?.fileCount).toBe(43);
    expect(inspection?.readableCount).toBe(42);
    expect(inspection?.problems).toEqual([{ file: rover.corrupt, reason: 'truncated PNG (unexpected end of data)' }]);
    expect(inspection?.bitDepths).toEqual(expect.arrayContaining([{ bitDepth: 8, count: 40 }, { bitDepth: 16, count: 1 }, { bitDepth: -32, count: 1 }]));
    expect(inspection?.shapes).toEqual(expect.arrayContaining([{ width: 48, height: 48, channels: 4, count: 1 }]));
    expect(inspection?.countsByExtension).toEqual({ png: 41, tif: 1, fits: 1 });
    expect(inspection?.labelledCount).toBe(43);
    expect(progress.some((entry) => entry.jobId === 'import-1' && entry.phase === 'decoding' && entry.done === entry.total)).toBe(true);
    // Kept next to the database: a fresh handler table (a restarted app) still has it.
    const fresh = createInvokeHandlers({ getVersion: () => '0', getBackend: () => 'cpu', platform: 'linux', services });
    const again = await dispatchInvoke(invokeContract, fresh, 'datasets:inspection', sender, { datasetId }, policy);
    expect(again.ok && again.value).toEqual(inspection);
  });

  it('cancels an import that is running', async () => {
    const large = path.join(temp.dir, 'large');
    writeLargeFolder(large, 400);
    const running = invoke('datasets:import', { path: large, jobId: 'import-large' });
    await new Promise<void>((resolve) => {
      const unsubscribe = services.events.subscribe((event, payload) => {
        if (event === 'jobs:progress' && (payload as JobProgress).jobId === 'import-large' && (payload as JobProgress).done > 0) {
          unsubscribe();
          resolve();
        }
      });
    });
    expect(await invoke('jobs:cancel', { jobId: 'import-large' })).toEqual({ jobId: 'import-large', cancelled: true });
    await expect(running).rejects.toMatchObject({ name: 'AbortError', message: 'Import cancelled' });
    expect(await invoke('jobs:cancel', { jobId: 'import-large' })).toEqual({ jobId: 'import-large', cancelled: false });
  });

  it('draws thumbnails with the stretch and band mapping, and says why a file has none', async () => {
    const decode = (base64: string | null): PNG => PNG.sync.read(Buffer.from(base64 ?? '', 'base64'));
    const { thumbnails } = await invoke('images:thumbnails', {
      datasetId,
      files: ['tile-000.png', 'multispectral-16bit.tif', 'faint-source.fits', rover.corrupt, 'not-in-the-dataset.png', '../../etc/passwd'],
      size: 48,
      display: { stretch: 'linear', bands: null },
    });
    expect(thumbnails.map((thumbnail) => thumbnail.png !== null)).toEqual([true, true, true, false, false, false]);
    expect(thumbnails[3]?.error).toBe('truncated PNG (unexpected end of data)');
    expect(thumbnails[4]?.error).toMatch(/is not a file of dataset/);
    expect(thumbnails[5]?.error).toMatch(/is not a file of dataset/);
    expect(thumbnails[1]?.facts).toEqual({ width: 48, height: 48, channels: 4, bitDepth: 16 });
    // 8-bit data under the linear stretch is shown as stored.
    const original = PNG.sync.read(Buffer.from(await import('node:fs').then((fs) => fs.readFileSync(path.join(rover.folder, 'tile-000.png')))));
    const shown = decode(thumbnails[0]?.png ?? null);
    expect(shown.width).toBe(48);
    expect(Array.from(shown.data.subarray(0, 8))).toEqual(Array.from(original.data.subarray(0, 8)));

    // One band in grey: R = G = B; band 4 of the TIFF is brighter on the right than band 1.
    const grey = await invoke('images:thumbnails', { datasetId, files: ['multispectral-16bit.tif'], size: 48, display: { stretch: 'percentile', bands: [3] } });
    const band4 = decode(grey.thumbnails[0]?.png ?? null);
    expect(band4.data[0]).toBe(band4.data[1]);
    expect(band4.data[0]).toBe(band4.data[2]);
    expect(band4.data[(48 * 10 + 47) * 4] as number).toBeGreaterThan(band4.data[(48 * 10) * 4] as number);
    const bands = await invoke('images:bands', { datasetId, file: 'multispectral-16bit.tif', size: 32, stretch: 'asinh' });
    expect(bands.bands).toHaveLength(4);
    expect(decode(bands.bands[0] ?? null).width).toBe(32);
    expect(displayBands(4, null)).toEqual([0, 1, 2]);
    expect(displayBands(1, null)).toEqual([0, 0, 0]);
    expect(displayBands(2, [5, 0, 1])).toEqual([1, 0, 1]);
  });

  it('pages a run sorted by any column, and finds the neighbours that make up each score', async () => {
    // A finished run with latent means, scored like a real one: k-NN mean distance to the training bank.
    const run = writeSyntheticRun(path.join(temp.dir, 'run-small'), 60);
    const dimension = 5;
    const latents = new Float32Array(60 * dimension);
    for (let i = 0; i < latents.length; i++) latents[i] = Math.sin(i * 12.9898) * 3;
    const matrix = createMatrix(60, dimension, latents);
    const train = Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 5 !== 0);
    const test = Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 5 === 0);
    const detector = new KnnDetector({ k: 3 });
    await detector.fit(selectRows(matrix, train));
    const scores = new Float64Array(60);
    (await detector.score(selectRows(matrix, train), { excludeSelf: true })).forEach((score, i) => (scores[train[i] as number] = score));
    (await detector.score(selectRows(matrix, test))).forEach((score, i) => (scores[test[i] as number] = score));
    const order = Array.from({ length: 60 }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
    const rows = ['index,file,score,rank,label,anomaly,split'];
    for (let i = 0; i < 60; i++) rows.push(`${i},survey/frame-${String(i).padStart(6, '0')}.png,${scores[i]},${order.indexOf(i) + 1},${['dust', 'rock', 'sand', 'sky', 'track'][i % 5]},,${i % 5 === 0 ? 'test' : 'train'}`);
    writeFileSync(path.join(run.folder, 'scores.csv'), `${rows.join('\n')}\n`);
    writeNpyFile(path.join(run.folder, 'latents.npy'), { shape: [60, dimension], data: latents });
    const { runId } = await invoke('runs:import', { path: run.folder });

    const byRank = await invoke('runs:items-sorted', { runId, offset: 0, limit: 60, sortBy: 'rank', direction: 'asc' });
    expect(byRank.total).toBe(60);
    expect(byRank.items.map((item) => item.rank)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const byScore = await invoke('runs:items-sorted', { runId, offset: 0, limit: 60, sortBy: 'score', direction: 'desc' });
    expect(byScore.items.map((item) => item.index)).toEqual(byRank.items.map((item) => item.index));
    const byFileDesc = await invoke('runs:items-sorted', { runId, offset: 2, limit: 3, sortBy: 'file', direction: 'desc' });
    expect(byFileDesc.items.map((item) => item.file)).toEqual(['survey/frame-000057.png', 'survey/frame-000056.png', 'survey/frame-000055.png']);
    const byLabel = await invoke('runs:items-sorted', { runId, offset: 0, limit: 60, sortBy: 'label', direction: 'asc', split: 'test' });
    expect(byLabel.total).toBe(12);
    expect(new Set(byLabel.items.map((item) => item.label))).toEqual(new Set(['dust']));
    // Within one label, the most anomalous come first.
    const ranks = byLabel.items.map((item) => item.rank as number);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));

    for (const index of [0, 7]) {
      const { neighbors, score, k } = await invoke('runs:neighbors', { runId, index });
      expect(k).toBe(3);
      expect(neighbors.map((neighbour) => neighbour.index)).not.toContain(index);
      expect(neighbors.every((neighbour) => neighbour.index % 5 !== 0)).toBe(true); // training (normal) items only
      const mean = neighbors.reduce((sum, neighbour) => sum + neighbour.distance, 0) / neighbors.length;
      expect(mean).toBeCloseTo(score ?? Number.NaN, 4);
    }
    await expect(invoke('runs:neighbors', { runId, index: 60 })).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(invoke('runs:items-sorted', { runId: 'no-such-run', offset: 0, limit: 5, sortBy: 'rank', direction: 'asc' })).rejects.toMatchObject({ name: 'NotFoundError' });
    // No checkpoint in an imported folder without one: nothing to reconstruct yet.
    expect(await invoke('runs:reconstructions', { runId, count: 4 })).toEqual({ epochs: null, items: [] });
    expect(spreadIndexes(60, 6)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(spreadIndexes(3, 6)).toEqual([0, 1, 2]);
  });

  it('scores the pixel baselines without training and records them as finished runs', async () => {
    for (const method of ['pixel-knn', 'pixel-iforest'] as const) {
      const { runId } = await invoke('baselines:run', {
        dataset: { kind: 'folder', path: rover.folder, labelsCsv: rover.labelsCsv, anomalyClasses: ['bright-streak', 'blue-patch', 'dark-crater', 'stripes'] },
        method,
        imageSize: 32,
        seed: 1,
        jobId: `baseline-${method}`,
      });
      const run = await invoke('runs:get', { runId });
      expect(run).toMatchObject({ method, status: 'done', resultCount: 41 });
      expect(run.metrics?.['auroc']).toBeGreaterThan(0.5);
      const top = await invoke('runs:items-sorted', { runId, offset: 0, limit: 41, sortBy: 'rank', direction: 'asc' });
      expect(top.items.map((item) => item.rank)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
      const neighbours = await invoke('runs:neighbors', { runId, index: 0 });
      expect(neighbours.unavailableReason).toMatch(/pixel space/);
    }
    expect(progress.some((entry) => entry.jobId === 'baseline-pixel-knn' && entry.phase === 'scoring')).toBe(true);
    await expect(invoke('baselines:run', { dataset: { kind: 'demo', anomalyDigit: 0, trainCount: 10, testAnomalies: 2 }, method: 'pixel-knn', jobId: 'demo-baseline' })).rejects.toMatchObject({
      name: 'RangeError',
    });
  });

  it('lists every constant of method.md with its default and help, and refuses dialogs outside Electron', async () => {
    const defaults = await invoke('app:config-defaults', undefined);
    expect(Object.keys(defaults.defaults).sort()).toEqual(Object.keys(DEFAULT_CONFIG).sort());
    expect(defaults.defaults['betaTarget']).toBe(2500);
    expect(defaults.help['sigmaAngleWeight']).toBe(CONFIG_HELP.sigmaAngleWeight);
    expect(defaults.overridable).toEqual(expect.arrayContaining(['latentDim', 'epochs', 'betaTarget', 'compressedAngles']));
    expect(defaults.methods).toEqual(['comp', 'vmf', 'vae', 'ae']);
    expect(defaults.baselines).toEqual(['pixel-knn', 'pixel-iforest']);
    await expect(invoke('dialog:open-folder', {})).rejects.toMatchObject({ name: 'NoDialogError', message: expect.stringMatching(/type the full path/) });
    const withDialogs = createInvokeHandlers({
      getVersion: () => '0',
      getBackend: () => 'cpu',
      platform: 'linux',
      services,
      dialogs: { openFolder: async (title) => `/picked/${title ?? ''}`, openFile: async () => null },
    });
    expect(await dispatchInvoke(invokeContract, withDialogs, 'dialog:open-folder', sender, { title: 'x' }, policy)).toEqual({ ok: true, value: { path: '/picked/x' } });
    expect(await dispatchInvoke(invokeContract, withDialogs, 'dialog:open-file', sender, { extensions: ['csv'] }, policy)).toEqual({ ok: true, value: { path: null } });
  });
});
