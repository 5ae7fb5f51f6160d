/** Runs, their attempts (each start or resume), their latest checkpoint and their per-epoch logs. */
import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import { parseJsonColumn, parseRow, parseRows, sqliteInteger } from './columns';

export const RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type StopReason = 'cancelled' | 'crashed' | 'shutdown';
export type RunOrigin = 'app' | 'imported';
export type AttemptOutcome = 'done' | 'failed' | 'interrupted' | 'crashed';

export interface ErrorInfo {
  name: string;
  message: string;
}

export interface RunRecord {
  id: string;
  datasetId: number | null;
  datasetPath: string;
  runDir: string;
  origin: RunOrigin;
  method: string;
  config: Record<string, unknown>;
  seed: number;
  epochsTotal: number;
  epochsCompleted: number;
  backend: string | null;
  appVersion: string;
  status: RunStatus;
  stopReason: StopReason | null;
  error: ErrorInfo | null;
  /** Opaque to the store; the run queue parses it with its own schema. */
  request: unknown;
  metrics: Record<string, number> | null;
  createdAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  trainSeconds: number;
}

export type NewRun = Pick<RunRecord, 'id' | 'datasetId' | 'datasetPath' | 'runDir' | 'origin' | 'method' | 'config' | 'seed' | 'epochsTotal' | 'appVersion' | 'status' | 'request'>;

/** Fields a run folder's manifest knows better than the queue did when the run was created. */
export interface RunDetailsUpdate {
  datasetId: number | null;
  datasetPath: string;
  method: string;
  config: Record<string, unknown>;
  seed: number;
  epochsTotal: number;
  epochsCompleted: number;
  backend: string | null;
  appVersion: string;
  metrics: Record<string, number> | null;
  startedAt: string | null;
  finishedAt: string | null;
  trainSeconds: number;
}

export interface ProcessOwner {
  pid: number;
  host: string;
  /** Random per process start: tells this process's own runs apart even if a pid is reused. */
  token: string;
}

export interface AttemptRecord {
  runId: string;
  attempt: number;
  fromEpoch: number;
  ownerPid: number;
  ownerHost: string;
  ownerToken: string;
  startedAt: string;
  heartbeatAt: string;
  endedAt: string | null;
  outcome: AttemptOutcome | null;
}

export interface CheckpointRecord {
  runId: string;
  nextEpoch: number;
  path: string;
  bytes: number;
  sha256: string;
  writtenAt: string;
}

export interface EpochRecord {
  epoch: number;
  losses: Record<string, number>;
  imagesPerSecond: number;
  seconds: number;
  betaEffective: number | null;
  annealing: number | null;
  learningRate: number | null;
}

const runRowSchema = z.object({
  id: z.string(),
  dataset_id: sqliteInteger.nullable(),
  dataset_path: z.string(),
  run_dir: z.string(),
  origin: z.enum(['app', 'imported']),
  method: z.string(),
  config_json: z.string(),
  seed: sqliteInteger,
  epochs_total: sqliteInteger,
  epochs_completed: sqliteInteger,
  backend: z.string().nullable(),
  app_version: z.string(),
  status: z.enum(RUN_STATUSES),
  stop_reason: z.enum(['cancelled', 'crashed', 'shutdown']).nullable(),
  error_name: z.string().nullable(),
  error_message: z.string().nullable(),
  request_json: z.string().nullable(),
  metrics_json: z.string().nullable(),
  created_at: z.string(),
  queued_at: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  train_seconds: z.number(),
});

const attemptRowSchema = z.object({
  run_id: z.string(),
  attempt: sqliteInteger,
  from_epoch: sqliteInteger,
  owner_pid: sqliteInteger,
  owner_host: z.string(),
  owner_token: z.string(),
  started_at: z.string(),
  heartbeat_at: z.string(),
  ended_at: z.string().nullable(),
  outcome: z.enum(['done', 'failed', 'interrupted', 'crashed']).nullable(),
});

