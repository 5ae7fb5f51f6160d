/**
 * Test doubles for the run queue: a hand-driven clock and training jobs that the test moves step by
 * step, writing real run folders with the run-folder and checkpoint writers, as train-job does.
 */
import { writeNpyFile } from '../../src/main/data/npy';
import { writeCheckpoint } from '../../src/main/runs/checkpoint';
import {
  appendHistory,
  ensureRunFolder,
  rankScores,
  RUN_FILES,
  type RunItem,
  type RunManifest,
  writeItems,
  writeManifest,
  writeMetrics,
  writeScores,
} from '../../src/main/runs/run-folder';
import type { Clock } from '../../src/main/services/progress-throttle';
import type { JobEnd, JobRunner, TrainingJob } from '../../src/main/services/worker-job-runner';
import type { TrainJobRequest, WorkerProgressMessage } from '../../src/main/services/worker-protocol';
import type { EpochLog } from '../../src/ml/train';
import { join } from 'node:path';

export class FakeClock implements Clock {
  time = 0;
  private timers: { at: number; order: number; callback: () => void }[] = [];
  private order = 0;

  now(): number {
    return this.time;
  }

  schedule(callback: () => void, delayMs: number): () => void {
    const timer = { at: this.time + Math.max(0, delayMs), order: this.order++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((entry) => entry !== timer);
    };
  }

  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = target;
  }
}

export const FAKE_ITEMS = 6;
export const FAKE_LATENT_DIM = 4;

export function fakeEpochLog(epoch: number): EpochLog {
  return { epoch, losses: { loss: 10 - epoch, rec: 5 - epoch / 2, kld: 3 }, imagesPerSecond: 50, seconds: 0.5, betaEffective: 0.5, annealing: 1, learningRate: 2e-4 };
}

function fakeItems(): RunItem[] {
  return Array.from({ length: FAKE_ITEMS }, (_, index) => ({
    index,
    file: `img-${index}.png`,
    label: index >= 4 ? 'odd' : 'normal',
    anomaly: index >= 4 ? 1 : 0,
    split: index >= 3 ? 'test' : 'train',
  }));
}

/** One training job the test drives; it writes its run folder the way train-job does. */
export class FakeJob implements TrainingJob {
  stopRequested = false;
  terminated = false;
  readonly ended: Promise<JobEnd>;
  private settle: (end: JobEnd) => void = () => undefined;
  private manifest: RunManifest | null = null;
  private history: EpochLog[] = [];
  nextEpoch = 0;

