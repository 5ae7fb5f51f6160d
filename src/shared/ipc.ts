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
import { insightInvokeContract } from './ipc-insight';

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
  // The advanced constants of method.md (src/ml/config.ts documents each). Bounds are sanity limits.
  adamBeta1: z.number().min(0).lt(1).optional(),
  adamBeta2: z.number().min(0).lt(1).optional(),
  adamEpsilon: z.number().positive().max(1).optional(),
  lrMilestones: z.array(z.int().nonnegative().max(100_000)).max(100).optional(),
  lrDecay: z.number().positive().max(10).optional(),
  horizontalFlip: z.boolean().optional(),
  lossScale: z.number().positive().max(1e6).optional(),
  betaTarget: z.number().nonnegative().max(1e12).optional(),
  betaCalibrationEps: z.number().positive().max(1e6).optional(),
  annealEpochs: z.int().nonnegative().max(100_000).optional(),
  cosineEps: z.number().positive().max(1).optional(),
  varianceEps: z.number().positive().max(1).optional(),
  angleGain: z.number().nonnegative().max(1e9).optional(),
  angleMeanWeight: z.number().nonnegative().max(1e9).optional(),
  compressedAngles: z.int().nonnegative().max(1024).nullable().optional(),
  radialStdGain: z.number().nonnegative().max(1e9).optional(),
  radialMeanGain: z.number().nonnegative().max(1e9).optional(),
  sigmaRadiusFactor: z.number().nonnegative().max(1e6).optional(),
  sigmaRadiusStdPrior: z.number().positive().max(1e6).optional(),
  muAngleWeight: z.number().nonnegative().max(1e12).optional(),
  muRadiusWeight: z.number().nonnegative().max(1e12).optional(),
  sigmaAngleWeight: z.number().nonnegative().max(1e12).optional(),
  sigmaRadiusWeight: z.number().nonnegative().max(1e12).optional(),
  firstAngleWeight: z.number().nonnegative().max(1e9).optional(),
  firstAngleWeightLate: z.number().nonnegative().max(1e9).optional(),
  lateEpoch: z.int().nonnegative().max(100_000).optional(),
  vaeKlWeight: z.number().nonnegative().max(1e9).optional(),
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
// What the app's views need beyond the stored records: thumbnails and band images with a display
// stretch, reconstructions, the neighbours behind a score, sorted pages, dataset inspection with
// progress and cancel, the config defaults, and native file dialogs (Electron only).
// ---------------------------------------------------------------------------------------------

/** Id of a long action, chosen by the UI so that it can cancel the action before it answers. */
export const JobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, dashes or underscores');

/** How raw values map to brightness: min..max, robust percentiles, or asinh (faint structure lifted). */
export const StretchKindSchema = z.enum(['linear', 'percentile', 'asinh']);
export type StretchKind = z.infer<typeof StretchKindSchema>;

const BandIndexSchema = z.int().min(0).max(1023);

/** A stretch, and which bands show as red, green and blue ([k]: band k in grey; null: grey for one band, bands 1–3 as RGB otherwise). */
export const DisplaySettingsSchema = z.strictObject({
  stretch: StretchKindSchema,
  bands: z.union([z.tuple([BandIndexSchema]), z.tuple([BandIndexSchema, BandIndexSchema, BandIndexSchema])]).nullable(),
});
export type DisplaySettings = z.infer<typeof DisplaySettingsSchema>;

/** A PNG file, base64-encoded (no data: prefix). */
const PngBase64Schema = z.string().max(16 * 1024 * 1024);
const ThumbnailSizeSchema = z.int().min(16).max(512);

export const ImageFactsSchema = z.object({
  width: z.int().positive(),
  height: z.int().positive(),
  channels: z.int().positive(),
  /** FITS BITPIX convention: 8, 16, 32 for integers, -32 and -64 for floats. */
  bitDepth: z.int(),
});
export type ImageFacts = z.infer<typeof ImageFactsSchema>;

