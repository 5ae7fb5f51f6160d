/**
 * `npm run bench`: the performance figures of the Comp.VAE engine, against PyTorch (CPU) and
 * scikit-learn running the same work in the same run (bench/reference.py) where Debian's
 * python3-torch / python3-sklearn are installed for /usr/bin/python3.
 *
 *   train    full Comp.VAE training step of method.md §8 (encoder + decoder updates, n = 128,
 *            batch 32, C = 3) at 32×32 and 64×64: images/s from the median step time of
 *            CompVaeTrainer.fit; at 64×64 also the peak resident memory and the tensor count
 *            across 100 steps
 *   encode   encoder alone (eval mode, batches of 256): images/s
 *   loss     hyperspherical divergence vs the standard per-sample KL at n = 200 (batch 32,
 *            forward + backward), and the training-step overhead of the former (32×32, comp vs vae)
 *   knn      exact k = 3 nearest-neighbour scores of 20k queries against a 50k bank at n = 128
 *   iforest  Isolation Forest (100 trees, ψ = 256) fit + score on 10k × 4096
 *
 * Each reference figure is measured twice, right before and right after Polaris's, and the faster
 * run is kept (the machine may be shared; this errs in the reference's favour). A full run also
 * measures training with one wasm thread (child process), since on a busy machine one thread can
 * beat two.
 *
 * Options: --only train,encode,… · --size 32 (or 32,64) · --json (one JSON object per figure, no
 * table) · --threads N (XNNPACK threads of the wasm backend; default: every core) ·
 * --no-reference · --reference-threads N (default 2) · --quick (fewer steps, for a smoke run) ·
 * --out FILE (default bench/results.json when every task runs; never written with --only).
 * Prints the machine, the backend, the load average, a table and the Polaris/reference ratios.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { enableSimdWorkers } from '../src/main/parallel/simd-workers';
import { defaultWasmThreads, enableWasmThreads } from '../src/main/parallel/wasm-threads';
import { type BackendInfo, describeBackend, initBackend } from '../src/ml/backend';
import { type CompVaeConfig, resolveConfig } from '../src/ml/config';
import { IsolationForestDetector } from '../src/ml/detectors/iforest';
import { KnnDetector } from '../src/ml/detectors/knn';
import { hypersphericalDivergence, perSampleKl } from '../src/ml/losses';
import { createMatrix, type Matrix } from '../src/ml/matrix';
import { Rng } from '../src/ml/rng';
import { CompVaeTrainer } from '../src/ml/train';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';
const TASKS = ['train', 'encode', 'loss', 'knn', 'iforest'] as const;
type Task = (typeof TASKS)[number];

interface Options {
  only: Set<Task>;
  partial: boolean;
  sizes: number[];
  json: boolean;
  reference: boolean;
  referenceThreads: number;
  threads: number | null;
  quick: boolean;
  out: string | null;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    only: new Set(TASKS),
    partial: false,
    sizes: [32, 64],
    json: false,
    reference: true,
    referenceThreads: 2,
    threads: null,
    quick: false,
    out: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--only') {
      const tasks = value().split(',').filter(Boolean);
      for (const task of tasks) if (!(TASKS as readonly string[]).includes(task)) throw new Error(`--only: unknown task "${task}" (${TASKS.join(', ')})`);
      options.only = new Set(tasks as Task[]);
      options.partial = true;
    } else if (arg === '--size' || arg === '--sizes') {
      options.sizes = value().split(',').map(Number);
      if (options.sizes.some((s) => !Number.isInteger(s) || s < 32)) throw new Error('--size: 32·2^k pixels');
      options.partial = true;
    } else if (arg === '--json') options.json = true;
    else if (arg === '--no-reference') options.reference = false;
    else if (arg === '--reference-threads') options.referenceThreads = Number(value());
    else if (arg === '--threads') options.threads = Number(value());
    else if (arg === '--quick') {
      options.quick = true;
      options.partial = true;
    } else if (arg === '--out') options.out = value();
    else if (arg === '--help' || arg === '-h') {
      console.log('npm run bench -- [--only train,encode,loss,knn,iforest] [--size 32,64] [--json] [--threads N] [--no-reference] [--reference-threads N] [--quick] [--out FILE]');
      process.exit(0);
    } else throw new Error(`Unknown option ${arg} (see --help)`);
  }
  if (!options.out && !options.partial) options.out = path.join(ROOT, 'bench', 'results.json');
  return options;
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

interface Figure {
  /** Stable id, e.g. train-32. */
  id: string;
  label: string;
  unit: string;
  value: number;
  /** 'higher' (throughput) or 'lower' (time) is better. */
  better: 'higher' | 'lower';
  /** Set for figures whose reference is not a speed (overhead percentages): no ratio. */
  noRatio?: boolean;
  reference?: number;
  /** Polaris speed / reference speed (> 1: Polaris faster). */
  ratio?: number;
  details?: Record<string, unknown>;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const loadAverage = (): number[] => os.loadavg().map((v) => Math.round(v * 100) / 100);

