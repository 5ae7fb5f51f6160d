/**
 * The training queue: one run trains at a time (TensorFlow.js already uses every core), in a worker
 * thread, while this class keeps the database in step with the run folder and pushes progress to the
 * UI. Runs can be queued, cancelled (they stop after the current batch, resumable), and resumed from
 * their last checkpoint; runs left 'running' by a process that died are marked interrupted at start.
 *
 * The run folder is the truth about training (its checkpoint is what a resume loads); the database
 * mirrors it, and every decision that spans both (claim, resume, finish) re-reads the folder first.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { resolveConfig } from '../../ml/config';
import type { EpochLogEntry, RunProgress, RunStatusEvent } from '../../shared/ipc';
import { readManifest, RUN_FILES } from '../runs/run-folder';
import type { ErrorInfo, ProcessOwner, RunRecord, StopReason, AttemptRecord } from '../store/runs-repository';
import type { PolarisStore } from '../store/store';
import { type CheckpointSummary, inspectCheckpoint } from './checkpoint-summary';
import type { EventSink } from './events';
import { mirrorRunFolder, readRunFolderContents } from './import-run';
import { type Clock, ProgressThrottle, systemClock } from './progress-throttle';
import type { JobEnd, JobRunner, TrainingJob } from './worker-job-runner';
import { type QueuedRunRequest, QueuedRunRequestSchema, type WorkerProgressMessage } from './worker-protocol';

export type Logger = Pick<Console, 'info' | 'warn' | 'error'>;

export interface RunQueueOptions {
  store: PolarisStore;
  /** Folder under which each app run gets its own run folder, named by run id. */
  runsRoot: string;
  runner: JobRunner;
  owner: ProcessOwner;
  appVersion: string;
  emit: EventSink;
  clock?: Clock;
  /** Wall-clock milliseconds, for heartbeat ages (ISO times in the database). */
  wallNow?: () => number;
  isProcessAlive?: (pid: number) => boolean;
  log?: Logger;
  /** How long shutdown waits for the running job to stop at a batch boundary before ending its worker. */
  shutdownGraceMs?: number;
}

/** How often a training attempt marks itself alive, and after how long silence it counts as dead. */
export const HEARTBEAT_INTERVAL_MS = 15_000;
export const HEARTBEAT_STALE_MS = 6 * HEARTBEAT_INTERVAL_MS;

export class RunQueueError extends Error {
  override readonly name = 'RunQueueError';
}

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** run-20250131-235959-a1b2c3: sortable by creation time, unique without coordination. */
export function newRunId(date: Date = new Date()): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `run-${stamp}-${randomBytes(3).toString('hex')}`;
}

interface ActiveJob {
  runId: string;
  runDir: string;
  attempt: number;
  job: TrainingJob;
  stopReason: StopReason | null;
  progress: ProgressThrottle<RunProgress>;
  loading: ProgressThrottle<RunStatusEvent>;
  /** Epoch logs not yet sent; the throttle sends them together. */
  unsentEpochs: EpochLogEntry[];
  epochs: ProgressThrottle<EpochLogEntry[]>;
  stopHeartbeat: () => void;
  /** Settles after the job's end has been written to the database. */
  settled: Promise<void>;
}

type StartPlan =
  | { kind: 'fresh'; clearFolder: boolean; reason: string | null }
  | { kind: 'resume'; checkpoint: CheckpointSummary }
  /** The folder says the run finished (the process died before the database heard): just mirror it. */
  | { kind: 'already-done' };

const TERMINAL_STATUSES: ReadonlySet<RunRecord['status']> = new Set(['done', 'failed', 'interrupted']);

export class RunQueue {
  private readonly store: PolarisStore;
  private readonly clock: Clock;
  private readonly wallNow: () => number;
  private readonly log: Logger;
  private readonly processAlive: (pid: number) => boolean;
  private active: ActiveJob | null = null;
  private closing = false;
  private pumping = false;
  /** The latest checkpoint-backup chain; shutdown waits for it so no file work outlives the queue. */
  private readonly waiters = new Map<string, ((run: RunRecord) => void)[]>();

  constructor(private readonly options: RunQueueOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.wallNow = options.wallNow ?? Date.now;
    this.log = options.log ?? console;
    this.processAlive = options.isProcessAlive ?? isProcessAlive;
  }

  get activeRunId(): string | null {
    return this.active?.runId ?? null;
  }