export const ThumbnailSchema = z.object({
  file: z.string(),
  png: PngBase64Schema.nullable(),
  /** Why there is no image, in the reader's words (corrupt PNG, missing file, …). */
  error: z.string().nullable(),
  facts: ImageFactsSchema.nullable(),
});
export type Thumbnail = z.infer<typeof ThumbnailSchema>;

const CountSchema = z.int().nonnegative();

/** Every file of a dataset decoded once: what is readable, in which shapes and bit depths, and why the rest is not. */
export const DatasetInspectionSchema = z.object({
  datasetId: DatasetIdSchema,
  fileCount: CountSchema,
  readableCount: CountSchema,
  /** Files by lower-case extension without the dot. */
  countsByExtension: z.record(z.string(), CountSchema),
  /** Files that have a label from the labels CSV. */
  labelledCount: CountSchema,
  problems: z.array(z.object({ file: z.string(), reason: z.string() })),
  /** Readable files per shape, most common first. */
  shapes: z.array(z.object({ width: z.int().positive(), height: z.int().positive(), channels: z.int().positive(), count: CountSchema })),
  bitDepths: z.array(z.object({ bitDepth: z.int(), count: CountSchema })),
  inspectedAt: z.string(),
});
export type DatasetInspection = z.infer<typeof DatasetInspectionSchema>;

export const ConfigDefaultsSchema = z.object({
  /** Every constant of method.md with its default. */
  defaults: z.record(z.string(), z.json()),
  /** One line of documentation per constant. */
  help: z.record(z.string(), z.string()),
  /** The methods runs:start accepts. */
  methods: z.array(z.string()),
  /** The constants a run may override (the others are shown with their defaults). */
  overridable: z.array(z.string()),
  /** The pixel baselines baselines:run offers (scored without training). */
  baselines: z.array(z.string()),
});
export type ConfigDefaults = z.infer<typeof ConfigDefaultsSchema>;

export const ReconstructionsSchema = z.object({
  /** Epochs finished by the checkpoint the images come from; null before the first checkpoint. */
  epochs: CountSchema.nullable(),
  items: z.array(z.object({ index: CountSchema, file: z.string(), original: PngBase64Schema, reconstruction: PngBase64Schema })),
});
export type Reconstructions = z.infer<typeof ReconstructionsSchema>;

export const NeighborsSchema = z.object({
  k: CountSchema,
  /** The item's score: the mean of the distances below (method.md §7). */
  score: z.number().nullable(),
  /** The k nearest training (normal) items in latent space, nearest first. */
  neighbors: z.array(z.object({ index: CountSchema, file: z.string(), label: z.string().nullable(), distance: z.number().nonnegative() })),
  /** Why there are no neighbours, when there are none. */
  unavailableReason: z.string().nullable(),
});
export type Neighbors = z.infer<typeof NeighborsSchema>;

export const BaselineMethodSchema = z.enum(['pixel-knn', 'pixel-iforest']);

export const ItemSortKeySchema = z.enum(['rank', 'score', 'label', 'file', 'index']);

