/**
 * Starts training jobs in worker threads and turns a worker's life into one promise: how the job
 * ended. A worker that dies without saying so (an uncaught error, terminate(), out of memory)
 * ends as 'crashed'; the run queue decides what that means for the run.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { IpcError } from '../../shared/ipc';
import {
  type MainToWorkerMessage,
  type TrainJobRequest,
  type TrainingWorkerData,
  type WorkerProgressMessage,
  WorkerToMainMessageSchema,
} from './worker-protocol';

export type JobEnd =
  | { kind: 'finished'; status: 'done' | 'interrupted' | 'failed'; epochsCompleted: number }
  | { kind: 'failed'; error: IpcError }
  /** The worker ended without a final message (it threw outside the job, or was terminated). */
  | { kind: 'crashed'; error: IpcError };

export interface TrainingJob {
  /** Asks the job to stop after its current batch; it then ends 'interrupted' and can be resumed. */
  requestStop(): void;
  /** Ends the worker at once (shutdown, when a graceful stop takes too long). */
  terminate(): Promise<void>;
  /** Settles once, when the job has ended; never rejects. */
  readonly ended: Promise<JobEnd>;
}

export type JobRunner = (request: TrainJobRequest, onProgress: (message: WorkerProgressMessage) => void) => TrainingJob;

/** The script a worker starts with, and the TypeScript entry it loads when running from source. */
export interface WorkerEntry {
  script: string;
  tsEntry?: string;
}

/**
 * The worker entry next to this module: the compiled training-worker.js in a build, or the tsx
 * bootstrap plus training-worker.ts when running from source. The Electron build passes the path
 * electron-vite emitted instead (see src/main/index.ts).
 */
export function defaultWorkerEntry(moduleUrl: string = import.meta.url): WorkerEntry {
  const modulePath = fileURLToPath(moduleUrl);
  if (modulePath.endsWith('.ts')) {
    return {
      script: fileURLToPath(new URL('./training-worker-bootstrap.mjs', moduleUrl)),
      tsEntry: pathToFileURL(fileURLToPath(new URL('./training-worker.ts', moduleUrl))).href,
    };
  }
  const compiled = fileURLToPath(new URL('./training-worker.js', moduleUrl));
  if (!existsSync(compiled)) throw new Error(`Training worker not found at ${compiled}; pass the worker entry explicitly`);
  return { script: compiled };
}

export function createWorkerJobRunner(entry: WorkerEntry = defaultWorkerEntry()): JobRunner {
  return (request, onProgress) => {
    const data: TrainingWorkerData = { request, ...(entry.tsEntry === undefined ? {} : { entry: entry.tsEntry }) };
    const worker = new Worker(entry.script, { workerData: data });
    let final: JobEnd | null = null;
    let settle: (end: JobEnd) => void = () => undefined;
    const ended = new Promise<JobEnd>((resolve) => {
      settle = resolve;
    });

    worker.on('message', (raw: unknown) => {
      const parsed = WorkerToMainMessageSchema.safeParse(raw);
      if (!parsed.success) {
        console.warn(`[training] ignored a malformed worker message: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`);
        return;
      }
      const message = parsed.data;
      if (message.type === 'finished') {
        final = { kind: 'finished', status: message.status, epochsCompleted: message.epochsCompleted };
        void worker.terminate(); // its job is over; do not wait for stray handles to close
      } else if (message.type === 'failed') {
        final = { kind: 'failed', error: message.error };
        void worker.terminate();
      } else {
        onProgress(message);
      }
    });
    let workerError: IpcError | null = null;
    worker.on('error', (error: Error) => {
      workerError = { name: error.name, message: error.message };
    });
    worker.on('exit', (code) => {
      settle(final ?? { kind: 'crashed', error: workerError ?? { name: 'WorkerExitError', message: `The training worker exited (code ${code}) before the job finished` } });
    });

    return {
      requestStop: () => {
        const message: MainToWorkerMessage = { type: 'stop' };
        worker.postMessage(message);
      },
      terminate: async () => {
        await worker.terminate();
      },
      ended,
    };
  };
}