function randomImages(rows: number, size: number, channels: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * size * size * channels);
  for (let i = 0; i < data.length; i++) data[i] = rng.next();
  return createMatrix(rows, size * size * channels, data);
}

function trainerConfig(size: number, overrides: Partial<CompVaeConfig> = {}): CompVaeConfig {
  return resolveConfig({ imageSize: size, channels: 3, latentDim: 128, batchSize: 32, epochs: 1, seed: 100, ...overrides });
}

interface TrainMeasurement {
  imagesPerSecond: number;
  secondsPerStep: number;
  steps: number;
  meanSecondsPerStep: number;
  peakRssMiB: number;
  tensorsBefore: number;
  tensorsAfter: number;
  wasmHeapMiB: number | null;
}

/** Per-step times of CompVaeTrainer.fit (one epoch of warmup + steps batches). */
async function measureTraining(size: number, warmup: number, steps: number, overrides: Partial<CompVaeConfig> = {}): Promise<TrainMeasurement> {
  const batch = 32;
  const trainer = new CompVaeTrainer(trainerConfig(size, overrides));
  const images = randomImages(batch * (warmup + steps), size, 3, size);
  const ends: number[] = [];
  let peakRss = process.memoryUsage().rss;
  let tensorsBefore = 0;
  let last = performance.now();
  await trainer.fit(
    { images },
    {
      onBatchEnd: (info) => {
        const now = performance.now();
        ends.push(now - last);
        last = now;
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (info.step === warmup) tensorsBefore = tf.memory().numTensors;
      },
    },
  );
  const tensorsAfter = tf.memory().numTensors;
  trainer.dispose();
  const timed = ends.slice(warmup).map((ms) => ms / 1000);
  const secondsPerStep = median(timed);
  return {
    imagesPerSecond: batch / secondsPerStep,
    secondsPerStep,
    steps: timed.length,
    meanSecondsPerStep: timed.reduce((a, b) => a + b, 0) / timed.length,
    peakRssMiB: peakRss / 2 ** 20,
    tensorsBefore,
    tensorsAfter,
    wasmHeapMiB: wasmHeapMiB(),
  };
}

function wasmHeapMiB(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const module = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return module?.HEAPU8 ? module.HEAPU8.byteLength / 2 ** 20 : null;
}

async function measureEncoding(size: number, repeats: number): Promise<number> {
  const trainer = new CompVaeTrainer(trainerConfig(size));
  const images = randomImages(256, size, 3, size + 1);
  trainer.encode(images, 256);
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    trainer.encode(images, 256);
    times.push((performance.now() - start) / 1000);
  }
  trainer.dispose();
  return 256 / median(times);
}