  /** Recovers runs abandoned by dead processes, then starts the queue. Returns the recovered run ids. */
  start(): string[] {
    const recovered = this.recoverAbandonedRuns();
    this.pump();
    return recovered;
  }

  /**
   * Startup recovery: a run still 'running' whose owner process is gone (not alive, or silent for longer
   * than HEARTBEAT_STALE_MS, which also covers a pid reused after a reboot) becomes 'interrupted'.
   * Runs another live Polaris process is training are left alone.
   */
  recoverAbandonedRuns(): string[] {
    const recovered: string[] = [];
    const liveRuns = new Set<string>();
    for (const attempt of this.store.runs.openAttemptsOfRunningRuns()) {
      if (this.ownerIsAlive(attempt)) {
        liveRuns.add(attempt.runId);
        continue;
      }
      this.store.transaction(() => {
        if (this.store.runs.markCrashed(attempt.runId)) recovered.push(attempt.runId);
        this.store.runs.endAttempt(attempt.runId, attempt.attempt, 'crashed');
      });
    }
    // Defensive: claims and attempts are written in one transaction, so this should find nothing.
    for (const run of this.store.runs.listByStatus('running')) {
      if (liveRuns.has(run.id) || recovered.includes(run.id)) continue;
      if (this.store.runs.markCrashed(run.id)) recovered.push(run.id);
    }
    for (const runId of recovered) {
      this.log.warn(`[runs] ${runId} was left running by a process that is gone; marked interrupted (resume continues from its last checkpoint)`);
      this.emitStatus(runId, 'the process training this run ended unexpectedly; resume to continue from the last checkpoint');
      this.notifySettled(runId);
    }
    return recovered;
  }

  private ownerIsAlive(attempt: AttemptRecord): boolean {
    if (attempt.ownerToken === this.options.owner.token) return this.active?.runId === attempt.runId;
    // A database copied from another machine: its processes cannot be asked, and cannot be training here.
    if (attempt.ownerHost !== this.options.owner.host) return false;
    const heartbeatAge = this.wallNow() - Date.parse(attempt.heartbeatAt);
    return this.processAlive(attempt.ownerPid) && heartbeatAge < HEARTBEAT_STALE_MS;
  }

  /** Queues a new run and returns it. The config is checked here so mistakes are reported at once. */
  enqueue(request: QueuedRunRequest): RunRecord {
    if (this.closing) throw new RunQueueError('Polaris is shutting down; no new runs can be started');
    const config = resolveConfig(request.overrides);
    const dataset = request.dataset.kind === 'folder' ? { ...request.dataset, path: resolve(request.dataset.path) } : request.dataset;
    const datasetPath = dataset.kind === 'folder' ? dataset.path : `MNIST demo, digit ${dataset.anomalyDigit} held out`;
    const datasetId = dataset.kind === 'folder' ? this.store.datasets.ensure('folder', dataset.path) : null;
    const runId = newRunId(new Date(this.wallNow()));
    const stored: QueuedRunRequest = { ...request, dataset };
    this.store.runs.insert({
      id: runId,
      datasetId,
      datasetPath,
      runDir: join(this.options.runsRoot, runId),
      origin: 'app',
      method: config.method,
      config: { ...config },
      seed: config.seed,
      epochsTotal: config.epochs,
      appVersion: this.options.appVersion,
      status: 'queued',
      request: stored,
    });
    this.emitStatus(runId, 'queued');
    this.pump();
    return this.requireRun(runId);
  }

  /**
   * A queued run leaves the queue (interrupted, can be resumed later); a running run stops after its
   * current batch and keeps its last checkpoint. False when the run is neither queued nor running here.
   */
  cancel(runId: string): boolean {
    const active = this.active;
    if (active !== null && active.runId === runId) {
      active.stopReason ??= 'cancelled';
      active.job.requestStop();
      this.emitStatus(runId, 'stopping after the current batch');
      return true;
    }
    if (this.store.runs.interruptQueued(runId, 'cancelled')) {
      this.emitStatus(runId, 'cancelled before it started');
      this.notifySettled(runId);
      return true;
    }
    return false;
  }

