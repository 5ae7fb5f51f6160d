/**
 * The handler registry: one function per invoke channel and per send channel of the contract. The
 * compiler refuses a registry that misses a channel, so adding a channel to src/shared/ipc.ts points
 * straight here.
 *
 * NOT IMPLEMENTED YET: datasets:scan, runs:list, runs:start and runs:cancel answer with a
 * NotImplementedError (through the normal error envelope) until the dataset and training services
 * land in a later task; wire them to those services here, nothing else has to change.
 */
import { createRequire } from 'node:module';
import { IpcErrorNames } from '../../shared/ipc';
import type { AppInvokeHandlers, AppSendListeners } from './ipc-main';

export class NotImplementedError extends Error {
  override readonly name = IpcErrorNames.notImplemented;

  constructor(feature: string) {
    super(`${feature} is not implemented yet`);
  }
}

export interface HandlerDependencies {
  /** app.getVersion() in Electron; the package version elsewhere. */
  getVersion(): string;
  /** The TensorFlow.js backend training will use. */
  getBackend(): string;
  platform: string;
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
  return {
    'app:info': async () => ({
      version: dependencies.getVersion(),
      backend: dependencies.getBackend(),
      platform: dependencies.platform,
    }),
    'datasets:scan': async () => {
      throw new NotImplementedError('Dataset scanning');
    },
    'runs:list': async () => {
      throw new NotImplementedError('Run history');
    },
    'runs:start': async () => {
      throw new NotImplementedError('Starting a training run');
    },
    'runs:cancel': async () => {
      throw new NotImplementedError('Cancelling a training run');
    },
  };
}

export function createSendListeners(log: Pick<Console, 'info' | 'warn' | 'error'> = console): AppSendListeners {
  return {
    'log:renderer': ({ level, message }) => {
      log[level](`[renderer] ${message}`);
    },
  };
}
