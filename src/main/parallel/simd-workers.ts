/**
 * Worker threads for Polaris's WebAssembly SIMD kernels (src/ml/kernels/simd.ts), so the kernels that
 * XNNPACK does not run (the int16 k-NN dot products, the Conv2D filter gradient) use every core too.
 *
 * Only with the threaded build of tfjs-backend-wasm (wasm-threads.ts), whose heap is a shared
 * WebAssembly.Memory: each worker instantiates the same compiled module on that memory, so a call
 * on a worker reads and writes the very tensors the main thread passes by offset. The module has no
 * globals, no stack and no data (checked when it is built), so instances share nothing else.
 *
 * Hand-off: one SharedArrayBuffer per worker, [state, function, argument count] + 32 float64
 * arguments; state −1 loading, 0 idle, 1 requested, 2 done, 3 failed, 9 stop. The main thread
 * writes a call, sets 1 and notifies; the worker runs it, sets 2 (or 3) and notifies; the main
 * thread blocks in Atomics.wait for it (calls are milliseconds long). Workers are unreferenced, so
 * they never keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import { registerSimdWorkers, type SimdExports, type SimdWorkerPool } from '../../ml/kernels/simd';

const ARGUMENTS = 32;
const STATE = 0;
const FUNCTION = 1;
const COUNT = 2;
const enum State {
  Loading = -1,
  Idle = 0,
  Requested = 1,
  Done = 2,
  Failed = 3,
  Stop = 9,
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, names } = workerData;
const ctrl = new Int32Array(control, 0, 4);
const args = new Float64Array(control, 16, ${ARGUMENTS});
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((name) => instance.exports[name]);
Atomics.store(ctrl, 0, 0);
Atomics.notify(ctrl, 0);
for (;;) {
  let state = Atomics.load(ctrl, 0);
  while (state !== 1 && state !== 9) {
    Atomics.wait(ctrl, 0, state);
    state = Atomics.load(ctrl, 0);
  }
  if (state === 9) break;
  try {
    const n = ctrl[2];
    const values = new Array(n);
    for (let i = 0; i < n; i++) values[i] = args[i];
    fns[ctrl[1]](...values);
    Atomics.store(ctrl, 0, 2);
  } catch (error) {
    console.error('Polaris SIMD worker:', error);
    Atomics.store(ctrl, 0, 3);
  }
  Atomics.notify(ctrl, 0);
}
`;

class WorkerPool implements SimdWorkerPool {
  readonly size: number;
  private readonly controls: Int32Array[] = [];
  private readonly arguments: Float64Array[] = [];
  private readonly workers: Worker[] = [];

  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    private readonly names: readonly string[],
    threads: number,
  ) {
    for (let t = 0; t < threads; t++) {
      const control = new SharedArrayBuffer(16 + 8 * ARGUMENTS);
      const state = new Int32Array(control, 0, 4);
      state[STATE] = State.Loading;
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, names: [...names] } });
      worker.unref();
      worker.on('error', (error) => {
        console.error('Polaris SIMD worker failed:', error);
        Atomics.store(state, STATE, State.Failed);
        Atomics.notify(state, STATE);
      });
      this.controls.push(state);
      this.arguments.push(new Float64Array(control, 16, ARGUMENTS));
      this.workers.push(worker);
    }
    this.size = threads;
  }

  start(index: number, name: keyof SimdExports, args: readonly number[]): void {
    const control = this.controls[index] as Int32Array;
    let state = Atomics.load(control, STATE);
    while (state === State.Loading) {
      Atomics.wait(control, STATE, State.Loading, 10_000);
      state = Atomics.load(control, STATE);
    }
    if (state !== State.Idle) throw new Error(`SIMD worker ${index} is not idle (state ${state})`);
    const fn = this.names.indexOf(name);
    if (fn < 0 || args.length > ARGUMENTS) throw new Error(`SIMD worker: cannot call ${name} with ${args.length} arguments`);
    (this.arguments[index] as Float64Array).set(args);
    control[FUNCTION] = fn;
    control[COUNT] = args.length;
    Atomics.store(control, STATE, State.Requested);
    Atomics.notify(control, STATE);
  }

  wait(index: number): void {
    const control = this.controls[index] as Int32Array;
    let state = Atomics.load(control, STATE);
    while (state === State.Requested) {
      Atomics.wait(control, STATE, State.Requested);
      state = Atomics.load(control, STATE);
    }
    Atomics.store(control, STATE, State.Idle);
    if (state !== State.Done) throw new Error(`SIMD worker ${index} failed`);
  }

  stop(): void {
    for (const control of this.controls) {
      Atomics.store(control, STATE, State.Stop);
      Atomics.notify(control, STATE);
    }
  }
}

let enabled = false;

/** Lets the SIMD kernels use worker threads with the threaded wasm build (idempotent). */
export function enableSimdWorkers(): void {
  if (enabled) return;
  registerSimdWorkers((module, memory, names, threads) => (threads > 0 ? new WorkerPool(module, memory, names, threads) : null));
  enabled = true;
}