  /** Queues an interrupted or failed run again; it continues from its last checkpoint when it has one. */
  resume(runId: string): RunRecord {
    const run = this.requireRun(runId);
    if (run.origin !== 'app') {
      throw new RunQueueError(`Run ${runId} was imported from ${run.runDir}; resume it with \`polaris train --resume\` where its data is`);
    }
    if (run.status === 'queued' || run.status === 'running') return run;
    if (run.status === 'done') throw new RunQueueError(`Run ${runId} is already done; start a new run to train again`);
    if (this.closing) throw new RunQueueError('Polaris is shutting down; the run can be resumed after the next start');
    if (!this.store.runs.requeue(runId)) throw new RunQueueError(`Run ${runId} could not be queued again (its status changed meanwhile)`);
    this.emitStatus(runId, 'queued to resume');
    this.pump();
    return this.requireRun(runId);
  }

  /** Resolves with the run once it is no longer queued or running. */
  waitUntilSettled(runId: string): Promise<RunRecord> {
    const run = this.requireRun(runId);
    if (TERMINAL_STATUSES.has(run.status)) return Promise.resolve(run);
    return new Promise((resolveRun) => {
      const list = this.waiters.get(runId) ?? [];
      list.push(resolveRun);
      this.waiters.set(runId, list);
    });
  }

  /**
   * Stops taking new work and stops the running job: gracefully at a batch boundary when it can, by
   * ending the worker after the grace period otherwise. Either way the run is marked interrupted
   * ('shutdown') and resumes from its last checkpoint.
   */
  async shutdown(): Promise<void> {
    this.closing = true;
    const active = this.active;
    if (active === null) return;
    active.stopReason = 'shutdown';
    active.job.requestStop();
    const graceMs = this.options.shutdownGraceMs ?? 10_000;
    let cancelTimer: () => void = () => undefined;
    const timedOut = new Promise<'timeout'>((resolveTimeout) => {
      cancelTimer = this.clock.schedule(() => resolveTimeout('timeout'), graceMs);
    });
    const outcome = await Promise.race([active.job.ended, timedOut]);
    cancelTimer();
    if (outcome === 'timeout') await active.job.terminate();
    await active.settled;
  }

  private requireRun(runId: string): RunRecord {
    const run = this.store.runs.get(runId);
    if (run === undefined) throw new RunQueueError(`No run ${runId}`);
    return run;
  }

