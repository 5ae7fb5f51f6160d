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

export const DatasetSummarySchema = z.object({
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
});
export type DatasetSummary = z.infer<typeof DatasetSummarySchema>;

export const RunStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const RunSummarySchema = z.object({
  runId: RunIdSchema,
  datasetPath: z.string(),
  status: RunStatusSchema,
  /** ISO-8601 timestamps. */
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

/**
 * Training settings a user may override for one run; anything left out takes the default.
 * Bounds are generous sanity limits, not recommendations.
 */
export const RunConfigOverridesSchema = z.strictObject({
  epochs: z.int().min(1).max(10_000).optional(),
  batchSize: z.int().min(1).max(4096).optional(),
  learningRate: z.number().positive().max(1).optional(),
  latentDim: z.int().min(1).max(1024).optional(),
  seed: z.int().min(0).max(2 ** 32 - 1).optional(),
});
export type RunConfigOverrides = z.infer<typeof RunConfigOverridesSchema>;

export const RunProgressSchema = z.object({
  runId: RunIdSchema,
  epoch: z.int().nonnegative(),
  step: z.int().nonnegative(),
  /** Named loss terms of the latest step, e.g. { total, reconstruction, kl }. */
  losses: z.record(z.string(), z.number()),
  imagesPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative(),
});
export type RunProgress = z.infer<typeof RunProgressSchema>;

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

export const invokeContract = {
  'app:info': { request: z.undefined(), response: AppInfoSchema },
  'datasets:scan': {
    request: z.strictObject({ path: FileSystemPathSchema }),
    response: DatasetSummarySchema,
  },
  'runs:list': { request: z.undefined(), response: z.array(RunSummarySchema) },
  'runs:start': {
    request: z.strictObject({ datasetPath: FileSystemPathSchema, config: RunConfigOverridesSchema.optional() }),
    response: z.object({ runId: RunIdSchema }),
  },
  'runs:cancel': {
    request: z.strictObject({ runId: RunIdSchema }),
    response: z.object({ runId: RunIdSchema, cancelled: z.boolean() }),
  },
} as const satisfies InvokeContract;

export const sendContract = {
  /** Uncaught renderer errors and warnings, written to the main process log. */
  'log:renderer': z.strictObject({ level: LogLevelSchema, message: z.string().max(10_000) }),
} as const satisfies MessageContract;

export const eventContract = {
  'runs:progress': RunProgressSchema,
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
