/**
 * The handler registry: one function per invoke channel and per send channel of the contract. The
 * compiler refuses a registry that misses a channel, so adding a channel to src/shared/ipc.ts points
 * straight here. Handlers receive payloads already validated by ./dispatch and only translate them
 * into calls on the services (../services/app-services.ts); their answers are validated again there.
 * Electron's ipcMain and the WebSocket server (`polaris serve`) both serve this same table.
 */
import { createRequire } from 'node:module';
import type { AppServices } from '../services/app-services';
import { UiServices } from '../services/ui-services';
import type { AppInvokeHandlers, AppSendListeners } from './handler-types';
import { createInsightHandlers } from './insight-handlers';

/** The service calls the handlers make; AppServices provides them. */
export type HandlerServices = Pick<
  AppServices,
  | 'scanDataset'
  | 'listDatasets'
  | 'datasetFiles'
  | 'listRuns'
  | 'getRun'
  | 'startRun'
  | 'cancelRun'
  | 'resumeRun'
  | 'runEpochs'
  | 'runItems'
  | 'runItem'
  | 'importRun'
  | 'setLabel'
  | 'listLabels'
  // The UI services (../services/ui-services.ts) read the same store and report on the same event hub.
  | 'store'
  | 'events'
>;

export interface HandlerDependencies {
  /** app.getVersion() in Electron; the package version elsewhere. */
  getVersion(): string;
  /** The TensorFlow.js backend training will use. */
  getBackend(): string;
  platform: string;
  services: HandlerServices;
  /**
   * The system's file dialogs: only the Electron entry passes them (electron's dialog module). Without
   * them (`polaris serve`, tests) dialog:* answers that paths must be typed.
   */
  dialogs?: FileDialogs;
}

export interface FileDialogs {
  openFolder(title: string | undefined): Promise<string | null>;
  openFile(title: string | undefined, extensions: readonly string[]): Promise<string | null>;
}

export class NoDialogError extends Error {
  override readonly name = 'NoDialogError';
}

function noDialogs(): never {
  throw new NoDialogError('There is no file dialog here (the page runs in a browser): type the full path instead');
}

/**
 * Guesses the backend from what is installed, strongest first, until the ML service reports the one
 * it actually initialised. Resolving does not load the native addon, so this is cheap and safe.
 */
export function detectInstalledBackend(resolveFrom: string = import.meta.url): string {
  const require = createRequire(resolveFrom);
  const candidates: ReadonlyArray<[packageName: string, backend: string]> = [
    ['@tensorflow/tfjs-node-gpu', 'tensorflow-gpu'],
    ['@tensorflow/tfjs-node', 'tensorflow'],
    ['@tensorflow/tfjs-backend-wasm', 'wasm'],
  ];
  for (const [packageName, backend] of candidates) {
    try {
      require.resolve(packageName);
      return backend;
    } catch {
      // Not installed: try the next one.
    }
  }
  return 'cpu';
}

export function createInvokeHandlers(dependencies: HandlerDependencies): AppInvokeHandlers {
  const { services } = dependencies;
  // Created on first use: a table that never serves a UI channel never opens these caches.
  let uiServices: UiServices | null = null;
  const ui = (): UiServices => (uiServices ??= new UiServices({ store: services.store, events: services.events }));
  return {
    'app:info': async () => ({
      version: dependencies.getVersion(),
      backend: dependencies.getBackend(),
      platform: dependencies.platform,
    }),
    'datasets:scan': ({ path, labelsCsv }) => services.scanDataset(path, labelsCsv),
    'datasets:list': async () => services.listDatasets(),
    'datasets:files': async ({ datasetId, offset, limit }) => services.datasetFiles(datasetId, offset, limit),
    'runs:list': async () => services.listRuns(),
    'runs:get': async ({ runId }) => services.getRun(runId),
    'runs:start': async ({ dataset, config, testFraction }) =>
      services.startRun({ dataset, overrides: config ?? {}, ...(testFraction === undefined ? {} : { testFraction }) }),
    'runs:cancel': async ({ runId }) => services.cancelRun(runId),
    'runs:resume': async ({ runId }) => services.resumeRun(runId),
    'runs:epochs': async ({ runId }) => services.runEpochs(runId),
    'runs:items': async (query) => services.runItems(query),
    'runs:item': async ({ runId, index }) => services.runItem(runId, index),
    'runs:import': async ({ path }) => services.importRun(path),
    'labels:set': async ({ datasetId, file, label }) => services.setLabel(datasetId, file, label),
    'labels:list': async ({ datasetId }) => services.listLabels(datasetId),
    'app:config-defaults': async () => ui().configDefaults(),
    'dialog:open-folder': async ({ title }) => ({ path: await (dependencies.dialogs ?? { openFolder: noDialogs }).openFolder(title) }),
    'dialog:open-file': async ({ title, extensions }) => ({ path: await (dependencies.dialogs ?? { openFile: noDialogs }).openFile(title, extensions) }),
    'datasets:import': async ({ path, labelsCsv, jobId }) => ui().importDataset(path, labelsCsv, jobId),
    'datasets:inspection': async ({ datasetId }) => ui().inspection(datasetId),
    'jobs:cancel': async ({ jobId }) => ui().cancelJob(jobId),
    'images:thumbnails': async ({ datasetId, files, size, display }) => ui().thumbnails(datasetId, files, size, display),
    'images:bands': async ({ datasetId, file, size, stretch }) => ui().bands(datasetId, file, size, stretch),
    'runs:items-sorted': async (query) => ui().sortedItems(query),
    'runs:reconstructions': async ({ runId, indexes, count }) => ui().reconstructions(runId, indexes, count),
    'runs:neighbors': async ({ runId, index, k }) => ui().neighbors(runId, index, k),
    'baselines:run': async ({ jobId, ...request }) => ui().runBaseline(request, jobId),
    ...createInsightHandlers(services),
  };
}

export function createSendListeners(log: Pick<Console, 'info' | 'warn' | 'error'> = console): AppSendListeners {
  return {
    'log:renderer': ({ level, message }) => {
      log[level](`[renderer] ${message}`);
    },
  };
}
