/**
 * Loads the TypeScript worker entry through tsx when Polaris runs from source (tests, `polaris` via
 * tsx). Node 20 does not apply the parent's --import hooks to worker threads, so each worker registers
 * tsx itself before importing the entry named in workerData. Built apps start the compiled entry directly.
 */
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
