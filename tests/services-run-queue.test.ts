/**
 * The run queue against hand-driven jobs (tests/helpers/fake-training.ts) and a fake clock: ordering,
 * mirroring into the database, throttled progress, cancel/resume from the checkpoint, startup
 * recovery, failures and shutdown. The real worker thread is covered in services-worker.test.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/main/runs/atomic';
import { inspectCheckpoint } from '../src/main/services/checkpoint-summary';
import type { EventSink } from '../src/main/services/events';
import { HEARTBEAT_STALE_MS, RunQueue, type RunQueueOptions } from '../src/main/services/run-queue';
import type { QueuedRunRequest } from '../src/main/services/worker-protocol';
import type { ProcessOwner } from '../src/main/store/runs-repository';
import { openStore, type PolarisStore } from '../src/main/store/store';
import type { EventChannel, EventChannels } from '../src/shared/ipc';
import { FAKE_ITEMS, FAKE_LATENT_DIM, FakeClock, fakeEpochLog, FakeJobs, settle } from './helpers/fake-training';
import { makeTempDir } from './helpers/temp-dir';

const OWNER: ProcessOwner = { pid: process.pid, host: 'this-host', token: 'this-process' };
const WALL_NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const quietLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

type Emitted = { [E in EventChannel]: { event: E; payload: EventChannels[E] } }[EventChannel];

let temp: ReturnType<typeof makeTempDir>;
let store: PolarisStore;
let jobs: FakeJobs;
let clock: FakeClock;
let emitted: Emitted[];
const emit: EventSink = (event, payload) => {
  emitted.push({ event, payload } as Emitted);
};

beforeEach(() => {
  temp = makeTempDir('queue');
  store = openStore(path.join(temp.dir, 'polaris.sqlite3'), { now: () => new Date(WALL_NOW).toISOString() });
  jobs = new FakeJobs();
  clock = new FakeClock();
  emitted = [];
});
afterEach(() => {
  store.close();
  temp.cleanup();
});

function makeQueue(overrides: Partial<RunQueueOptions> = {}): RunQueue {
  return new RunQueue({
    store,
    runsRoot: path.join(temp.dir, 'runs'),
    runner: jobs.runner,
    owner: OWNER,
    appVersion: '1.0.0',
    emit,
    clock,
    wallNow: () => WALL_NOW,
    isProcessAlive: () => false,
    log: quietLog,
    ...overrides,
  });
}

function request(epochs = 3): QueuedRunRequest {
  return { dataset: { kind: 'folder', path: path.join(temp.dir, 'images'), onProblem: 'skip' }, overrides: { epochs, latentDim: FAKE_LATENT_DIM } };
}

function epochsReported(runId: string): number[] {
  return emitted.flatMap((entry) => (entry.event === 'runs:epoch' && entry.payload.runId === runId ? entry.payload.logs.map((log) => log.epoch) : []));
}

function statuses(runId: string): string[] {
  return emitted.flatMap((entry) => (entry.event === 'runs:status' && entry.payload.runId === runId ? [entry.payload.status] : []));
}

describe('run queue', () => {
  it('trains one run at a time, in order, and mirrors a finished run folder into the database', async () => {
    const queue = makeQueue();
    queue.start();
    const first = queue.enqueue(request(2));
    const second = queue.enqueue(request(2));
    expect(jobs.started).toHaveLength(1);
    expect(store.runs.get(first.id)?.status).toBe('running');
    expect(store.runs.get(second.id)?.status).toBe('queued');
    expect(jobs.last.request).toMatchObject({ resume: false, runDir: path.join(temp.dir, 'runs', first.id), overrides: { epochs: 2 } });

    const job = jobs.last;
    job.begin();
    job.epoch();
    job.epoch();
    expect(store.runs.epochs(first.id)).toEqual([fakeEpochLog(0), fakeEpochLog(1)]);
    expect(store.runs.get(first.id)?.epochsCompleted).toBe(2);
    expect(store.runs.checkpoint(first.id)?.nextEpoch).toBe(2);
    job.finishDone();
    await settle();

    const run = store.runs.get(first.id);
    expect(run).toMatchObject({ status: 'done', metrics: { auroc: 0.75 }, backend: 'cpu', epochsCompleted: 2, trainSeconds: 2 });
    const page = store.results.page(first.id, { offset: 0, limit: 50, orderBy: 'rank', split: null });
    expect(page.total).toBe(FAKE_ITEMS);
    expect(page.items[0]?.rank).toBe(1);
    const item = store.results.item(first.id, 1);
    expect(item?.latentMean).toHaveLength(FAKE_LATENT_DIM);
    expect(item?.angleCosines).toHaveLength(FAKE_LATENT_DIM - 1);
    expect(store.runs.attempts(first.id)).toEqual([expect.objectContaining({ attempt: 1, fromEpoch: 0, outcome: 'done' })]);
    expect(statuses(first.id)).toEqual(['queued', 'running', 'running', 'done']);
    expect(epochsReported(first.id)).toEqual([0, 1]);

    // The next queued run starts by itself.
    expect(jobs.started).toHaveLength(2);
    expect(store.runs.get(second.id)?.status).toBe('running');
  });

  it('sends training progress at most ten times a second, whatever the batch rate', () => {
    const queue = makeQueue();
    const run = queue.enqueue(request());
    const job = jobs.last;
    job.begin();
    for (let step = 1; step <= 2000; step++) {
      job.batch(step);
      clock.advance(1); // 1000 batches a second
    }
    clock.advance(100);
    const progress = emitted.flatMap((entry) => (entry.event === 'runs:progress' ? [entry.payload] : []));
    expect(progress.length).toBeLessThanOrEqual(21);
    expect(progress.at(-1)).toMatchObject({ runId: run.id, step: 2000, stepsPerEpoch: 100 });
  });

  it('reports very fast epochs at most ten times a second, every epoch included', async () => {
    const queue = makeQueue();
    const run = queue.enqueue(request(300));
    const job = jobs.last;
    job.begin();
    for (let epoch = 0; epoch < 200; epoch++) {
      job.epoch();
      clock.advance(5); // 200 epochs a second
    }
    job.finishInterrupted();
    await settle();
    const events = emitted.filter((entry) => entry.event === 'runs:epoch');
    expect(events.length).toBeLessThanOrEqual(11);
    expect(epochsReported(run.id)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(store.runs.epochs(run.id)).toHaveLength(200);
  });

  it('cancels a running run after its batch and resumes it from the checkpoint', async () => {
    const queue = makeQueue();
    const run = queue.enqueue(request(5));
    const job = jobs.last;
    job.begin();
    job.epoch();
    job.epoch();
    expect(queue.cancel(run.id)).toBe(true);
    expect(job.stopRequested).toBe(true);
    job.finishInterrupted();
    await settle();
    expect(store.runs.get(run.id)).toMatchObject({ status: 'interrupted', stopReason: 'cancelled', epochsCompleted: 2 });

    const resumed = queue.resume(run.id);
    expect(resumed.status).toBe('running');
    const next = jobs.last;
    expect(next).not.toBe(job);
    expect(next.request).toMatchObject({ resume: true, runDir: job.request.runDir });
    expect(store.runs.attempts(run.id).map((attempt) => [attempt.attempt, attempt.fromEpoch, attempt.outcome])).toEqual([
      [1, 0, 'interrupted'],
      [2, 2, null],
    ]);
    next.begin({ nextEpoch: 2, history: [fakeEpochLog(0), fakeEpochLog(1)] });
    next.epoch();
    expect(store.runs.epochs(run.id).map((epoch) => epoch.epoch)).toEqual([0, 1, 2]);
  });

  it('takes a queued run off the queue, and queues it again on resume', () => {
    const queue = makeQueue();
    const running = queue.enqueue(request());
    const waiting = queue.enqueue(request());
    expect(queue.cancel(waiting.id)).toBe(true);
    expect(store.runs.get(waiting.id)).toMatchObject({ status: 'interrupted', stopReason: 'cancelled' });
    expect(queue.cancel(waiting.id)).toBe(false);
    expect(queue.resume(waiting.id).status).toBe('queued'); // behind the running one
    expect(queue.activeRunId).toBe(running.id);
  });

  it('refuses what cannot be done, with messages that say why', async () => {
    const queue = makeQueue();
    // The IPC schema stops this earlier; the queue checks the whole config again (resolveConfig).
    expect(() => queue.enqueue({ ...request(), overrides: { learningRate: 0 } })).toThrow(/learningRate must be > 0/);
    expect(store.runs.list()).toEqual([]);
    expect(() => queue.resume('nope')).toThrow('No run nope');
    const run = queue.enqueue(request());
    jobs.last.begin();
    jobs.last.finishDone();
    await settle();
    expect(() => queue.resume(run.id)).toThrow(/already done/);
  });

  it('records a failed job with its error, and a worker that died as failed', async () => {
    const queue = makeQueue();
    const run = queue.enqueue(request());
    jobs.last.begin();
    jobs.last.fail('Training diverged: loss term "rec" is NaN');
    await settle();
    expect(store.runs.get(run.id)).toMatchObject({ status: 'failed', error: { name: 'Error', message: 'Training diverged: loss term "rec" is NaN' } });
    expect(statuses(run.id).at(-1)).toBe('failed');

    const second = queue.enqueue(request());
    await jobs.last.terminate(); // the worker ended without a final word
    await settle();
    expect(store.runs.get(second.id)).toMatchObject({ status: 'failed', error: { name: 'WorkerExitError' } });
    expect(store.runs.attempts(second.id)[0]?.outcome).toBe('failed');
  });

  it('a job that cannot start fails alone and the queue goes on', () => {
    let calls = 0;
    const queue = makeQueue({
      runner: (jobRequest, onProgress) => {
        calls++;
        if (calls === 1) throw new Error('no worker for you');
        return jobs.runner(jobRequest, onProgress);
      },
    });
    const broken = queue.enqueue(request());
    expect(store.runs.get(broken.id)).toMatchObject({ status: 'failed', error: { message: 'no worker for you' } });
    const fine = queue.enqueue(request());
    expect(store.runs.get(fine.id)?.status).toBe('running');
  });

  it('resumes from the previous checkpoint when a kill cut the next one short', async () => {
    const queue = makeQueue();
    const run = queue.enqueue(request(9));
    const job = jobs.last;
    job.begin();
    job.epoch();
    job.epoch();
    // A kill after the next checkpoint's binary was written but before checkpoint.json named it.
    writeFileAtomic(path.join(job.request.runDir, 'checkpoint-3-0123456789abcdef.bin'), Buffer.alloc(16, 9));
    job.finishInterrupted();
    await settle();
    queue.resume(run.id);
    expect(jobs.last.request.resume).toBe(true);
    expect(store.runs.attempts(run.id).at(-1)?.fromEpoch).toBe(2);
    expect(inspectCheckpoint(job.request.runDir, { verifyContents: true })).toMatchObject({ kind: 'usable', summary: { nextEpoch: 2 } });
  });

  it('starts over when a run died before its first checkpoint', async () => {
    const queue = makeQueue();
    const run = queue.enqueue(request());
    const job = jobs.last;
    job.begin();
    job.finishInterrupted();
    await settle();
    queue.resume(run.id);
    expect(jobs.last.request.resume).toBe(false);
    expect(existsSync(path.join(job.request.runDir, 'run.json'))).toBe(false); // cleared for a fresh start
  });

  it('finishes from the folder when the process died after the run was done but before the database heard', () => {
    const queue = makeQueue();
    const run = queue.enqueue(request(1));
    const job = jobs.last;
    job.begin();
    job.epoch();
    job.finishDone(); // folder says done …
    store.runs.finish(run.id, 'interrupted', { stopReason: 'crashed' }); // … the database never heard
    const fresh = makeQueue();
    fresh.resume(run.id);
    expect(jobs.started).toHaveLength(1); // no training needed
    expect(store.runs.get(run.id)).toMatchObject({ status: 'done', metrics: { auroc: 0.75 } });
    expect(store.results.countResults(run.id)).toBe(FAKE_ITEMS);
  });

  it('waits for a run to settle', async () => {
    const queue = makeQueue();
    const run = queue.enqueue(request());
    const settled = queue.waitUntilSettled(run.id);
    jobs.last.begin();
    jobs.last.finishDone();
    expect((await settled).status).toBe('done');
  });
});

describe('startup recovery', () => {
  function leaveRunning(id: string, owner: ProcessOwner, heartbeatAgeMs: number): void {
    store.runs.insert({
      id,
      datasetId: null,
      datasetPath: '/d',
      runDir: path.join(temp.dir, 'runs', id),
      origin: 'app',
      method: 'comp',
      config: {},
      seed: 1,
      epochsTotal: 3,
      appVersion: '1',
      status: 'queued',
      request: request(),
    });
    store.runs.claim(id);
    store.runs.startAttempt(id, 0, owner);
    store.db.prepare('UPDATE run_attempts SET heartbeat_at = ? WHERE run_id = ?').run(new Date(WALL_NOW - heartbeatAgeMs).toISOString(), id);
  }

  it('marks runs of dead or silent processes interrupted and leaves live ones alone', () => {
    leaveRunning('run-dead', { pid: 111, host: 'this-host', token: 'old' }, 1000);
    leaveRunning('run-live', { pid: 222, host: 'this-host', token: 'other' }, 1000);
    leaveRunning('run-silent', { pid: 222, host: 'this-host', token: 'reused-pid' }, HEARTBEAT_STALE_MS + 1);
    leaveRunning('run-elsewhere', { pid: 222, host: 'other-host', token: 'copied' }, 1000);
    const queue = makeQueue({ isProcessAlive: (pid) => pid === 222 });
    const recovered = queue.start();
    expect(recovered.sort()).toEqual(['run-dead', 'run-elsewhere', 'run-silent']);
    for (const id of recovered) {
      expect(store.runs.get(id)).toMatchObject({ status: 'interrupted', stopReason: 'crashed' });
      expect(store.runs.attempts(id)[0]?.outcome).toBe('crashed');
    }
    expect(store.runs.get('run-live')?.status).toBe('running');
    expect(statuses('run-dead')).toEqual(['interrupted']);
  });
});

describe('shutdown', () => {
  it('stops the running job at a batch boundary and marks the run interrupted (shutdown)', async () => {
    const queue = makeQueue();
    const run = queue.enqueue(request());
    const job = jobs.last;
    job.begin();
    job.epoch();
    const closing = queue.shutdown();
    expect(job.stopRequested).toBe(true);
    job.finishInterrupted();
    await closing;
    expect(store.runs.get(run.id)).toMatchObject({ status: 'interrupted', stopReason: 'shutdown' });
    expect(() => queue.enqueue(request())).toThrow(/shutting down/);
  });

  it('ends a job that does not stop within the grace period, still resumable', async () => {
    const queue = makeQueue({ shutdownGraceMs: 5000 });
    const run = queue.enqueue(request());
    const job = jobs.last;
    job.begin();
    job.epoch();
    const closing = queue.shutdown();
    await settle();
    clock.advance(5000);
    await closing;
    expect(job.terminated).toBe(true);
    expect(store.runs.get(run.id)).toMatchObject({ status: 'interrupted', stopReason: 'shutdown', epochsCompleted: 1 });
  });
});