/** Forward + backward of each loss alone, and one training step of comp vs vae, alternating. */
async function measureLoss(repeats: number, stepPairs: number): Promise<Record<string, number>> {
  const n = 200;
  const batch = 32;
  const config = resolveConfig({ latentDim: n, batchSize: batch });
  const rng = new Rng(7);
  const mu = tf.tensor2d(Float32Array.from({ length: batch * n }, () => rng.normal()), [batch, n]);
  const logvar = tf.tensor2d(Float32Array.from({ length: batch * n }, () => rng.normal() * 0.1 - 1), [batch, n]);
  const hyper = tf.grads((m: tf.Tensor, l: tf.Tensor) => hypersphericalDivergence(m as tf.Tensor2D, tf.exp(tf.mul(l, 0.5)) as tf.Tensor2D, config, 0).kld);
  const kl = tf.grads((m: tf.Tensor, l: tf.Tensor) => perSampleKl(m as tf.Tensor2D, l as tf.Tensor2D));
  const time = (fn: (args: tf.Tensor[]) => tf.Tensor[]) => {
    const samples: number[] = [];
    for (let r = 0; r < repeats + 5; r++) {
      const start = performance.now();
      const grads = fn([mu, logvar]);
      grads.forEach((g) => g.dataSync());
      tf.dispose(grads);
      if (r >= 5) samples.push(performance.now() - start);
    }
    return median(samples);
  };
  const hyperMs = time(hyper);
  const klMs = time(kl);
  tf.dispose([mu, logvar]);

  // Training steps at n = 200, 32×32: comp and vae alternate step by step (fit stopped after each
  // batch), so both see the same machine load.
  const comp = new CompVaeTrainer(trainerConfig(32, { latentDim: n }));
  const vae = new CompVaeTrainer(trainerConfig(32, { latentDim: n, method: 'vae' }));
  const images = randomImages(batch, 32, 3, 3);
  const stepOnce = async (trainer: CompVaeTrainer) => {
    const start = performance.now();
    await trainer.fit({ images }, { shouldStop: () => true });
    return performance.now() - start;
  };
  const compMs: number[] = [];
  const vaeMs: number[] = [];
  for (let r = 0; r < stepPairs + 3; r++) {
    const a = await stepOnce(comp);
    const b = await stepOnce(vae);
    if (r >= 3) {
      compMs.push(a);
      vaeMs.push(b);
    }
  }
  comp.dispose();
  vae.dispose();
  const compStep = median(compMs);
  const vaeStep = median(vaeMs);
  // Overhead from the paired differences (robust to load that drifts during the run).
  const pairedDifference = median(compMs.map((c, i) => c - (vaeMs[i] as number)));
  return {
    hyperspherical_ms: hyperMs,
    kl_ms: klMs,
    comp_step_ms: compStep,
    vae_step_ms: vaeStep,
    step_overhead: pairedDifference / vaeStep,
    loss_share_of_step: (hyperMs - klMs) / vaeStep,
  };
}

function gaussian(rows: number, cols: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return createMatrix(rows, cols, data);
}

async function measureKnn(bank: Matrix, queries: Matrix): Promise<{ seconds: number; checksum: number }> {
  const start = performance.now();
  const detector = new KnnDetector({ k: 3 });
  await detector.fit(bank);
  const scores = await detector.score(queries);
  const seconds = (performance.now() - start) / 1000;
  return { seconds, checksum: scores.reduce((a, b) => a + b, 0) };
}

async function measureForest(data: Matrix): Promise<{ fit: number; score: number; mean: number }> {
  const detector = new IsolationForestDetector({ trees: 100, sampleSize: 256, seed: 0 });
  const start = performance.now();
  await detector.fit(data);
  const fitted = performance.now();
  const scores = await detector.score(data);
  const end = performance.now();
  return { fit: (fitted - start) / 1000, score: (end - fitted) / 1000, mean: scores.reduce((a, b) => a + b, 0) / scores.length };
}

// ---------------------------------------------------------------------------------------------
// Reference (PyTorch / scikit-learn in a child process)
// ---------------------------------------------------------------------------------------------

interface ReferenceStatus {
  torch: boolean;
  sklearn: boolean;
  why?: string;
  environment?: Record<string, unknown>;
}

function referenceEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

function canImport(module: string): boolean {
  const result = spawnSync(PYTHON, ['-c', `import ${module}`], { env: referenceEnvironment(), stdio: 'ignore', timeout: 120_000 });
  return result.status === 0;
}

function referenceStatus(options: Options): ReferenceStatus {
  if (!options.reference) return { torch: false, sklearn: false, why: 'disabled with --no-reference' };
  const torch = canImport('torch');
  const sklearn = canImport('sklearn');
  const missing = [!torch && 'python3-torch', !sklearn && 'python3-sklearn'].filter(Boolean);
  return { torch, sklearn, ...(missing.length ? { why: `${PYTHON} cannot import ${missing.join(' and ')} (apt-get install ${missing.join(' ')})` } : {}) };
}

