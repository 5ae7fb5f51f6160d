/**
 * The process the crash test kills with SIGKILL: it opens the app's services on a data folder (which
 * runs startup recovery), then either sets up a finished run and a long run, or resumes the long run,
 * and meanwhile keeps writing user labels. Every fact the parent checks is printed as one JSON line,
 * and a label is acknowledged only after setLabel returned (committed).
 *
 *   node --import tsx tests/crash-training-child.ts '{"dataDir":"…","mode":"setup"}'
 */
import { z } from 'zod';
import { AppServices } from '../src/main/services/app-services';

const ArgumentsSchema = z.object({
  dataDir: z.string(),
  mode: z.enum(['setup', 'resume', 'finish']),
  runId: z.string().optional(),
  cycle: z.int().nonnegative(),
});
const args = ArgumentsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));

function report(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** Small enough that an epoch takes well under a second on two cores. */
const TINY_DEMO = { kind: 'demo', anomalyDigit: 3, trainCount: 16, testAnomalies: 4 } as const;
const TINY_CONFIG = { batchSize: 8, latentDim: 4, seed: 11 } as const;
const LABEL_DATASET_PATH = '/polaris-crash-test/labelled-images';

const services = new AppServices({ dataDir: args.dataDir, appVersion: 'crash-test', shutdownGraceMs: 30_000 });
report({ type: 'recovered', runIds: services.recoveredRunIds, statuses: Object.fromEntries(services.listRuns().map((run) => [run.runId, run.status])) });

services.events.subscribe((event, payload) => {
  if (event === 'runs:epoch' && 'logs' in payload) for (const log of payload.logs) report({ type: 'epoch', runId: payload.runId, epoch: log.epoch });
  if (event === 'runs:status' && 'status' in payload) report({ type: 'status', runId: payload.runId, status: payload.status, message: payload.message });
});

// The user keeps labelling while training runs: each acknowledged label must survive any kill.
const labelDatasetId = services.store.datasets.ensure('folder', LABEL_DATASET_PATH);
let labelNumber = 0;
const labelTimer = setInterval(() => {
  const file = `cycle-${args.cycle}/item-${labelNumber++}.png`;
  const label = labelNumber % 3 === 0 ? 'artifact' : 'anomaly';
  services.setLabel(labelDatasetId, file, label);
  report({ type: 'label', datasetId: labelDatasetId, file, label });
}, 20);

if (args.mode === 'setup') {
  const finished = services.startRun({ dataset: TINY_DEMO, overrides: { ...TINY_CONFIG, epochs: 1 } });
  const done = await services.queue.waitUntilSettled(finished.runId);
  report({ type: 'finished-run', runId: finished.runId, status: done.status, error: done.error?.message ?? null });
  const long = services.startRun({ dataset: TINY_DEMO, overrides: { ...TINY_CONFIG, epochs: 10_000 } });
  report({ type: 'long-run', runId: long.runId, runDir: services.getRun(long.runId).runDir });
} else {
  if (args.runId === undefined) throw new Error('resume and finish need a runId');
  const resumed = services.resumeRun(args.runId);
  const attempt = services.getRun(args.runId).attempts.at(-1);
  report({ type: 'resumed', runId: args.runId, status: resumed.status, fromEpoch: attempt?.fromEpoch ?? null, attempt: attempt?.attempt ?? null });
  if (args.mode === 'finish') {
    // Let the resumed run finish one epoch, then stop it the way a user would and exit cleanly.
    await new Promise<void>((resolve) => {
      const unsubscribe = services.events.subscribe((event) => {
        if (event === 'runs:epoch') {
          unsubscribe();
          resolve();
        }
      });
    });
    clearInterval(labelTimer);
    services.cancelRun(args.runId);
    const stopped = await services.queue.waitUntilSettled(args.runId);
    report({ type: 'stopped', runId: args.runId, status: stopped.status, stopReason: stopped.stopReason });
    await services.close();
    report({ type: 'closed' });
  }
}