const checkpointRowSchema = z.object({
  run_id: z.string(),
  next_epoch: sqliteInteger,
  path: z.string(),
  bytes: sqliteInteger,
  sha256: z.string(),
  written_at: z.string(),
});

const epochRowSchema = z.object({
  epoch: sqliteInteger,
  images_per_second: z.number(),
  seconds: z.number(),
  beta_effective: z.number().nullable(),
  annealing: z.number().nullable(),
  learning_rate: z.number().nullable(),
});
const lossRowSchema = z.object({ epoch: sqliteInteger, term: z.string(), value: z.number() });
const attemptNumberSchema = z.object({ next: sqliteInteger });

const configSchema = z.record(z.string(), z.unknown());
const metricsSchema = z.record(z.string(), z.number());

function toRunRecord(row: z.output<typeof runRowSchema>): RunRecord {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    datasetPath: row.dataset_path,
    runDir: row.run_dir,
    origin: row.origin,
    method: row.method,
    config: parseJsonColumn(configSchema, row.config_json, `run ${row.id} config`),
    seed: row.seed,
    epochsTotal: row.epochs_total,
    epochsCompleted: row.epochs_completed,
    backend: row.backend,
    appVersion: row.app_version,
    status: row.status,
    stopReason: row.stop_reason,
    error: row.error_name === null ? null : { name: row.error_name, message: row.error_message ?? '' },
    request: row.request_json === null ? null : parseJsonColumn(z.unknown(), row.request_json, `run ${row.id} request`),
    metrics: row.metrics_json === null ? null : parseJsonColumn(metricsSchema, row.metrics_json, `run ${row.id} metrics`),
    createdAt: row.created_at,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    trainSeconds: row.train_seconds,
  };
}

function toAttemptRecord(row: z.output<typeof attemptRowSchema>): AttemptRecord {
  return {
    runId: row.run_id,
    attempt: row.attempt,
    fromEpoch: row.from_epoch,
    ownerPid: row.owner_pid,
    ownerHost: row.owner_host,
    ownerToken: row.owner_token,
    startedAt: row.started_at,
    heartbeatAt: row.heartbeat_at,
    endedAt: row.ended_at,
    outcome: row.outcome,
  };
}

/** JSON.stringify drops non-finite numbers to null, which the metrics schema would then refuse. */
function finiteMetrics(metrics: Record<string, number> | null): string | null {
  if (metrics === null) return null;
  return JSON.stringify(Object.fromEntries(Object.entries(metrics).filter(([, value]) => Number.isFinite(value))));
}