function runReference(args: string[], options: Options, status: ReferenceStatus): Record<string, unknown>[] {
  const result = spawnSync(PYTHON, [path.join(ROOT, 'bench', 'reference.py'), '--threads', String(options.referenceThreads), ...args], {
    env: referenceEnvironment(),
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    timeout: 30 * 60_000,
  });
  if (result.status !== 0) throw new Error(`reference.py failed (${result.status}): ${result.stderr.slice(-2000)}`);
  const records = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const environment = records.find((r) => r.task === 'environment');
  if (environment) status.environment = environment;
  return records.filter((r) => r.task !== 'environment');
}

/**
 * The reference measured twice, right before and right after Polaris's own measurement, keeping the
 * faster: on a shared machine load comes and goes, and this errs in the reference's favour.
 */
async function bracketed<T>(
  reference: () => Record<string, unknown> | undefined,
  ours: () => Promise<T>,
  better: (a: Record<string, unknown>, b: Record<string, unknown>) => boolean,
): Promise<{ ours: T; ref: Record<string, unknown> | undefined; runs: Record<string, unknown>[] }> {
  const before = reference();
  const value = await ours();
  const after = reference();
  const runs = [before, after].filter((r): r is Record<string, unknown> => r !== undefined);
  const ref = runs.length === 2 ? (better(runs[0]!, runs[1]!) ? runs[0] : runs[1]) : runs[0];
  return { ours: value, ref, runs };
}

/** Runs this benchmark in a child process and returns its first JSON record. */
function runSelf(args: string[]): Record<string, unknown> | undefined {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'run-ts.js'), path.join(ROOT, 'bench', 'bench.ts'), ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
    timeout: 30 * 60_000,
  });
  if (result.status !== 0) {
    console.error(`bench child (${args.join(' ')}) failed: ${result.stderr.slice(-1000)}`);
    return undefined;
  }
  const line = result.stdout.split('\n').find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
}

function writeNpy(file: string, matrix: Matrix): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${matrix.rows}, ${matrix.cols}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength)]));
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

