/**
 * Entry point of a training worker thread: runs one train job (./train-job.ts) and reports its
 * callbacks to the main thread as messages. Training in a worker keeps the main process (and with it
 * IPC, the database and the UI) responsive while TensorFlow.js keeps a core busy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StepInfo } from '../../ml/train';
import { toIpcError } from '../ipc/dispatch';
import { ProgressThrottle } from './progress-throttle';
import { runTrainJob } from './train-job';
import { MainToWorkerMessageSchema, TrainingWorkerDataSchema, type WorkerToMainMessage } from './worker-protocol';

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('training-worker must run in a worker thread');
  const post = (message: WorkerToMainMessage): void => port.postMessage(message);

  const parsed = TrainingWorkerDataSchema.safeParse(workerData);
  if (!parsed.success) {
    post({ type: 'failed', error: { name: 'InvalidJobError', message: `Invalid training job: ${parsed.error.issues[0]?.message ?? 'unknown problem'}` } });
    return;
  }
  const { request } = parsed.data;

  let stopRequested = false;
  port.on('message', (message: unknown) => {
    const command = MainToWorkerMessageSchema.safeParse(message);
    if (command.success && command.data.type === 'stop') stopRequested = true;
  });

  // Throttled here as well as in main: fewer messages to clone when batches are very fast.
  const batches = new ProgressThrottle<StepInfo>((info) => post({ type: 'batch', info }));
  const loading = new ProgressThrottle<{ done: number; total: number }>((progress) => post({ type: 'load-progress', ...progress }));
  try {
    const result = await runTrainJob({
      dataset: request.dataset,
      runDir: request.runDir,
      overrides: request.overrides,
      resume: request.resume,
      testFraction: request.testFraction,
      runId: request.runId,
      appVersion: request.appVersion,
      callbacks: {
        onStatus: (status, message) => {
          loading.flush();
          post({ type: 'status', status, message });
        },
        onBackend: (info) => post({ type: 'backend', choice: info.choice, name: info.name }),
        onLoadProgress: (done, total) => loading.push({ done, total }),
        onBatchEnd: (info) => batches.push(info),
        onEpochEnd: (log) => {
          batches.flush();
          post({ type: 'epoch', log });
        },
        shouldStop: () => stopRequested,
      },
    });
    batches.cancel();
    post({ type: 'finished', status: result.status === 'done' ? 'done' : result.status === 'interrupted' ? 'interrupted' : 'failed', epochsCompleted: result.epochsCompleted });
  } catch (error) {
    batches.cancel();
    post({ type: 'failed', error: toIpcError(error) });
  } finally {
    loading.cancel();
  }
}

void main();