/** Every statement prepared once, when the repository is created. */
function prepareRunStatements(db: Database) {
  const prepare = (sql: string): Statement => db.prepare(sql);
  return {
    insert: prepare(`
      INSERT INTO runs (id, dataset_id, dataset_path, run_dir, origin, method, config_json, seed, epochs_total, app_version,
                        status, request_json, created_at, queued_at)
      VALUES (@id, @datasetId, @datasetPath, @runDir, @origin, @method, @configJson, @seed, @epochsTotal, @appVersion,
              @status, @requestJson, @now, CASE WHEN @status = 'queued' THEN @now END)`),
    get: prepare('SELECT * FROM runs WHERE id = ?'),
    list: prepare('SELECT * FROM runs ORDER BY created_at DESC, rowid DESC'),
    listByStatus: prepare('SELECT * FROM runs WHERE status = ? ORDER BY queued_at, rowid'),
    nextQueued: prepare("SELECT * FROM runs WHERE status = 'queued' ORDER BY queued_at, rowid LIMIT 1"),
    claim: prepare(`
      UPDATE runs SET status = 'running', stop_reason = NULL, error_name = NULL, error_message = NULL,
        started_at = coalesce(started_at, @now), finished_at = NULL
      WHERE id = @id AND status = 'queued'`),
    requeue: prepare(`
      UPDATE runs SET status = 'queued', stop_reason = NULL, error_name = NULL, error_message = NULL, queued_at = @now, finished_at = NULL
      WHERE id = @id AND status IN ('interrupted', 'failed')`),
    interruptQueued: prepare(`
      UPDATE runs SET status = 'interrupted', stop_reason = @reason WHERE id = @id AND status = 'queued'`),
    finish: prepare(`
      UPDATE runs SET status = @status, stop_reason = @stopReason, error_name = @errorName, error_message = @errorMessage,
        finished_at = CASE WHEN @status = 'done' THEN coalesce(finished_at, @now) ELSE finished_at END
      WHERE id = @id`),
    markCrashed: prepare(`
      UPDATE runs SET status = 'interrupted', stop_reason = 'crashed' WHERE id = @id AND status = 'running'`),
    updateDetails: prepare(`
      UPDATE runs SET dataset_id = @datasetId, dataset_path = @datasetPath, method = @method, config_json = @configJson,
        seed = @seed, epochs_total = @epochsTotal, epochs_completed = @epochsCompleted, backend = coalesce(@backend, backend),
        app_version = @appVersion, metrics_json = coalesce(@metricsJson, metrics_json), started_at = coalesce(started_at, @startedAt),
        finished_at = coalesce(@finishedAt, finished_at), train_seconds = @trainSeconds
      WHERE id = @id`),
    setBackend: prepare('UPDATE runs SET backend = ? WHERE id = ?'),
    setEpochsCompleted: prepare('UPDATE runs SET epochs_completed = ? WHERE id = ?'),
    nextAttempt: prepare('SELECT coalesce(max(attempt), 0) + 1 AS next FROM run_attempts WHERE run_id = ?'),
    insertAttempt: prepare(`
      INSERT INTO run_attempts (run_id, attempt, from_epoch, owner_pid, owner_host, owner_token, started_at, heartbeat_at)
      VALUES (@runId, @attempt, @fromEpoch, @ownerPid, @ownerHost, @ownerToken, @now, @now)`),
    heartbeat: prepare('UPDATE run_attempts SET heartbeat_at = @now WHERE run_id = @runId AND attempt = @attempt AND ended_at IS NULL'),
    endAttempt: prepare(`
      UPDATE run_attempts SET ended_at = @now, outcome = @outcome WHERE run_id = @runId AND attempt = @attempt AND ended_at IS NULL`),
    endOpenAttempts: prepare(`
      UPDATE run_attempts SET ended_at = @now, outcome = @outcome WHERE run_id = @runId AND ended_at IS NULL`),
    attempts: prepare('SELECT * FROM run_attempts WHERE run_id = ? ORDER BY attempt'),
    openAttemptsOfRunningRuns: prepare(`
      SELECT a.* FROM run_attempts a JOIN runs r ON r.id = a.run_id
      WHERE r.status = 'running' AND a.ended_at IS NULL ORDER BY a.run_id, a.attempt`),
    upsertCheckpoint: prepare(`
      INSERT INTO checkpoints (run_id, next_epoch, path, bytes, sha256, written_at)
      VALUES (@runId, @nextEpoch, @path, @bytes, @sha256, @writtenAt)
      ON CONFLICT (run_id) DO UPDATE SET next_epoch = excluded.next_epoch, path = excluded.path, bytes = excluded.bytes,
        sha256 = excluded.sha256, written_at = excluded.written_at`),
    deleteCheckpoint: prepare('DELETE FROM checkpoints WHERE run_id = ?'),
    checkpoint: prepare('SELECT * FROM checkpoints WHERE run_id = ?'),
    upsertEpoch: prepare(`
      INSERT INTO epochs (run_id, epoch, images_per_second, seconds, beta_effective, annealing, learning_rate)
      VALUES (@runId, @epoch, @imagesPerSecond, @seconds, @betaEffective, @annealing, @learningRate)
      ON CONFLICT (run_id, epoch) DO UPDATE SET images_per_second = excluded.images_per_second, seconds = excluded.seconds,
        beta_effective = excluded.beta_effective, annealing = excluded.annealing, learning_rate = excluded.learning_rate`),
    deleteLosses: prepare('DELETE FROM epoch_losses WHERE run_id = ? AND epoch = ?'),
    insertLoss: prepare('INSERT INTO epoch_losses (run_id, epoch, term, value) VALUES (?, ?, ?, ?)'),
    deleteEpochsFrom: prepare('DELETE FROM epochs WHERE run_id = ? AND epoch >= ?'),
    epochs: prepare('SELECT * FROM epochs WHERE run_id = ? ORDER BY epoch'),
    losses: prepare('SELECT epoch, term, value FROM epoch_losses WHERE run_id = ? ORDER BY epoch, term'),
    deleteRun: prepare('DELETE FROM runs WHERE id = ?'),
  };
}