function log(options: Options, message: string): void {
  if (!options.json) console.error(message);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.threads !== null) process.env.POLARIS_WASM_THREADS = String(options.threads);
  enableWasmThreads();
  enableSimdWorkers();
  const backend: BackendInfo = await initBackend();
  const loadStart = loadAverage();
  const status = referenceStatus(options);
  log(options, `machine: ${JSON.stringify(machine())}`);
  log(options, `backend: ${describeBackend(backend)}; load average ${loadStart.join(' ')}`);
  if (status.why) log(options, `reference: skipped rows: ${status.why}`);
  const quick = options.quick;
  const figures: Figure[] = [];
  const add = (figure: Figure) => {
    if (!figure.noRatio && figure.reference !== undefined && figure.reference > 0) {
      figure.ratio = figure.better === 'higher' ? figure.value / figure.reference : figure.reference / figure.value;
    }
    figures.push(figure);
    if (options.json) console.log(JSON.stringify(jsonRecord(figure)));
    else log(options, `  ${figure.label}: ${format(figure.value)} ${figure.unit}${figure.reference !== undefined ? ` (reference ${format(figure.reference)}${figure.ratio !== undefined ? `, ratio ${format(figure.ratio)}` : ''})` : ''}`);
  };

  if (options.only.has('train')) {
    // The full run also measures the single-threaded backend (in a child process: the thread count is
    // fixed when the backend loads), since on a busy machine one thread can beat two.
    const threads = backend.threads ?? 1;
    const compareSingle = !options.partial && !options.json && threads > 1;
    for (const size of options.sizes) {
      const steps = quick ? 5 : size >= 64 ? 100 : 40;
      log(options, `train ${size}×${size}×3: ${steps} steps (${threads} thread${threads > 1 ? 's' : ''})…`);
      const loadBefore = loadAverage();
      const { ours, ref, runs } = await bracketed(
        () => (status.torch ? runReference(['--only', 'train', '--sizes', String(size), '--seconds', quick ? '2' : '8'], options, status)[0] : undefined),
        () => measureTraining(size, quick ? 2 : 5, steps),
        (a, b) => (a.images_per_s as number) >= (b.images_per_s as number),
      );
      const loadAfter = loadAverage();
      const reference = ref ? { reference: ref.images_per_s as number } : {};
      add({
        id: `train-${size}`,
        label: `train step ${size}×${size}×3, n=128, batch 32${compareSingle ? `, ${threads} threads` : ''}`,
        unit: 'img/s',
        value: ours.imagesPerSecond,
        better: 'higher',
        ...reference,
        details: { threads, ...ours, loadBefore, loadAfter, ...(ref ? { reference: ref, referenceRuns: runs } : {}) },
      });
      if (compareSingle) {
        log(options, `train ${size}×${size}×3: ${steps} steps (1 thread, child process)…`);
        const single = runSelf(['--only', 'train', '--size', String(size), '--json', '--no-reference', '--threads', '1']);
        if (single) {
          add({
            id: `train-${size}-1t`,
            label: `train step ${size}×${size}×3, n=128, batch 32, 1 thread`,
            unit: 'img/s',
            value: single.images_per_s as number,
            better: 'higher',
            ...reference,
            details: { threads: 1, ...(single.details as Record<string, unknown>) },
          });
        }
      }
    }
  }

  if (options.only.has('encode')) {
    for (const size of options.sizes) {
      log(options, `encode ${size}×${size}×3…`);
      const { ours, ref, runs } = await bracketed(
        () => (status.torch ? runReference(['--only', 'encode', '--sizes', String(size), '--seconds', quick ? '1' : '4'], options, status)[0] : undefined),
        () => measureEncoding(size, quick ? 2 : 5),
        (a, b) => (a.images_per_s as number) >= (b.images_per_s as number),
      );
      add({
        id: `encode-${size}`,
        label: `encode ${size}×${size}×3 (eval, batch 256)`,
        unit: 'img/s',
        value: ours,
        better: 'higher',
        ...(ref ? { reference: ref.images_per_s as number } : {}),
        details: { load: loadAverage(), ...(ref ? { reference: ref, referenceRuns: runs } : {}) },
      });
    }
  }

  if (options.only.has('loss')) {
    log(options, 'loss at n = 200…');
    const ours = await measureLoss(quick ? 10 : 100, quick ? 3 : 40);
    const refs = status.torch ? runReference(['--only', 'loss', '--seconds', quick ? '1' : '3', '--step-pairs', quick ? '3' : '40'], options, status) : [];
    const refLoss = refs.find((r) => r.task === 'loss');
    const refStep = refs.find((r) => r.task === 'loss-step');
    add({
      id: 'loss-hyperspherical',
      label: 'hyperspherical divergence fwd+bwd, n=200, batch 32',
      unit: 'ms',
      value: ours.hyperspherical_ms as number,
      better: 'lower',
      ...(refLoss ? { reference: refLoss.hyperspherical_ms as number } : {}),
    });
    add({
      id: 'loss-kl',
      label: 'standard KL fwd+bwd, n=200, batch 32',
      unit: 'ms',
      value: ours.kl_ms as number,
      better: 'lower',
      ...(refLoss ? { reference: refLoss.kl_ms as number } : {}),
    });
    add({
      id: 'loss-step-overhead',
      label: 'training-step overhead, hyperspherical vs KL (n=200, 32×32)',
      unit: '%',
      value: 100 * (ours.step_overhead as number),
      better: 'lower',
      noRatio: true,
      ...(refStep ? { reference: 100 * (refStep.overhead as number) } : {}),
      details: { ...ours, load: loadAverage(), ...(refStep ? { reference: refStep } : {}) },
    });
  }

  let scratch: string | null = null;
  try {
    if (options.only.has('knn') || options.only.has('iforest')) scratch = mkdtempSync(path.join(os.tmpdir(), 'polaris-bench-'));
    if (options.only.has('knn')) {
      log(options, 'k-NN 20k queries × 50k bank × 128…');
      const bank = gaussian(50_000, 128, 1);
      const queries = gaussian(quick ? 2_000 : 20_000, 128, 2);
      if (status.sklearn && scratch) {
        writeNpy(path.join(scratch, 'bank.npy'), bank);
        writeNpy(path.join(scratch, 'queries.npy'), queries);
      }
      const knnArgs = ['--only', 'knn', '--knn-bank', path.join(scratch ?? '', 'bank.npy'), '--knn-queries', path.join(scratch ?? '', 'queries.npy')];
      const { ours, ref, runs } = await bracketed(
        () => (status.sklearn ? runReference(knnArgs, options, status)[0] : undefined),
        () => measureKnn(bank, queries),
        (a, b) => (a.seconds as number) <= (b.seconds as number),
      );
      add({
        id: 'knn',
        label: `k-NN k=3, ${queries.rows / 1000}k queries × 50k bank × 128`,
        unit: 's',
        value: ours.seconds,
        better: 'lower',
        ...(ref ? { reference: ref.seconds as number } : {}),
        details: { checksum: ours.checksum, load: loadAverage(), ...(ref ? { reference: ref, referenceRuns: runs } : {}) },
      });
    }
    if (options.only.has('iforest')) {
      log(options, 'Isolation Forest 10k × 4096…');
      const rng = new Rng(3);
      const data = createMatrix(10_000, 4096, Float32Array.from({ length: 10_000 * 4096 }, () => rng.next()));
      if (status.sklearn && scratch) writeNpy(path.join(scratch, 'forest.npy'), data);
      const { ours, ref, runs } = await bracketed(
        () => (status.sklearn ? runReference(['--only', 'iforest', '--iforest-data', path.join(scratch ?? '', 'forest.npy')], options, status)[0] : undefined),
        () => measureForest(data),
        (a, b) => (a.seconds as number) <= (b.seconds as number),
      );
      add({
        id: 'iforest',
        label: 'Isolation Forest fit + score, 10k × 4096',
        unit: 's',
        value: ours.fit + ours.score,
        better: 'lower',
        ...(ref ? { reference: ref.seconds as number } : {}),
        details: { fitSeconds: ours.fit, scoreSeconds: ours.score, meanScore: ours.mean, load: loadAverage(), ...(ref ? { reference: ref, referenceRuns: runs } : {}) },
      });
    }
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }

  const loadEnd = loadAverage();
  const report = {
    date: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: machine(),
    loadAverage: { start: loadStart, end: loadEnd },
    backend: { ...backend, description: describeBackend(backend), defaultThreads: defaultWasmThreads() },
    reference: {
      python: PYTHON,
      torch: status.torch,
      sklearn: status.sklearn,
      threads: options.referenceThreads,
      ...(status.why ? { skipped: status.why } : {}),
      ...(status.environment ? { environment: status.environment } : {}),
    },
    figures,
  };
  if (!options.json) printTable(report.figures, describeBackend(backend), status);
  if (options.out) {
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    log(options, `wrote ${path.relative(process.cwd(), options.out)}`);
  }
}