  constructor(
    readonly request: TrainJobRequest,
    private readonly onProgress: (message: WorkerProgressMessage) => void,
  ) {
    this.ended = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  requestStop(): void {
    this.stopRequested = true;
  }

  async terminate(): Promise<void> {
    this.terminated = true;
    this.settle({ kind: 'crashed', error: { name: 'WorkerExitError', message: 'terminated' } });
  }

  /** What train-job does before training: run.json (running) and items.csv, or read them on resume. */
  begin(resumeFrom?: { nextEpoch: number; history: EpochLog[] }): void {
    const { runDir } = this.request;
    ensureRunFolder(runDir);
    const now = new Date(0).toISOString();
    this.manifest = {
      formatVersion: 1,
      id: runDir.split('/').pop() ?? 'run',
      createdAt: now,
      updatedAt: now,
      status: 'running',
      appVersion: 'test',
      method: 'comp',
      config: { method: 'comp', epochs: this.request.overrides.epochs ?? 3, seed: 7, latentDim: FAKE_LATENT_DIM, cosineEps: 1e-3 },
      backend: { choice: 'cpu', name: 'cpu' },
      dataset: {
        kind: 'folder',
        path: this.request.dataset.kind === 'folder' ? this.request.dataset.path : 'demo',
        items: FAKE_ITEMS,
        size: 32,
        channels: 1,
        bitDepth: 8,
        labelsCsv: null,
        anomalyClasses: ['odd'],
        problems: [],
        trainCount: 3,
        testCount: 3,
        testFraction: 0.5,
      },
      normalization: { kind: 'fixed', low: [0], high: [1] },
      timings: { startedAt: now, finishedAt: null, trainSeconds: 0, epochsCompleted: resumeFrom?.nextEpoch ?? 0 },
      error: null,
      metrics: null,
    };
    this.nextEpoch = resumeFrom?.nextEpoch ?? 0;
    this.history = [...(resumeFrom?.history ?? [])];
    writeManifest(runDir, this.manifest);
    writeItems(runDir, fakeItems());
    this.onProgress({ type: 'status', status: 'running', message: 'loading data' });
  }

  batch(step: number): void {
    this.onProgress({ type: 'batch', info: { epoch: this.nextEpoch, step, stepsPerEpoch: 100, losses: { loss: 1 }, imagesPerSecond: 10, etaSeconds: 5 } });
  }

  /** Ends an epoch: checkpoint, history line, manifest, then the message (train-job's order). */
  epoch(): void {
    const manifest = this.requireManifest();
    const log = fakeEpochLog(this.nextEpoch);
    this.history.push(log);
    this.nextEpoch++;
    writeCheckpoint(this.request.runDir, {
      nextEpoch: this.nextEpoch,
      betaEffective: 0.5,
      rngSeed: 8,
      history: this.history,
      weights: new Map([['w', { shape: [2], values: Float32Array.from([this.nextEpoch, 1]) }]]),
      encoderOptimizer: { step: this.nextEpoch, moments: new Map() },
      decoderOptimizer: { step: this.nextEpoch, moments: new Map() },
    });
    appendHistory(this.request.runDir, log);
    this.manifest = { ...manifest, timings: { ...manifest.timings, trainSeconds: this.nextEpoch, epochsCompleted: this.nextEpoch } };
    writeManifest(this.request.runDir, this.manifest);
    this.onProgress({ type: 'epoch', log });
  }

  finishDone(): void {
    const manifest = this.requireManifest();
    const { runDir } = this.request;
    const latents = Float32Array.from({ length: FAKE_ITEMS * FAKE_LATENT_DIM }, (_, i) => ((i * 7) % 5) - 2);
    writeNpyFile(join(runDir, RUN_FILES.latents), { shape: [FAKE_ITEMS, FAKE_LATENT_DIM], data: latents });
    const scores = Array.from({ length: FAKE_ITEMS }, (_, i) => (i * 37) % 11);
    const ranks = rankScores(scores);
    writeScores(runDir, fakeItems().map((item) => ({ ...item, score: scores[item.index] as number, rank: ranks[item.index] as number })));
    writeMetrics(runDir, { auroc: 0.75 });
    writeManifest(runDir, { ...manifest, status: 'done', metrics: { auroc: 0.75 }, timings: { ...manifest.timings, finishedAt: new Date(0).toISOString() } });
    this.settle({ kind: 'finished', status: 'done', epochsCompleted: this.nextEpoch });
  }

  finishInterrupted(): void {
    writeManifest(this.request.runDir, { ...this.requireManifest(), status: 'interrupted' });
    this.settle({ kind: 'finished', status: 'interrupted', epochsCompleted: this.nextEpoch });
  }

  fail(message: string): void {
    if (this.manifest !== null) writeManifest(this.request.runDir, { ...this.manifest, status: 'failed', error: { name: 'Error', message } });
    this.settle({ kind: 'failed', error: { name: 'Error', message } });
  }

  private requireManifest(): RunManifest {
    if (this.manifest === null) throw new Error('begin() first');
    return this.manifest;
  }
}

export class FakeJobs {
  readonly started: FakeJob[] = [];

  readonly runner: JobRunner = (request, onProgress) => {
    const job = new FakeJob(request, onProgress);
    this.started.push(job);
    return job;
  };

  get last(): FakeJob {
    const job = this.started.at(-1);
    if (job === undefined) throw new Error('no job started');
    return job;
  }
}

/** Lets promise callbacks (job endings, waiters) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