export class RunsRepository {
  private readonly statements: ReturnType<typeof prepareRunStatements>;

  constructor(
    private readonly db: Database,
    private readonly now: () => string,
  ) {
    this.statements = prepareRunStatements(db);
  }

  insert(run: NewRun): void {
    this.statements.insert.run({
      id: run.id,
      datasetId: run.datasetId,
      datasetPath: run.datasetPath,
      runDir: run.runDir,
      origin: run.origin,
      method: run.method,
      configJson: JSON.stringify(run.config),
      seed: run.seed,
      epochsTotal: run.epochsTotal,
      appVersion: run.appVersion,
      status: run.status,
      requestJson: run.request === null ? null : JSON.stringify(run.request),
      now: this.now(),
    });
  }

  get(id: string): RunRecord | undefined {
    const row: unknown = this.statements.get.get(id);
    return row === undefined ? undefined : toRunRecord(parseRow(runRowSchema, row, 'run'));
  }

  list(): RunRecord[] {
    return parseRows(runRowSchema, this.statements.list.all(), 'run').map(toRunRecord);
  }

  listByStatus(status: RunStatus): RunRecord[] {
    return parseRows(runRowSchema, this.statements.listByStatus.all(status), 'run').map(toRunRecord);
  }

  nextQueued(): RunRecord | undefined {
    const row: unknown = this.statements.nextQueued.get();
    return row === undefined ? undefined : toRunRecord(parseRow(runRowSchema, row, 'run'));
  }

  /** queued → running, atomically: false when another process (or an earlier call) got there first. */
  claim(id: string): boolean {
    return this.statements.claim.run({ id, now: this.now() }).changes === 1;
  }

  /** interrupted or failed → queued (to be resumed); false when the run is in another state. */
  requeue(id: string): boolean {
    return this.statements.requeue.run({ id, now: this.now() }).changes === 1;
  }

  /** A queued run the user cancelled before it started. */
  interruptQueued(id: string, reason: StopReason): boolean {
    return this.statements.interruptQueued.run({ id, reason }).changes === 1;
  }

  finish(id: string, status: 'done' | 'failed' | 'interrupted', details: { stopReason?: StopReason | null; error?: ErrorInfo | null } = {}): void {
    this.statements.finish.run({
      id,
      status,
      stopReason: status === 'interrupted' ? (details.stopReason ?? null) : null,
      errorName: details.error?.name ?? null,
      errorMessage: details.error?.message ?? null,
      now: this.now(),
    });
  }

  /** running → interrupted because the process that trained it is gone. */
  markCrashed(id: string): boolean {
    return this.statements.markCrashed.run({ id }).changes === 1;
  }

  updateDetails(id: string, details: RunDetailsUpdate): void {
    this.statements.updateDetails.run({
      id,
      datasetId: details.datasetId,
      datasetPath: details.datasetPath,
      method: details.method,
      configJson: JSON.stringify(details.config),
      seed: details.seed,
      epochsTotal: details.epochsTotal,
      epochsCompleted: details.epochsCompleted,
      backend: details.backend,
      appVersion: details.appVersion,
      metricsJson: finiteMetrics(details.metrics),
      startedAt: details.startedAt,
      finishedAt: details.finishedAt,
      trainSeconds: details.trainSeconds,
    });
  }

  setBackend(id: string, backend: string): void {
    this.statements.setBackend.run(backend, id);
  }