function jsonRecord(figure: Figure): Record<string, unknown> {
  const [task, size] = figure.id.split('-');
  const record: Record<string, unknown> = { task, id: figure.id, label: figure.label, value: figure.value, unit: figure.unit };
  if (task === 'train' || task === 'encode') {
    record.size = Number(size);
    record.images_per_s = figure.value;
  }
  if (figure.reference !== undefined) record.reference = figure.reference;
  if (figure.ratio !== undefined) record.ratio = figure.ratio;
  if (figure.details) record.details = figure.details;
  return record;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

function printTable(figures: Figure[], backend: string, status: ReferenceStatus): void {
  const reference = status.torch || status.sklearn ? `PyTorch ${String(status.environment?.torch ?? '')} / scikit-learn ${String(status.environment?.sklearn ?? '')}`.trim() : 'reference';
  const rows = [['figure', `Polaris (${backend})`, reference, 'ratio']];
  for (const f of figures) {
    rows.push([
      f.label,
      `${format(f.value)} ${f.unit}`,
      f.reference !== undefined ? `${format(f.reference)} ${f.unit}` : status.why ? 'skipped' : '–',
      f.ratio !== undefined ? `${format(f.ratio)}×` : '',
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] as string).length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ')} |`;
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log('ratio = Polaris speed / reference speed (> 1: Polaris faster); overhead rows compare percentages, no ratio.');
  if (status.why) console.log(`reference rows skipped: ${status.why}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
