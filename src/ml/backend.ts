/**
 * Picks the fastest TensorFlow.js backend that loads: tfjs-node-gpu (CUDA), tfjs-node (native
 * TensorFlow), wasm (XNNPACK with SIMD), cpu (pure JavaScript). The native packages are optional
 * dependencies: where they cannot install (no libtensorflow download, as on offline machines) the
 * next one is used. POLARIS_BACKEND forces one (node-gpu | node | wasm | cpu).
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the umbrella package's Node bundle registers them all.
import '@tensorflow/tfjs';
import { installConvolutionGradients } from './kernels/conv2d-gradient';
import { installKernels } from './kernels/index';

export type BackendChoice = 'node-gpu' | 'node' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['node-gpu', 'node', 'wasm', 'cpu'];

export interface BackendInfo {
  /** What was asked for: a choice or 'auto'. */
  requested: BackendChoice | 'auto';
  /** The tfjs backend name in use: tensorflow, wasm or cpu. */
  name: string;
  choice: BackendChoice;
  /** Why faster ones were not used. */
  skipped: { choice: BackendChoice; reason: string }[];
  simd?: boolean;
  /** XNNPACK threads of the wasm backend (1 unless a WasmThreading hook loaded the threaded build). */
  threads?: number;
}

/**
 * How a platform loads the threaded wasm build (src/main/parallel/wasm-threads.ts does it for Node,
 * where it needs node:worker_threads, which this layer may not import).
 */
export interface WasmThreading {
  /** Threads to use; 1 keeps the single-threaded build. */
  threads(): number;
  /** Prepares the platform right before tf.setBackend('wasm'); returns the undo of temporary patches. */
  beforeInit(threads: number): Promise<() => void>;
  /** Called with the Emscripten module once the backend is up. */
  afterInit?(module: unknown): void;
  /** Undoes the setup after a failed threaded start, so the single-threaded build loads instead. */
  singleThreaded?(): Promise<void>;
}

let wasmThreading: WasmThreading | null = null;

/** Registers the platform's way to load the threaded wasm build; takes effect at the next initBackend. */
export function registerWasmThreading(threading: WasmThreading | null): void {
  wasmThreading = threading;
}

const loaders: Record<BackendChoice, () => Promise<string>> = {
  // tfjs-node(-gpu) register the 'tensorflow' backend when imported.
  'node-gpu': async () => {
    await import(/* @vite-ignore */ '@tensorflow/tfjs-node-gpu' as string);
    return 'tensorflow';
  },
  node: async () => {
    await import(/* @vite-ignore */ '@tensorflow/tfjs-node' as string);
    return 'tensorflow';
  },
  wasm: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    return 'wasm';
  },
  cpu: async () => {
    await import('@tensorflow/tfjs-backend-cpu');
    return 'cpu';
  },
};

let active: BackendInfo | null = null;

export function parseBackendChoice(value: string | undefined): BackendChoice | 'auto' {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  const normalized = value.toLowerCase().replace(/^tfjs-/, '');
  const aliases: Record<string, BackendChoice> = { tensorflow: 'node', gpu: 'node-gpu', 'node-gpu': 'node-gpu', node: 'node', wasm: 'wasm', cpu: 'cpu' };
  const choice = aliases[normalized];
  if (!choice) throw new RangeError(`Unknown backend "${value}": use one of auto, ${BACKEND_CHOICES.join(', ')}`);
  return choice;
}

/**
 * Initialises the backend once per process (or thread). `requested` defaults to the POLARIS_BACKEND
 * environment variable, else 'auto'. A forced backend that cannot load is an error, not a fallback.
 */
export async function initBackend(requested?: BackendChoice | 'auto'): Promise<BackendInfo> {
  const want = requested ?? parseBackendChoice(readEnvironment('POLARIS_BACKEND'));
  if (active && (want === 'auto' || want === active.choice)) return active;
  installConvolutionGradients();
  const candidates = want === 'auto' ? BACKEND_CHOICES : [want];
  const skipped: BackendInfo['skipped'] = [];
  for (const choice of candidates) {
    try {
      const name = await loaders[choice]();
      let threads = name === 'wasm' && wasmThreading ? Math.max(1, Math.floor(wasmThreading.threads())) : 1;
      if (threads > 1 && wasmThreading) {
        const undo = await wasmThreading.beforeInit(threads);
        let started = false;
        try {
          started = await tf.setBackend(name);
        } catch {
          started = false;
        } finally {
          undo();
        }
        if (!started) {
          // The threaded build did not start: the single-threaded one still can.
          skipped.push({ choice, reason: 'threaded wasm build failed to start; using one thread' });
          await wasmThreading.singleThreaded?.();
          threads = 1;
        }
      }
      if (tf.getBackend() !== name || threads === 1) {
        if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
      }
      await tf.ready();
      await installKernels();
      active = { requested: want, name, choice, skipped };
      if (name === 'wasm') {
        active.simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
        const module = (tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } }).wasm;
        active.threads = module?.tfjs?.getThreadsCount?.() ?? 1;
        if (threads > 1) wasmThreading?.afterInit?.(module);
      }
      return active;
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
      skipped.push({ choice, reason });
      if (want !== 'auto') throw new Error(`Backend "${choice}" (forced by POLARIS_BACKEND or --backend) could not load: ${reason}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could load: ${skipped.map((s) => `${s.choice}: ${s.reason}`).join('; ')}`);
}

export function activeBackend(): BackendInfo | null {
  return active;
}

export function describeBackend(info: BackendInfo): string {
  const threads = info.threads ?? 1;
  const extra = info.choice === 'wasm' ? ` (SIMD ${info.simd ? 'on' : 'off'}, ${threads} thread${threads === 1 ? '' : 's'})` : '';
  return `${info.choice}${extra}`;
}

function readEnvironment(name: string): string | undefined {
  const globalProcess = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return globalProcess?.env?.[name];
}