  /** Starts the next queued run when nothing is training. Never throws: a run that cannot start fails alone. */
  private pump(): void {
    if (this.pumping) return; // re-entered from a run that failed synchronously; the loop below continues
    this.pumping = true;
    try {
      while (this.active === null && !this.closing) {
        const next = this.store.runs.nextQueued();
        if (next === undefined) return;
        try {
          this.startRun(next);
        } catch (error) {
          this.log.error(`[runs] ${next.id} could not start:`, error);
          this.failUnstarted(next.id, errorInfo(error));
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private failUnstarted(runId: string, error: ErrorInfo): void {
    this.store.transaction(() => {
      this.store.runs.finish(runId, 'failed', { error });
      this.store.runs.endOpenAttempts(runId, 'failed');
    });
    this.emitStatus(runId, error.message);
    this.notifySettled(runId);
  }

  private planStart(run: RunRecord): StartPlan {
    if (!existsSync(join(run.runDir, RUN_FILES.manifest))) return { kind: 'fresh', clearFolder: existsSync(run.runDir), reason: null };
    const manifest = readManifest(run.runDir);
    if (manifest.status === 'done') return { kind: 'already-done' };
    const checkpoint = inspectCheckpoint(run.runDir, { verifyContents: true });
    if (checkpoint.kind === 'usable') return { kind: 'resume', checkpoint: checkpoint.summary };
    const reason = checkpoint.kind === 'unusable' ? checkpoint.reason : 'the run stopped before its first epoch ended';
    return { kind: 'fresh', clearFolder: true, reason };
  }

  private startRun(run: RunRecord): void {
    const parsedRequest = QueuedRunRequestSchema.safeParse(run.request);
    if (!parsedRequest.success) {
      if (this.store.runs.claim(run.id)) this.failUnstarted(run.id, { name: 'InvalidRunRequestError', message: `Run ${run.id} has no valid training request stored` });
      return;
    }
    const plan = this.planStart(run);
    if (plan.kind === 'already-done') {
      const contents = readRunFolderContents(run.runDir);
      const claimed = this.store.transaction(() => {
        if (!this.store.runs.claim(run.id)) return false;
        mirrorRunFolder(this.store, run.id, contents, { runDir: run.runDir, status: 'done', stopReason: null, appVersion: this.options.appVersion });
        return true;
      });
      if (claimed) {
        this.emitStatus(run.id, 'finished (recovered from its run folder)');
        this.notifySettled(run.id);
      }
      return;
    }

    const fromEpoch = plan.kind === 'resume' ? plan.checkpoint.nextEpoch : 0;
    // Claim, align the epoch log with the checkpoint, and open an attempt: all or nothing.
    const attempt = this.store.transaction(() => {
      if (!this.store.runs.claim(run.id)) return null;
      this.store.runs.deleteEpochsFrom(run.id, fromEpoch);
      if (plan.kind === 'resume') {
        for (const log of plan.checkpoint.history.filter((entry) => entry.epoch < fromEpoch)) this.store.runs.recordEpoch(run.id, log);
        this.store.runs.recordCheckpoint({ runId: run.id, ...checkpointColumns(plan.checkpoint), writtenAt: new Date(this.wallNow()).toISOString() });
      } else {
        this.store.runs.forgetCheckpoint(run.id);
      }
      this.store.runs.setEpochsCompleted(run.id, fromEpoch);
      return this.store.runs.startAttempt(run.id, fromEpoch, this.options.owner);
    });
    if (attempt === null) return; // another process claimed it first

    if (plan.kind === 'fresh' && plan.clearFolder) {
      if (plan.reason !== null) this.log.warn(`[runs] ${run.id}: starting over (${plan.reason})`);
      this.clearRunFolder(run.runDir);
    }
    const request = { ...parsedRequest.data, runDir: run.runDir, resume: plan.kind === 'resume', runId: run.id, appVersion: this.options.appVersion };
    const progress = new ProgressThrottle<RunProgress>((payload) => this.options.emit('runs:progress', payload), this.clock);
    const loading = new ProgressThrottle<RunStatusEvent>((payload) => this.options.emit('runs:status', payload), this.clock);
    const unsentEpochs: EpochLogEntry[] = [];
    const epochs = new ProgressThrottle<EpochLogEntry[]>((logs) => {
      this.options.emit('runs:epoch', { runId: run.id, logs: logs.splice(0) });
    }, this.clock);
    let activeJob: ActiveJob | null = null;
    const job = this.options.runner(request, (message) => {
      if (activeJob !== null) this.onProgress(activeJob, message);
    });
    const stopHeartbeat = this.startHeartbeat(run.id, attempt);
    const active: ActiveJob = {
      runId: run.id,
      runDir: run.runDir,
      attempt,
      job,
      stopReason: null,
      progress,
      loading,
      unsentEpochs,
      epochs,
      stopHeartbeat,
      settled: job.ended.then((end) => this.onJobEnd(active, end)),
    };
    activeJob = active;
    this.active = active;
    this.emitStatus(run.id, plan.kind === 'resume' ? `resuming from epoch ${fromEpoch}` : 'starting');
  }

  /** Only ever deletes a folder under runsRoot: app runs' folders are the app's own. */
  private clearRunFolder(runDir: string): void {
    const fromRoot = relative(resolve(this.options.runsRoot), resolve(runDir));
    if (fromRoot === '' || fromRoot.startsWith('..') || isAbsolute(fromRoot)) {
      throw new RunQueueError(`Refusing to clear ${runDir}: it is not inside the runs folder ${this.options.runsRoot}`);
    }
    rmSync(runDir, { recursive: true, force: true });
  }

  private startHeartbeat(runId: string, attempt: number): () => void {
    let cancel: () => void = () => undefined;
    const beat = (): void => {
      try {
        this.store.runs.heartbeat(runId, attempt);
      } catch (error) {
        this.log.warn(`[runs] heartbeat of ${runId} failed:`, error);
      }
      cancel = this.clock.schedule(beat, HEARTBEAT_INTERVAL_MS);
    };
    cancel = this.clock.schedule(beat, HEARTBEAT_INTERVAL_MS);
    return () => cancel();
  }

  private onProgress(active: ActiveJob, message: WorkerProgressMessage): void {
    const { runId } = active;
    try {
      switch (message.type) {
        case 'status':
          // Final states come from the job's end, after the database has them.
          if (message.status === 'running') {
            active.loading.flush();
            this.options.emit('runs:status', { runId, status: 'running', message: message.message });
          }
          break;
        case 'backend':
          this.store.runs.setBackend(runId, message.name);
          break;
        case 'load-progress':
          active.loading.push({ runId, status: 'running', message: 'loading data', loaded: { done: message.done, total: message.total } });
          break;
        case 'batch':
          active.progress.push({ runId, ...message.info });
          break;
        case 'epoch': {
          active.progress.flush();
          const { log } = message;
          // The worker sends this after the checkpoint is on disk, so the two agree here.
          const checkpoint = inspectCheckpoint(active.runDir, { verifyContents: false });
          this.store.transaction(() => {
            this.store.runs.recordEpoch(runId, log);
            this.store.runs.setEpochsCompleted(runId, log.epoch + 1);
            if (checkpoint.kind === 'usable' && checkpoint.summary.nextEpoch === log.epoch + 1) {
              this.store.runs.recordCheckpoint({ runId, ...checkpointColumns(checkpoint.summary), writtenAt: new Date(this.wallNow()).toISOString() });
            }
          });
          active.unsentEpochs.push(log);
          active.epochs.push(active.unsentEpochs);
          break;
        }
      }
    } catch (error) {
      // A failed progress write must not take the queue down; the folder still has everything.
      this.log.error(`[runs] ${runId}: could not record ${message.type}:`, error);
    }
  }

  private onJobEnd(active: ActiveJob, end: JobEnd): void {
    active.stopHeartbeat();
    active.progress.cancel();
    active.loading.cancel();
    active.epochs.flush(); // every finished epoch is reported, before the final status
    const { runId, runDir, attempt } = active;
    try {
      if (end.kind === 'finished' && end.status === 'done') {
        this.finishFromFolder(runId, runDir, attempt, { status: 'done', stopReason: null, error: null });
      } else if ((end.kind === 'finished' && end.status === 'interrupted') || (end.kind === 'crashed' && active.stopReason === 'shutdown')) {
        this.finishFromFolder(runId, runDir, attempt, { status: 'interrupted', stopReason: active.stopReason ?? 'cancelled', error: null });
      } else {
        const error = end.kind === 'finished' ? { name: 'TrainingError', message: 'The training job reported failure' } : end.error;
        this.finishFromFolder(runId, runDir, attempt, { status: 'failed', stopReason: null, error });
      }
    } catch (error) {
      this.log.error(`[runs] ${runId}: could not record how the run ended:`, error);
      try {
        this.store.transaction(() => {
          this.store.runs.finish(runId, 'failed', { error: errorInfo(error) });
          this.store.runs.endAttempt(runId, attempt, 'failed');
        });
      } catch (secondError) {
        this.log.error(`[runs] ${runId}: the database refused the failure too:`, secondError);
      }
    }
    this.active = null;
    const run = this.store.runs.get(runId);
    this.emitStatus(runId, run?.status === 'failed' ? (run.error?.message ?? 'failed') : (run?.status ?? 'ended'));
    this.notifySettled(runId);
    this.pump();
  }

  private finishFromFolder(
    runId: string,
    runDir: string,
    attempt: number,
    outcome: { status: 'done' | 'interrupted' | 'failed'; stopReason: StopReason | null; error: ErrorInfo | null },
  ): void {
    let contents: ReturnType<typeof readRunFolderContents> | null = null;
    let readError: unknown = null;
    try {
      contents = readRunFolderContents(runDir);
    } catch (error) {
      readError = error; // e.g. the job failed before it wrote run.json
    }
    if (contents === null && outcome.status === 'done') throw readError;
    this.store.transaction(() => {
      if (contents !== null) {
        mirrorRunFolder(this.store, runId, contents, {
          runDir,
          status: outcome.status,
          stopReason: outcome.stopReason,
          error: outcome.error,
          appVersion: this.options.appVersion,
        });
      } else {
        this.store.runs.finish(runId, outcome.status, { stopReason: outcome.stopReason, error: outcome.error });
      }
      this.store.runs.endAttempt(runId, attempt, outcome.status);
    });
  }

  private emitStatus(runId: string, message: string): void {
    const run = this.store.runs.get(runId);
    if (run === undefined) return;
    this.options.emit('runs:status', { runId, status: run.status, message: message.slice(0, 2000) });
  }

  private notifySettled(runId: string): void {
    const list = this.waiters.get(runId);
    if (list === undefined) return;
    const run = this.store.runs.get(runId);
    if (run === undefined || !TERMINAL_STATUSES.has(run.status)) return;
    this.waiters.delete(runId);
    for (const resolveRun of list) resolveRun(run);
  }
}

function checkpointColumns(summary: CheckpointSummary): { nextEpoch: number; path: string; bytes: number; sha256: string } {
  return { nextEpoch: summary.nextEpoch, path: summary.path, bytes: summary.bytes, sha256: summary.sha256 };
}

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) return { name: error.name || 'Error', message: error.message };
  return { name: 'Error', message: String(error) };
}
