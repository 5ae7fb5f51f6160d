/**
 * Multithreaded XNNPACK for the 'wasm' backend under Node.
 *
 * @tensorflow/tfjs-backend-wasm ships a threaded SIMD build (tfjs-backend-wasm-threaded-simd.wasm,
 * Emscripten pthreads on a shared WebAssembly.Memory) but never loads it in Node
 * (tensorflow/tfjs#3830): the WASM_HAS_MULTITHREAD_SUPPORT flag returns false there, the pthread
 * worker script is handed to `new Worker()` as a blob: URL that node:worker_threads cannot load,
 * and the compiled-in cap of threads = logical cores / 2 leaves one thread on a 2-core machine.
 * The Emscripten glue itself supports Node (it uses node:worker_threads when it detects Node).
 * This module closes the three gaps, for the duration of the wasm backend's initialisation only:
 *
 * 1. sets WASM_HAS_MULTITHREAD_SUPPORT to true and the XNNPACK thread count (setThreadsCount);
 * 2. routes the glue's `new Worker(blobUrl)` to a node:worker_threads Worker evaluating the same
 *    worker script (the package's wasm-out/*.worker.js), whose importScripts of the main script
 *    blob loads the package's wasm-out/tfjs-backend-wasm-threaded-simd.js (the same Emscripten
 *    module the bundle embeds);
 * 3. reports 2 × threads logical cores to the glue while it starts, so the cap allows `threads`;
 * and afterwards unreferences the pool threads so that they do not keep the process alive.
 *
 * XNNPACK splits each operator's output tiles between the threads; the arithmetic of every output
 * element is unchanged, so results are identical to the single-threaded build.
 *
 * It lives in src/main because it needs node:worker_threads; src/ml/backend.ts only calls the hook
 * that `enableWasmThreads()` registers. POLARIS_WASM_THREADS=1 turns it off.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker as NodeWorker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmThreading, type WasmThreading } from '../../ml/backend';

const require = createRequire(import.meta.url);
/** The glue preallocates 8 pthread workers and XNNPACK's pool is capped at 8 threads. */
const MAX_THREADS = 8;

interface EmscriptenWorker {
  unref?: () => void;
}

interface PthreadModule {
  PThread?: { runningWorkers: EmscriptenWorker[]; unusedWorkers: EmscriptenWorker[] };
}

/** The number of threads to use: POLARIS_WASM_THREADS, else every core (at most 8). */
export function defaultWasmThreads(): number {
  const forced = Number.parseInt(process.env.POLARIS_WASM_THREADS ?? '', 10);
  if (Number.isInteger(forced) && forced >= 1) return Math.min(forced, MAX_THREADS);
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, MAX_THREADS));
}

function packageDirectory(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/** The pthread worker script with its blob importScripts redirected to the package's glue file. */
function workerSource(): string {
  const directory = packageDirectory();
  const glue = path.join(directory, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const module = require(path.join(directory, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The exported template literal holds real newlines inside string literals; escape them back as the
  // package itself does before making a Blob of it.
  const contents = module.wasmWorkerContents.replace(/\n/g, '\\n');
  const redirect =
    ';(function(){var fs=require("fs");var load=global.importScripts;' +
    `global.importScripts=function(f){if(typeof f==="string"&&f.indexOf("blob:")===0){(0,eval)(fs.readFileSync(${JSON.stringify(glue)},"utf8"));return}return load(f)}})();`;
  return contents + redirect;
}

const nodeWasmThreading: WasmThreading = {
  threads: defaultWasmThreads,
  async beforeInit(threads: number) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    const source = workerSource();
    class PthreadWorker extends NodeWorker {
      constructor() {
        super(source, { eval: true });
      }
    }
    const globals = globalThis as Record<string, unknown>;
    const previousWorker = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
    // The glue assigns global.Worker = worker_threads.Worker before creating its pool: keep ours.
    Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => undefined });
    const cpus = os.cpus;
    const first = cpus()[0];
    (os as { cpus: typeof os.cpus }).cpus = () => new Array(2 * threads).fill(first);
    return () => {
      (os as { cpus: typeof os.cpus }).cpus = cpus;
      if (previousWorker) Object.defineProperty(globalThis, 'Worker', previousWorker);
      else delete globals.Worker;
    };
  },
  async singleThreaded() {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount(1);
  },
  afterInit(module: unknown) {
    const pthread = (module as PthreadModule).PThread;
    for (const worker of [...(pthread?.runningWorkers ?? []), ...(pthread?.unusedWorkers ?? [])]) worker.unref?.();
  },
};

let enabled = false;

/** Makes initBackend() load the threaded wasm build (idempotent). Call before the first initBackend. */
export function enableWasmThreads(): void {
  if (enabled) return;
  registerWasmThreading(nodeWasmThreading);
  enabled = true;
}