  delete(id: string): void {
    this.statements.deleteRun.run(id);
  }

  startAttempt(runId: string, fromEpoch: number, owner: ProcessOwner): number {
    return this.db.transaction(() => {
      const attempt = parseRow(attemptNumberSchema, this.statements.nextAttempt.get(runId), 'attempt number').next;
      this.statements.insertAttempt.run({ runId, attempt, fromEpoch, ownerPid: owner.pid, ownerHost: owner.host, ownerToken: owner.token, now: this.now() });
      return attempt;
    })();
  }

  /** Marks the attempt as still alive (see run_attempts.heartbeat_at). */
  heartbeat(runId: string, attempt: number): void {
    this.statements.heartbeat.run({ runId, attempt, now: this.now() });
  }

  endAttempt(runId: string, attempt: number, outcome: AttemptOutcome): void {
    this.statements.endAttempt.run({ runId, attempt, outcome, now: this.now() });
  }

  endOpenAttempts(runId: string, outcome: AttemptOutcome): void {
    this.statements.endOpenAttempts.run({ runId, outcome, now: this.now() });
  }

  attempts(runId: string): AttemptRecord[] {
    return parseRows(attemptRowSchema, this.statements.attempts.all(runId), 'run attempt').map(toAttemptRecord);
  }

  /** Attempts still open on runs marked running: live elsewhere, or left behind by a dead process. */
  openAttemptsOfRunningRuns(): AttemptRecord[] {
    return parseRows(attemptRowSchema, this.statements.openAttemptsOfRunningRuns.all(), 'run attempt').map(toAttemptRecord);
  }

  recordCheckpoint(checkpoint: CheckpointRecord): void {
    this.statements.upsertCheckpoint.run({ ...checkpoint });
  }

  forgetCheckpoint(runId: string): void {
    this.statements.deleteCheckpoint.run(runId);
  }

  checkpoint(runId: string): CheckpointRecord | undefined {
    const row: unknown = this.statements.checkpoint.get(runId);
    if (row === undefined) return undefined;
    const parsed = parseRow(checkpointRowSchema, row, 'checkpoint');
    return { runId: parsed.run_id, nextEpoch: parsed.next_epoch, path: parsed.path, bytes: parsed.bytes, sha256: parsed.sha256, writtenAt: parsed.written_at };
  }

  /** Inserts or replaces one epoch's log and every loss term; also raises epochs_completed to match. */
  recordEpoch(runId: string, log: EpochRecord): void {
    this.statements.upsertEpoch.run({
      runId,
      epoch: log.epoch,
      imagesPerSecond: log.imagesPerSecond,
      seconds: log.seconds,
      betaEffective: log.betaEffective,
      annealing: log.annealing,
      learningRate: log.learningRate,
    });
    this.statements.deleteLosses.run(runId, log.epoch);
    for (const [term, value] of Object.entries(log.losses)) {
      if (Number.isFinite(value)) this.statements.insertLoss.run(runId, log.epoch, term, value);
    }
  }

  setEpochsCompleted(runId: string, epochsCompleted: number): void {
    this.statements.setEpochsCompleted.run(epochsCompleted, runId);
  }

  deleteEpochsFrom(runId: string, epoch: number): void {
    this.statements.deleteEpochsFrom.run(runId, epoch);
  }

  epochs(runId: string): EpochRecord[] {
    const losses = new Map<number, Record<string, number>>();
    for (const row of parseRows(lossRowSchema, this.statements.losses.all(runId), 'epoch loss')) {
      const terms = losses.get(row.epoch) ?? {};
      terms[row.term] = row.value;
      losses.set(row.epoch, terms);
    }
    return parseRows(epochRowSchema, this.statements.epochs.all(runId), 'epoch').map((row) => ({
      epoch: row.epoch,
      losses: losses.get(row.epoch) ?? {},
      imagesPerSecond: row.images_per_second,
      seconds: row.seconds,
      betaEffective: row.beta_effective,
      annealing: row.annealing,
      learningRate: row.learning_rate,
    }));
  }
}
