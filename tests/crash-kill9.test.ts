/**
 * Crash safety (issue point 5): a real child process trains a run through the app's services (worker
 * thread, SQLite in WAL mode, run folder with checkpoints) while writing user labels, and is killed
 * with SIGKILL at random moments, ten times, each time restarted and told to resume. After every kill:
 * the database passes integrity_check, the finished run is byte-for-byte intact, the killed run is
 * marked interrupted by the next start's recovery, and it resumes from the checkpoint on disk. At the
 * end every label the child acknowledged is in the database.
 *
 * The kill moments come from a seeded generator; the test asserts on state, never on durations.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Rng } from '../src/ml/rng';
import { inspectCheckpoint } from '../src/main/services/checkpoint-summary';
import { DATABASE_FILE_NAME } from '../src/main/store/store';
import { makeTempDir } from './helpers/temp-dir';

const CHILD_SCRIPT = fileURLToPath(new URL('./crash-training-child.ts', import.meta.url));
const KILLS = 10;

const ChildLineSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('recovered'), runIds: z.array(z.string()), statuses: z.record(z.string(), z.string()) }),
  z.object({ type: z.literal('status'), runId: z.string(), status: z.string(), message: z.string() }),
  z.object({ type: z.literal('epoch'), runId: z.string(), epoch: z.number() }),
  z.object({ type: z.literal('label'), datasetId: z.number(), file: z.string(), label: z.string() }),
  z.object({ type: z.literal('finished-run'), runId: z.string(), status: z.string(), error: z.string().nullable() }),
  z.object({ type: z.literal('long-run'), runId: z.string(), runDir: z.string() }),
  z.object({ type: z.literal('resumed'), runId: z.string(), status: z.string(), fromEpoch: z.number().nullable(), attempt: z.number().nullable() }),
  z.object({ type: z.literal('stopped'), runId: z.string(), status: z.string(), stopReason: z.string().nullable() }),
  z.object({ type: z.literal('closed') }),
]);
type ChildLine = z.output<typeof ChildLineSchema>;
type LineOf<T extends ChildLine['type']> = Extract<ChildLine, { type: T }>;

/** One child process and everything it printed, with a way to wait for a line. */
class ChildSession {
  readonly lines: ChildLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly process: ChildProcess;
  private stderr = '';
  private waiters: { match: (line: ChildLine) => boolean; resolve: (line: ChildLine) => void }[] = [];

