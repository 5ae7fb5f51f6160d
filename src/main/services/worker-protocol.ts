/**
 * The messages between the run queue (main thread) and a training worker thread, as zod schemas:
 * both sides validate what crosses, like every other boundary of the app.
 */
import { z } from 'zod';
import { DatasetSpecSchema, IpcErrorSchema, RunConfigOverridesSchema } from '../../shared/ipc';

/** What a queued run needs to start or resume: stored as runs.request_json. */
export const QueuedRunRequestSchema = z.object({
  dataset: DatasetSpecSchema,
  overrides: RunConfigOverridesSchema,
  testFraction: z.number().min(0).max(0.9).optional(),
});
export type QueuedRunRequest = z.output<typeof QueuedRunRequestSchema>;

export const TrainJobRequestSchema = QueuedRunRequestSchema.extend({
  runDir: z.string().min(1),
  /** Continue from the run folder's checkpoint instead of starting a new run there. */
  resume: z.boolean(),
  /** The database's run id and the app's version, recorded in the run folder's manifest. */
  runId: z.string().min(1).optional(),
  appVersion: z.string().min(1).optional(),
});
export type TrainJobRequest = z.output<typeof TrainJobRequestSchema>;

/** workerData of a training worker. `entry` is set only when a bootstrap loads a TypeScript entry. */
export const TrainingWorkerDataSchema = z.object({
  entry: z.string().optional(),
  request: TrainJobRequestSchema,
});
export type TrainingWorkerData = z.output<typeof TrainingWorkerDataSchema>;

const lossTermsSchema = z.record(z.string(), z.number());

export const StepInfoSchema = z.object({
  epoch: z.int().nonnegative(),
  step: z.int().nonnegative(),
  stepsPerEpoch: z.int().positive(),
  losses: lossTermsSchema,
  imagesPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative(),
});

export const EpochLogMessageSchema = z.object({
  epoch: z.int().nonnegative(),
  losses: lossTermsSchema,
  imagesPerSecond: z.number().nonnegative(),
  seconds: z.number().nonnegative(),
  betaEffective: z.number(),
  annealing: z.number(),
  learningRate: z.number(),
});

export const WorkerToMainMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: z.enum(['queued', 'running', 'done', 'failed', 'interrupted']), message: z.string() }),
  z.object({ type: z.literal('backend'), choice: z.string(), name: z.string() }),
  z.object({ type: z.literal('load-progress'), done: z.int().nonnegative(), total: z.int().nonnegative() }),
  z.object({ type: z.literal('batch'), info: StepInfoSchema }),
  /** Sent after the epoch's checkpoint, history line and manifest are on disk. */
  z.object({ type: z.literal('epoch'), log: EpochLogMessageSchema }),
  z.object({ type: z.literal('finished'), status: z.enum(['done', 'interrupted', 'failed']), epochsCompleted: z.int().nonnegative() }),
  z.object({ type: z.literal('failed'), error: IpcErrorSchema }),
]);
export type WorkerToMainMessage = z.output<typeof WorkerToMainMessageSchema>;
/** The messages that report progress; 'finished' and 'failed' end the job and arrive as its outcome. */
export type WorkerProgressMessage = Exclude<WorkerToMainMessage, { type: 'finished' } | { type: 'failed' }>;

export const MainToWorkerMessageSchema = z.discriminatedUnion('type', [
  /** Stop after the current batch; the job ends 'interrupted' with its last checkpoint on disk. */
  z.object({ type: z.literal('stop') }),
]);
export type MainToWorkerMessage = z.output<typeof MainToWorkerMessageSchema>;
