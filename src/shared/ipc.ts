/**
 * The one IPC contract between the Electron main process and the renderer (and, later, a WebSocket
 * transport with the same shape). Every channel is a single entry in one of three tables:
 *
 *   invokeContract  renderer → main, request/response   (ipcRenderer.invoke / ipcMain.handle)
 *   sendContract    renderer → main, fire-and-forget     (ipcRenderer.send / ipcMain.on)
 *   eventContract   main → renderer, pushed events       (webContents.send / ipcRenderer.on)
 *
 * Payload types are inferred from the zod schemas, so the schema that main uses to validate a
 * payload and the type the renderer compiles against can never drift apart.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Envelope and errors
// ---------------------------------------------------------------------------------------------

export { IpcErrorNames, type IpcError, type IpcResult } from './ipc-errors';

export const IpcErrorSchema = z.object({ name: z.string(), message: z.string() });

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** Long enough for any real path (PATH_MAX is 4096 on Linux), short enough to reject junk early. */
export const MAX_PATH_LENGTH = 4096;

export const FileSystemPathSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_PATH_LENGTH)
  .refine((value) => !value.includes('\0'), 'must not contain NUL characters');

/** Run ids become directory names, so they are restricted to characters that are safe everywhere. */
export const RunIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1–128 letters, digits, dots, dashes or underscores');

export const AppInfoSchema = z.object({
  version: z.string(),
  /** The TensorFlow.js backend that training will use: 'tensorflow', 'wasm', 'cpu', … */
  backend: z.string(),
  /** process.platform of the main process: 'linux', 'darwin', 'win32'. */
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** Database id of a dataset (a folder on this machine, or the embedded demo). */
export const DatasetIdSchema = z.int().positive();

/** A file inside a dataset: its path relative to the dataset folder, with '/' separators. */
export const DatasetFileNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_PATH_LENGTH)
  .refine((value) => !value.includes('\0'), 'must not contain NUL characters');

/** A label a user gives an item: short free text such as "anomaly", "artifact", "normal". */
export const UserLabelTextSchema = z.string().trim().min(1, 'must not be empty').max(200);

export const DatasetSummarySchema = z.object({
  datasetId: DatasetIdSchema,
  path: z.string(),
  imageCount: z.int().nonnegative(),
  /** Image counts by lower-case file extension without the dot, e.g. { png: 120, tif: 4 }. */
  countsByExtension: z.record(z.string(), z.int().nonnegative()),
  totalBytes: z.number().nonnegative(),
  /** Files that looked like images but could not be read. */
  unreadableCount: z.int().nonnegative(),
  /** Shape of the first readable image, or null when there is none. */
  sampleShape: z
    .object({ width: z.int().positive(), height: z.int().positive(), channels: z.int().positive() })
    .nullable(),
  /** Files whose content hash was computed (all readable files). */
  hashedCount: z.int().nonnegative(),
  /** Files that got a label from the labels CSV, when one was given. */
  labelledCount: z.int().nonnegative(),
});
export type DatasetSummary = z.infer<typeof DatasetSummarySchema>;

export const DatasetRecordSchema = z.object({
  datasetId: DatasetIdSchema,
  kind: z.enum(['folder', 'demo']),
  path: z.string(),
  labelsCsv: z.string().nullable(),
  fileCount: z.int().nonnegative(),
  totalBytes: z.number().nonnegative(),
  imageWidth: z.int().positive().nullable(),
  imageHeight: z.int().positive().nullable(),
  channels: z.int().positive().nullable(),
  /** Side of the square model input the runs used, when known. */
  inputSize: z.int().positive().nullable(),
  createdAt: z.string(),
  scannedAt: z.string().nullable(),
  userLabelCount: z.int().nonnegative(),
});
export type DatasetRecord = z.infer<typeof DatasetRecordSchema>;

export const DatasetFileSchema = z.object({
  file: z.string(),
  bytes: z.int().nonnegative().nullable(),
  sha256: z.string().nullable(),
  /** Ground-truth label from the dataset's labels CSV. */
  label: z.string().nullable(),
  /** The user's own label. */
  userLabel: z.string().nullable(),
});
export type DatasetFile = z.infer<typeof DatasetFileSchema>;

/** What to train on: an image folder on this machine, or the embedded MNIST demo. */
export const DatasetSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('folder'),
    path: FileSystemPathSchema,
    /** Labels CSV, absolute or relative to the folder. */
    labelsCsv: FileSystemPathSchema.optional(),
    /** Label values that mark an anomaly. */
    anomalyClasses: z.array(z.string().min(1).max(200)).max(1000).optional(),
    /** skip: leave unreadable files out and report them; stop: fail on the first one. */
    onProblem: z.enum(['skip', 'stop']).default('skip'),
    limit: z.int().positive().optional(),
  }),
  z.strictObject({
    kind: z.literal('demo'),
    anomalyDigit: z.int().min(0).max(9),
    trainCount: z.int().min(2).max(9000),
    testAnomalies: z.int().min(1).max(1000),
  }),
]);
export type DatasetSpecInput = z.input<typeof DatasetSpecSchema>;