  constructor(args: Record<string, unknown>) {
    this.process = spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, POLARIS_BACKEND: process.env['POLARIS_BACKEND'] ?? 'wasm' },
    });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    createInterface({ input: this.process.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      const parsed = ChildLineSchema.safeParse(JSON.parse(text));
      if (!parsed.success) return;
      this.lines.push(parsed.data);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(parsed.data)) return true;
        waiter.resolve(parsed.data);
        return false;
      });
    });
    this.exited = new Promise((resolve) => this.process.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The first line (already printed or still to come) of this type that passes `where`. */
  waitFor<T extends ChildLine['type']>(type: T, where: (line: LineOf<T>) => boolean = () => true): Promise<LineOf<T>> {
    const match = (line: ChildLine): line is LineOf<T> => line.type === type && where(line as LineOf<T>);
    const earlier = this.lines.find(match);
    if (earlier !== undefined) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      this.waiters.push({ match, resolve: (line) => resolve(line as LineOf<T>) });
      void this.exited.then(({ code, signal }) =>
        reject(new Error(`child exited (code ${code}, signal ${signal}) before printing ${type}; stderr:\n${this.stderr}`)),
      );
    });
  }

  async kill9(): Promise<void> {
    this.process.kill('SIGKILL');
    const { signal } = await this.exited;
    expect(signal).toBe('SIGKILL');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('crash safety: kill -9 during training', () => {
  const temp = makeTempDir('crash');
  afterAll(() => temp.cleanup());
  const databasePath = path.join(temp.dir, DATABASE_FILE_NAME);

  /** Opens the database as the next app start would (the child is dead), runs fn, closes it. */
  function withDatabase<T>(fn: (db: BetterSqlite3.Database) => T): T {
    const db = new BetterSqlite3(databasePath);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  }

  function snapshotRun(db: BetterSqlite3.Database, runId: string): string {
    const tables = [
      ['SELECT * FROM runs WHERE id = ?', runId],
      ['SELECT * FROM epochs WHERE run_id = ? ORDER BY epoch', runId],
      ['SELECT * FROM epoch_losses WHERE run_id = ? ORDER BY epoch, term', runId],
      ['SELECT * FROM run_items WHERE run_id = ? ORDER BY item_index', runId],
      ['SELECT run_id, item_index, score, rank, hex(latent_mean), hex(angle_cosines) FROM results WHERE run_id = ? ORDER BY item_index', runId],
      ['SELECT * FROM run_attempts WHERE run_id = ? ORDER BY attempt', runId],
      ['SELECT * FROM checkpoints WHERE run_id = ?', runId],
    ] as const;
    return JSON.stringify(tables.map(([sql, id]) => db.prepare(sql).all(id)));
  }

  it(`keeps the database sound, finished runs intact, labels kept and resumes from the checkpoint across ${KILLS} kills`, async () => {
    const rng = new Rng(20_251_129);
    const acknowledgedLabels = new Map<string, { datasetId: number; label: string }>();
    const collectLabels = (session: ChildSession): void => {
      for (const line of session.lines) if (line.type === 'label') acknowledgedLabels.set(line.file, { datasetId: line.datasetId, label: line.label });
    };

    let child = new ChildSession({ dataDir: temp.dir, mode: 'setup', cycle: 0 });
    const finishedRun = await child.waitFor('finished-run');
    expect(finishedRun).toMatchObject({ status: 'done', error: null });
    const longRun = await child.waitFor('long-run');
    const runId = longRun.runId;
    let finishedSnapshot: string | null = null;
    let expectedFromEpoch = 0;

    for (let kill = 1; kill <= KILLS; kill++) {
      // A random moment: mostly somewhere in the epochs after the first one of this process, sometimes
      // while the worker is still starting, loading data or warming up.
      if (rng.uniform(0, 1) < 0.25) {
        await child.waitFor('status', (line) => line.runId === runId && line.status === 'running');
        await sleep(rng.uniform(0, 1000));
      } else {
        await child.waitFor('epoch', (line) => line.runId === runId);
        await sleep(rng.uniform(0, 700));
      }
      await child.kill9();
      collectLabels(child);

      const recordedEpochs = withDatabase((db) => {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.pragma('foreign_key_check')).toEqual([]);
        const snapshot = snapshotRun(db, finishedRun.runId);
        finishedSnapshot ??= snapshot;
        expect(snapshot).toBe(finishedSnapshot);
        // Left 'running' by the dead process until the next start looks at it.
        expect(db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId)).toBe('running');
        return z.number().parse(db.prepare('SELECT epochs_completed FROM runs WHERE id = ?').pluck().get(runId));
      });
      const checkpoint = inspectCheckpoint(longRun.runDir, { verifyContents: true });
      const checkpointEpoch = checkpoint.kind === 'usable' ? checkpoint.summary.nextEpoch : 0;
      // Progress is never lost: at most the epoch being checkpointed at the kill is repeated.
      expect(checkpointEpoch).toBeGreaterThanOrEqual(expectedFromEpoch);
      expect(checkpointEpoch).toBeGreaterThanOrEqual(recordedEpochs - 1);
      expectedFromEpoch = checkpointEpoch;

      child = new ChildSession({ dataDir: temp.dir, mode: kill === KILLS ? 'finish' : 'resume', runId, cycle: kill });
      const recovered = await child.waitFor('recovered');
      expect(recovered.runIds).toEqual([runId]);
      expect(recovered.statuses[runId]).toBe('interrupted');
      expect(recovered.statuses[finishedRun.runId]).toBe('done');
      const resumed = await child.waitFor('resumed');
      expect(resumed).toMatchObject({ status: 'running', fromEpoch: expectedFromEpoch, attempt: kill + 1 });
    }

    // The last process trains on: its first epoch is exactly the checkpoint's next epoch.
    const firstEpoch = await child.waitFor('epoch', (line) => line.runId === runId);
    expect(firstEpoch.epoch).toBe(expectedFromEpoch);
    const stopped = await child.waitFor('stopped');
    expect(stopped).toMatchObject({ status: 'interrupted', stopReason: 'cancelled' });
    await child.waitFor('closed');
    expect((await child.exited).code).toBe(0);
    collectLabels(child);

    withDatabase((db) => {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(snapshotRun(db, finishedRun.runId)).toBe(finishedSnapshot);

      const attempts = db.prepare('SELECT attempt, from_epoch, outcome FROM run_attempts WHERE run_id = ? ORDER BY attempt').all(runId);
      expect(attempts).toHaveLength(KILLS + 1);
      expect(attempts.slice(0, KILLS)).toEqual(attempts.slice(0, KILLS).map((row) => ({ ...(row as object), outcome: 'crashed' })));
      expect(attempts.at(-1)).toMatchObject({ attempt: KILLS + 1, from_epoch: expectedFromEpoch, outcome: 'interrupted' });

      const run = db.prepare('SELECT status, stop_reason, epochs_completed FROM runs WHERE id = ?').get(runId) as { status: string; stop_reason: string; epochs_completed: number };
      expect(run).toMatchObject({ status: 'interrupted', stop_reason: 'cancelled' });
      expect(run.epochs_completed).toBeGreaterThan(expectedFromEpoch);
      const epochs = db.prepare('SELECT epoch FROM epochs WHERE run_id = ? ORDER BY epoch').pluck().all(runId);
      expect(epochs).toEqual(Array.from({ length: run.epochs_completed }, (_, i) => i));
      expect(db.prepare('SELECT next_epoch FROM checkpoints WHERE run_id = ?').pluck().get(runId)).toBe(run.epochs_completed);

      expect(acknowledgedLabels.size).toBeGreaterThan(KILLS * 5);
      const readLabel = db.prepare('SELECT label FROM user_labels WHERE dataset_id = ? AND file = ?').pluck();
      const lost = [...acknowledgedLabels].filter(([file, { datasetId, label }]) => readLabel.get(datasetId, file) !== label);
      expect(lost).toEqual([]);
    });
  }, 180_000);
});
