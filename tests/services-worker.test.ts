/**
 * The real path end to end: a run queued through AppServices trains in a worker thread (the lead's
 * train job on a small MNIST slice), the database mirrors its folder, progress events arrive, and the
 * finished folder imports into another database with identical results.
 */
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { EventChannel } from '../src/shared/ipc';
import { readManifest } from '../src/main/runs/run-folder';
import { AppServices } from '../src/main/services/app-services';
import { createWorkerJobRunner } from '../src/main/services/worker-job-runner';
import { makeTempDir } from './helpers/temp-dir';

describe('worker job runner', () => {
  const temp = makeTempDir('runner');
  afterAll(() => temp.cleanup());
  const job = { runDir: path.join(temp.dir, 'run'), resume: false, dataset: { kind: 'folder', path: '/x', onProblem: 'skip' }, overrides: {} } as const;

  it('reports a worker that dies without a final message as crashed, and ignores malformed messages', async () => {
    const script = path.join(temp.dir, 'dying-worker.mjs');
    writeFileSync(script, "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage({ type: 'batch', info: 'garbage' });\nprocess.exit(3);\n");
    const progress: unknown[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const running = createWorkerJobRunner({ script })(job, (message) => progress.push(message));
      expect(await running.ended).toEqual({ kind: 'crashed', error: { name: 'WorkerExitError', message: expect.stringMatching(/code 3/) } });
      expect(progress).toEqual([]);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/malformed worker message/));
    } finally {
      warn.mockRestore();
    }
  });

  it('passes a failed job on with its error name and message', async () => {
    const script = path.join(temp.dir, 'failing-worker.mjs');
    writeFileSync(script, "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage({ type: 'failed', error: { name: 'DatasetFileError', message: '/x: dataset folder not found' } });\nsetInterval(() => {}, 1000);\n");
    const running = createWorkerJobRunner({ script })(job, () => undefined);
    expect(await running.ended).toEqual({ kind: 'failed', error: { name: 'DatasetFileError', message: '/x: dataset folder not found' } });
  });
});

describe('training in a worker thread', () => {
  const temp = makeTempDir('worker');
  afterAll(() => temp.cleanup());

  it('trains a queued demo run to done and mirrors its folder into the database', async () => {
    const services = new AppServices({ dataDir: path.join(temp.dir, 'app'), appVersion: '0.0.0-test' });
    const seen: { event: EventChannel; payload: unknown }[] = [];
    services.events.subscribe((event, payload) => seen.push({ event, payload }));
    try {
      const { runId } = services.startRun({
        dataset: { kind: 'demo', anomalyDigit: 7, trainCount: 32, testAnomalies: 8 },
        overrides: { epochs: 2, batchSize: 16, latentDim: 6, seed: 5 },
      });
      const run = await services.queue.waitUntilSettled(runId);
      expect(run.error).toBeNull();
      expect(run.status).toBe('done');

      const detail = services.getRun(runId);
      expect(detail).toMatchObject({ status: 'done', epochsCompleted: 2, epochsTotal: 2, method: 'comp', backend: expect.any(String) });
      expect(detail.config['latentDim']).toBe(6);
      expect(detail.config['channels']).toBe(1);
      expect(detail.attempts).toEqual([expect.objectContaining({ attempt: 1, fromEpoch: 0, outcome: 'done' })]);
      expect(detail.checkpoint?.nextEpoch).toBe(2);
      expect(detail.metrics?.['auroc']).toEqual(expect.any(Number));

      const epochs = services.runEpochs(runId);
      expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
      for (const term of ['loss', 'rec', 'kld', 'angle_mu', 'radius_mu', 'angle_sigma', 'radius_sigma']) {
        expect(epochs[1]?.losses[term]).toEqual(expect.any(Number));
      }
      expect(epochs[0]?.imagesPerSecond).toBeGreaterThan(0);

      const page = services.runItems({ runId, offset: 0, limit: 500, orderBy: 'rank' });
      expect(page.total).toBe(detail.resultCount);
      expect(page.items.map((item) => item.rank)).toEqual(Array.from({ length: page.total }, (_, i) => i + 1));
      const top = services.runItem(runId, page.items[0]?.index ?? -1);
      expect(top.latentMean).toHaveLength(6);
      expect(top.angleCosines).toHaveLength(5);

      const events = seen.map((entry) => entry.event);
      expect(events).toContain('runs:progress');
      const epochEvents = seen.flatMap((entry) => (entry.event === 'runs:epoch' ? [entry.payload as { logs: { epoch: number }[] }] : []));
      expect(epochEvents.flatMap((payload) => payload.logs.map((log) => log.epoch))).toEqual([0, 1]);
      expect(seen.at(-1)).toMatchObject({ event: 'runs:status', payload: { runId, status: 'done' } });

      // The same folder, carried to "another machine", imports with identical results.
      const copied = path.join(temp.dir, 'carried', runId);
      cpSync(detail.runDir, copied, { recursive: true });
      const elsewhere = new AppServices({ dataDir: path.join(temp.dir, 'other'), appVersion: '0.0.0-test', autoStart: false });
      try {
        const imported = elsewhere.importRun(copied);
        // An imported run keeps the id its manifest gives it (train-job names runs after their folder).
        const importedId = readManifest(copied).id;
        expect(imported).toEqual({ runId: importedId, status: 'done', itemCount: page.total });
        const importedDetail = elsewhere.getRun(importedId);
        expect(importedDetail).toMatchObject({ origin: 'imported', status: 'done', metrics: detail.metrics, epochsCompleted: 2, config: detail.config });
        expect(elsewhere.runEpochs(importedId)).toEqual(epochs);
        expect(elsewhere.runItems({ runId: importedId, offset: 0, limit: 500, orderBy: 'rank' })).toEqual(page);
        expect(elsewhere.runItem(importedId, top.index)).toEqual({ ...top, datasetId: importedDetail.datasetId });
      } finally {
        await elsewhere.close();
      }
    } finally {
      await services.close();
    }
  });
});