export const RunStatusSchema = z.enum(['queued', 'running', 'done', 'failed', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** Why an interrupted run stopped: cancelled by the user, its process died, or the app quit. */
export const StopReasonSchema = z.enum(['cancelled', 'crashed', 'shutdown']);

export const RunSummarySchema = z.object({
  runId: RunIdSchema,
  datasetId: DatasetIdSchema.nullable(),
  datasetPath: z.string(),
  /** 'app': trained here; 'imported': a run folder from another machine. */
  origin: z.enum(['app', 'imported']),
  method: z.string(),
  status: RunStatusSchema,
  stopReason: StopReasonSchema.nullable(),
  epochsCompleted: z.int().nonnegative(),
  epochsTotal: z.int().nonnegative(),
  /** ISO-8601 timestamps. */
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: IpcErrorSchema.nullable(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const RunAttemptSchema = z.object({
  attempt: z.int().positive(),
  /** The epoch training (re)started from: 0, or the checkpoint's next epoch on resume. */
  fromEpoch: z.int().nonnegative(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  outcome: z.enum(['done', 'failed', 'interrupted', 'crashed']).nullable(),
});

export const RunDetailSchema = RunSummarySchema.extend({
  runDir: z.string(),
  /** The full resolved configuration (every constant), as used. */
  config: z.record(z.string(), z.json()),
  seed: z.int().nonnegative(),
  backend: z.string().nullable(),
  appVersion: z.string(),
  trainSeconds: z.number().nonnegative(),
  metrics: z.record(z.string(), z.number()).nullable(),
  attempts: z.array(RunAttemptSchema),
  checkpoint: z.object({ nextEpoch: z.int().nonnegative(), writtenAt: z.string() }).nullable(),
  /** Items with a score (all items once the run is done). */
  resultCount: z.int().nonnegative(),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

/**
 * Training settings a user may override for one run; anything left out takes the default.
 * Bounds are generous sanity limits, not recommendations.
 */
export const RunConfigOverridesSchema = z.strictObject({
  method: z.enum(['comp', 'vmf', 'vae', 'ae']).optional(),
  epochs: z.int().min(1).max(10_000).optional(),
  batchSize: z.int().min(2).max(4096).optional(),
  learningRate: z.number().positive().max(1).optional(),
  latentDim: z.int().min(3).max(1024).optional(),
  /** Side of the square model input: 32·2^k. */
  imageSize: z.union([z.literal(32), z.literal(64), z.literal(128), z.literal(256), z.literal(512)]).optional(),
  seed: z.int().min(0).max(2 ** 32 - 1).optional(),
  knnK: z.int().min(1).max(1000).optional(),
});
export type RunConfigOverrides = z.infer<typeof RunConfigOverridesSchema>;

export const EpochLogSchema = z.object({
  epoch: z.int().nonnegative(),
  /** Every loss term of the epoch (mean over its batches); the terms depend on the method. */
  losses: z.record(z.string(), z.number()),
  imagesPerSecond: z.number().nonnegative(),
  seconds: z.number().nonnegative(),
  betaEffective: z.number().nullable(),
  annealing: z.number().nullable(),
  learningRate: z.number().nullable(),
});
export type EpochLogEntry = z.infer<typeof EpochLogSchema>;

export const RunItemSchema = z.object({
  index: z.int().nonnegative(),
  file: z.string(),
  label: z.string().nullable(),
  /** 1 anomaly, 0 normal, null unknown. */
  anomaly: z.union([z.literal(0), z.literal(1)]).nullable(),
  split: z.enum(['train', 'test']),
  /** Anomaly score and rank (1 = most anomalous); null until the run is done. */
  score: z.number().nullable(),
  rank: z.int().positive().nullable(),
  userLabel: z.string().nullable(),
});
export type RunItem = z.infer<typeof RunItemSchema>;

export const RunItemDetailSchema = RunItemSchema.extend({
  datasetId: DatasetIdSchema.nullable(),
  /** Encoder mean μ of the item. */
  latentMean: z.array(z.number()).nullable(),
  /** Cosines of the n−1 hyperspherical angles of μ (cos φ_1 near 1 = near the north pole). */
  angleCosines: z.array(z.number()).nullable(),
});
export type RunItemDetail = z.infer<typeof RunItemDetailSchema>;

/** Paging bounds: pages are small so that answers stay quick and bounded in size. */
export const MAX_PAGE_SIZE = 500;
const PageSchema = {
  offset: z.int().nonnegative().max(100_000_000).default(0),
  limit: z.int().min(1).max(MAX_PAGE_SIZE).default(100),
};

export const UserLabelSchema = z.object({
  datasetId: DatasetIdSchema,
  file: z.string(),
  label: z.string(),
  updatedAt: z.string(),
});
export type UserLabel = z.infer<typeof UserLabelSchema>;

export const RunProgressSchema = z.object({
  runId: RunIdSchema,
  epoch: z.int().nonnegative(),
  step: z.int().nonnegative(),
  stepsPerEpoch: z.int().positive().optional(),
  /** Named loss terms of the latest step, e.g. { total, reconstruction, kl }. */
  losses: z.record(z.string(), z.number()),
  imagesPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative(),
});
export type RunProgress = z.infer<typeof RunProgressSchema>;

export const RunStatusEventSchema = z.object({
  runId: RunIdSchema,
  status: RunStatusSchema,
  /** What the run is doing, for people: "loading data", "scoring", an error message, … */
  message: z.string().max(2000),
  /** Images loaded so far while the dataset is being read. */
  loaded: z.object({ done: z.int().nonnegative(), total: z.int().nonnegative() }).optional(),
});
export type RunStatusEvent = z.infer<typeof RunStatusEventSchema>;

export const LogLevelSchema = z.enum(['info', 'warn', 'error']);

// ---------------------------------------------------------------------------------------------
// The contract tables: add a channel by adding one entry.
// ---------------------------------------------------------------------------------------------

/** A request schema and a response schema. Channels without a payload use z.undefined(). */
export interface InvokeChannelSpec {
  readonly request: z.ZodType;
  readonly response: z.ZodType;
}
export type InvokeContract = Readonly<Record<string, InvokeChannelSpec>>;
export type MessageContract = Readonly<Record<string, z.ZodType>>;

const RunRefSchema = z.strictObject({ runId: RunIdSchema });

export const invokeContract = {
  'app:info': { request: z.undefined(), response: AppInfoSchema },

  /** Lists a folder's images, hashes their contents and records the dataset (and optional labels CSV). */
  'datasets:scan': {
    request: z.strictObject({ path: FileSystemPathSchema, labelsCsv: FileSystemPathSchema.optional() }),
    response: DatasetSummarySchema,
  },
  'datasets:list': { request: z.undefined(), response: z.array(DatasetRecordSchema) },
  'datasets:files': {
    request: z.strictObject({ datasetId: DatasetIdSchema, ...PageSchema }),
    response: z.object({ total: z.int().nonnegative(), files: z.array(DatasetFileSchema) }),
  },

  'runs:list': { request: z.undefined(), response: z.array(RunSummarySchema) },
  'runs:get': { request: RunRefSchema, response: RunDetailSchema },
  /** Queues a run; it starts when the runs before it have finished. */
  'runs:start': {
    request: z.strictObject({
      dataset: DatasetSpecSchema,
      config: RunConfigOverridesSchema.optional(),
      /** Fraction of the normal items held out for testing (default 0.2). */
      testFraction: z.number().min(0).max(0.9).optional(),
    }),
    response: z.object({ runId: RunIdSchema }),
  },
  /** Stops a running run after its current batch (it can be resumed), or takes a queued run off the queue. */
  'runs:cancel': {
    request: RunRefSchema,
    response: z.object({ runId: RunIdSchema, cancelled: z.boolean() }),
  },
  /** Queues an interrupted (or failed) run again; it continues from its last checkpoint. */
  'runs:resume': {
    request: RunRefSchema,
    response: z.object({ runId: RunIdSchema, status: RunStatusSchema }),
  },
  'runs:epochs': { request: RunRefSchema, response: z.array(EpochLogSchema) },
  'runs:items': {
    request: z.strictObject({
      runId: RunIdSchema,
      ...PageSchema,
      orderBy: z.enum(['rank', 'index']).default('rank'),
      split: z.enum(['train', 'test']).optional(),
    }),
    response: z.object({ total: z.int().nonnegative(), items: z.array(RunItemSchema) }),
  },
  'runs:item': {
    request: z.strictObject({ runId: RunIdSchema, index: z.int().nonnegative() }),
    response: RunItemDetailSchema,
  },
  /** Reads a run folder written by `polaris train` (here or on another machine) into the database. */
  'runs:import': {
    request: z.strictObject({ path: FileSystemPathSchema }),
    response: z.object({ runId: RunIdSchema, status: RunStatusSchema, itemCount: z.int().nonnegative() }),
  },

  /** Sets the user's label of one dataset file; null removes it. Committed to disk before it answers. */
  'labels:set': {
    request: z.strictObject({ datasetId: DatasetIdSchema, file: DatasetFileNameSchema, label: UserLabelTextSchema.nullable() }),
    response: z.object({ datasetId: DatasetIdSchema, file: z.string(), label: z.string().nullable() }),
  },
  'labels:list': { request: z.strictObject({ datasetId: DatasetIdSchema }), response: z.array(UserLabelSchema) },
} as const satisfies InvokeContract;

export const sendContract = {
  /** Uncaught renderer errors and warnings, written to the main process log. */
  'log:renderer': z.strictObject({ level: LogLevelSchema, message: z.string().max(10_000) }),
} as const satisfies MessageContract;

export const eventContract = {
  /** Training progress of the running run, at most about ten a second. */
  'runs:progress': RunProgressSchema,
  /** A run changed state (queued, running, done, failed, interrupted) or phase (loading data, scoring). */
  'runs:status': RunStatusEventSchema,
  /**
   * Epochs finished, their checkpoints on disk: usually one log; when epochs are very fast, the logs
   * since the last event (events stay at about ten a second, and no epoch is left out).
   */
  'runs:epoch': z.object({ runId: RunIdSchema, logs: z.array(EpochLogSchema).min(1) }),
} as const satisfies MessageContract;

// ---------------------------------------------------------------------------------------------
// Types derived from the tables
// ---------------------------------------------------------------------------------------------

export type InvokeChannel = keyof typeof invokeContract;
export type SendChannel = keyof typeof sendContract;
export type EventChannel = keyof typeof eventContract;

/**
 * request: what a caller passes (schema input); payload: what a handler receives after parsing
 * (schema output); response: what the caller gets back.
 */
export type InvokeChannels = {
  [C in InvokeChannel]: {
    request: z.input<(typeof invokeContract)[C]['request']>;
    payload: z.output<(typeof invokeContract)[C]['request']>;
    response: z.output<(typeof invokeContract)[C]['response']>;
  };
};
export type SendChannels = { [C in SendChannel]: z.output<(typeof sendContract)[C]> };
export type EventChannels = { [C in EventChannel]: z.output<(typeof eventContract)[C]> };

export type InvokeRequest<C extends InvokeChannel> = InvokeChannels[C]['request'];
export type InvokeResponse<C extends InvokeChannel> = InvokeChannels[C]['response'];

/** The arguments after the channel name: none for channels that take no payload. */
export type InvokeArgs<C extends InvokeChannel> = [InvokeRequest<C>] extends [undefined]
  ? []
  : [payload: InvokeRequest<C>];

export const invokeChannels = Object.keys(invokeContract) as InvokeChannel[];
export const sendChannels = Object.keys(sendContract) as SendChannel[];
export const eventChannels = Object.keys(eventContract) as EventChannel[];

/** Own-property check, so names such as "constructor" or "__proto__" never count as channels. */
export function isContractChannel<Contract extends object>(
  contract: Contract,
  channel: unknown,
): channel is keyof Contract & string {
  return typeof channel === 'string' && Object.hasOwn(contract, channel);
}