export const JobProgressSchema = z.object({
  jobId: JobIdSchema,
  /** What the job is doing: 'listing', 'hashing', 'decoding', … */
  phase: z.string().max(200),
  done: CountSchema,
  total: CountSchema,
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

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

  /** Every constant of method.md with its default and documentation, and what a run may override. */
  'app:config-defaults': { request: z.undefined(), response: ConfigDefaultsSchema },
  /** Electron only: the system's folder dialog. null when the user cancelled. */
  'dialog:open-folder': {
    request: z.strictObject({ title: z.string().max(200).optional() }),
    response: z.object({ path: z.string().nullable() }),
  },
  /** Electron only: the system's open-file dialog, limited to the given extensions. */
  'dialog:open-file': {
    request: z.strictObject({ title: z.string().max(200).optional(), extensions: z.array(z.string().regex(/^[A-Za-z0-9]{1,10}$/)).min(1).max(10) }),
    response: z.object({ path: z.string().nullable() }),
  },
  /**
   * datasets:scan plus one decode of every file (to list each unreadable file with its reason, and
   * the shapes and bit depths), reporting jobs:progress under `jobId`; jobs:cancel stops it.
   */
  'datasets:import': {
    request: z.strictObject({ path: FileSystemPathSchema, labelsCsv: FileSystemPathSchema.optional(), jobId: JobIdSchema }),
    response: z.object({ summary: DatasetSummarySchema, inspection: DatasetInspectionSchema }),
  },
  /** The inspection of the dataset's last import, or null when it was never imported here. */
  'datasets:inspection': { request: z.strictObject({ datasetId: DatasetIdSchema }), response: DatasetInspectionSchema.nullable() },
  /** Cancels a long action started with a jobId; false when it is not running (any more). */
  'jobs:cancel': { request: z.strictObject({ jobId: JobIdSchema }), response: z.object({ jobId: JobIdSchema, cancelled: z.boolean() }) },
  /** Thumbnails of dataset files, drawn with a stretch and band → RGB mapping. */
  'images:thumbnails': {
    request: z.strictObject({
      datasetId: DatasetIdSchema,
      files: z.array(DatasetFileNameSchema).min(1).max(64),
      size: ThumbnailSizeSchema,
      display: DisplaySettingsSchema,
    }),
    response: z.object({ thumbnails: z.array(ThumbnailSchema) }),
  },
  /** Each band of one file as a grey image, with the given stretch. */
  'images:bands': {
    request: z.strictObject({ datasetId: DatasetIdSchema, file: DatasetFileNameSchema, size: ThumbnailSizeSchema, stretch: StretchKindSchema }),
    response: z.object({ facts: ImageFactsSchema, bands: z.array(PngBase64Schema).max(64) }),
  },
  /** A run's items sorted by any column (runs:items sorts by rank or index only). */
  'runs:items-sorted': {
    request: z.strictObject({
      runId: RunIdSchema,
      ...PageSchema,
      sortBy: ItemSortKeySchema.default('rank'),
      direction: z.enum(['asc', 'desc']).default('asc'),
      split: z.enum(['train', 'test']).optional(),
    }),
    response: z.object({ total: z.int().nonnegative(), items: z.array(RunItemSchema) }),
  },
  /** Items (given, or `count` spread over the dataset) and their reconstructions by the run's latest checkpoint. */
  'runs:reconstructions': {
    request: z.strictObject({ runId: RunIdSchema, indexes: z.array(z.int().nonnegative()).min(1).max(12).optional(), count: z.int().min(1).max(12).optional() }),
    response: ReconstructionsSchema,
  },
  /** The k nearest normal (training) items of an item in latent space: the distances behind its score. */
  'runs:neighbors': {
    request: z.strictObject({ runId: RunIdSchema, index: z.int().nonnegative(), k: z.int().min(1).max(100).optional() }),
    response: NeighborsSchema,
  },
  /**
   * A pixel baseline (k-NN or Isolation Forest on normalized pixels, split and normalized as training
   * would): scored at once, without the training queue, and recorded as a finished run. Reports
   * jobs:progress under `jobId`; jobs:cancel stops it.
   */
  'baselines:run': {
    request: z.strictObject({
      dataset: DatasetSpecSchema,
      method: BaselineMethodSchema,
      imageSize: z.union([z.literal(32), z.literal(64), z.literal(128), z.literal(256), z.literal(512)]).default(32),
      seed: z.int().min(0).max(2 ** 32 - 1).default(100),
      knnK: z.int().min(1).max(1000).default(3),
      testFraction: z.number().min(0).max(0.9).default(0.2),
      jobId: JobIdSchema,
    }),
    response: z.object({ runId: RunIdSchema }),
  },
  /** Part 2: angle histograms, the 3-D sphere, label metrics, run comparison, score histograms (./ipc-insight.ts). */
  ...insightInvokeContract,
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
  /** Progress of a long action started with a jobId (datasets:import, …). */
  'jobs:progress': JobProgressSchema,
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
