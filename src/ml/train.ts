/**
 * The training loop of Comp.VAE and its baselines (method.md §5), an explicit optimizer loop with
 * callbacks in the manner of tfjs-layers' base_callbacks and tfjs-examples' fashion-mnist-vae.
 *
 * One forward/backward pass per batch serves both optimizers: the encoder loss is
 * lossScale·(rec + β_eff·KLD·factor(e)) and the KLD does not depend on the decoder, so the gradient of
 * that loss with respect to the decoder's weights is exactly the gradient of lossScale·rec with z
 * detached, which is what [B] trains the decoder on with its own optimizer. Computing it once halves
 * the cost. (Deviation: BN running statistics of the decoder are updated once per batch, not twice.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam, type AdamState } from './adam';
import { type CompVaeConfig, isHyperspherical } from './config';
import {
  annealingFactor,
  calibratedBeta,
  type ClassSegment,
  hypersphericalDivergence,
  learningRateAt,
  perSampleKl,
  reconstructionLoss,
} from './losses';
import { createMatrix, type Matrix } from './matrix';
import { type ForwardContext, VaeNetwork } from './model';
import { Rng } from './rng';

export interface TrainingData {
  /** N × (S·S·C), HWC, normalized to [0, 1]. */
  images: Matrix;
  /** Class index per image, needed only in class-conditioned (OOD) mode. */
  classes?: Int32Array;
}

/** Every loss term of a step or the mean over an epoch. Keys depend on the method. */
export type LossTerms = Record<string, number>;

export interface StepInfo {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  losses: LossTerms;
  imagesPerSecond: number;
  etaSeconds: number;
}

export interface EpochLog {
  epoch: number;
  losses: LossTerms;
  imagesPerSecond: number;
  seconds: number;
  betaEffective: number;
  annealing: number;
  learningRate: number;
}

export interface TrainingCallbacks {
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchEnd?(info: StepInfo): void | Promise<void>;
  /** Called after the epoch's state is final, so a checkpoint taken here resumes at epoch + 1. */
  onEpochEnd?(log: EpochLog): void | Promise<void>;
  /** Polled between batches: returning true stops after the current batch. */
  shouldStop?(): boolean;
}

export interface TrainingOutcome {
  /** Epochs completed in total (including those before a resume). */
  epochsCompleted: number;
  stopped: boolean;
  history: EpochLog[];
}

/** The state a checkpoint must hold to resume exactly where training stopped. */
export interface TrainerState {
  nextEpoch: number;
  betaEffective: number;
  rngSeed: number;
  history: EpochLog[];
  weights: Map<string, { shape: number[]; values: Float32Array }>;
  encoderOptimizer: AdamState;
  decoderOptimizer: AdamState;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class CompVaeTrainer {
  readonly config: CompVaeConfig;
  readonly network: VaeNetwork;
  private readonly encoderOptimizer: Adam;
  private readonly decoderOptimizer: Adam;
  private nextEpoch = 0;
  private betaEffective = 1;
  private rngSeed: number;
  private history: EpochLog[] = [];

  constructor(config: CompVaeConfig) {
    this.config = config;
    this.network = new VaeNetwork(
      { imageSize: config.imageSize, channels: config.channels, latentDim: config.latentDim },
      config.seed,
    );
    const settings = { beta1: config.adamBeta1, beta2: config.adamBeta2, epsilon: config.adamEpsilon };
    this.encoderOptimizer = new Adam(this.namedTrainables('encoder'), settings);
    this.decoderOptimizer = new Adam(this.namedTrainables('decoder'), settings);
    this.rngSeed = config.seed + 1;
  }

  private namedTrainables(part: 'encoder' | 'decoder'): Map<string, tf.Variable> {
    return new Map(
      this.network.specs.filter((s) => s.trainable && s.part === part).map((s) => [s.name, this.network.get(s.name)] as const),
    );
  }

  get epochsCompleted(): number {
    return this.nextEpoch;
  }

  get currentBeta(): number {
    return this.betaEffective;
  }

  /** Trains from the current state up to config.epochs. */
  async fit(data: TrainingData, callbacks: TrainingCallbacks = {}): Promise<TrainingOutcome> {
    const { config } = this;
    const pixelsPerImage = config.imageSize * config.imageSize * config.channels;
    if (data.images.cols !== pixelsPerImage) {
      throw new RangeError(`Training images have ${data.images.cols} values each; the model expects ${config.imageSize}×${config.imageSize}×${config.channels} = ${pixelsPerImage}`);
    }
    if (data.images.rows < 2) throw new RangeError('Training needs at least two images');
    if (config.classConditioned && !data.classes) throw new RangeError('Class-conditioned training needs a class per image');
    const batchSize = Math.min(config.batchSize, data.images.rows);
    let stopped = false;
    const startTime = Date.now();
    let imagesSeen = 0;
    const totalImages = (config.epochs - this.nextEpoch) * data.images.rows;

    while (this.nextEpoch < config.epochs && !stopped) {
      const epoch = this.nextEpoch;
      await callbacks.onEpochBegin?.(epoch);
      const epochStart = Date.now();
      const rng = new Rng(this.rngSeed + epoch * 7919);
      const order = rng.permutation(data.images.rows);
      const batches = splitBatches(order, batchSize);
      const sums: LossTerms = {};
      let count = 0;
      const factor = annealingFactor(epoch, config.annealEpochs);
      const learningRate = learningRateAt(epoch, config);
      for (let b = 0; b < batches.length; b++) {
        const batch = batches[b] as number[];
        const losses = this.trainStep(data, batch, epoch, factor, learningRate, rng);
        for (const [key, value] of Object.entries(losses)) sums[key] = (sums[key] ?? 0) + value * batch.length;
        count += batch.length;
        imagesSeen += batch.length;
        const seconds = (Date.now() - startTime) / 1000;
        const imagesPerSecond = imagesSeen / Math.max(seconds, 1e-6);
        await callbacks.onBatchEnd?.({
          epoch,
          step: b + 1,
          stepsPerEpoch: batches.length,
          losses,
          imagesPerSecond,
          etaSeconds: (totalImages - imagesSeen) / Math.max(imagesPerSecond, 1e-9),
        });
        await yieldToEventLoop();
        if (callbacks.shouldStop?.()) {
          stopped = true;
          break;
        }
      }
      if (stopped) break; // an interrupted epoch is not logged; a resume repeats it from its start
      const means: LossTerms = {};
      for (const [key, value] of Object.entries(sums)) means[key] = value / count;
      if (epoch === 0 && isHyperspherical(config.method)) {
        // β calibration ([B] train.py): β_eff = 1 during epoch 0, then fixed from its mean rec and KLD.
        this.betaEffective = calibratedBeta(means.rec ?? 0, means.kld ?? 0, config);
      }
      const seconds = (Date.now() - epochStart) / 1000;
      const log: EpochLog = {
        epoch,
        losses: means,
        imagesPerSecond: count / Math.max(seconds, 1e-6),
        seconds,
        betaEffective: this.betaEffective,
        annealing: factor,
        learningRate,
      };
      this.history.push(log);
      this.nextEpoch = epoch + 1;
      await callbacks.onEpochEnd?.(log);
      if (callbacks.shouldStop?.()) stopped = true;
    }
    return { epochsCompleted: this.nextEpoch, stopped: stopped && this.nextEpoch < config.epochs, history: [...this.history] };
  }

  /** One optimisation step on the given rows; returns the loss terms. */
  private trainStep(data: TrainingData, rows: number[], epoch: number, factor: number, learningRate: number, rng: Rng): LossTerms {
    const { config, network } = this;
    const orderedRows = config.classConditioned && data.classes ? sortByClass(rows, data.classes) : rows;
    const segments = config.classConditioned && data.classes ? classSegments(orderedRows, data.classes) : undefined;
    const batch = gatherImages(data.images, orderedRows, config, rng);
    const noiseSeed = rng.int(2 ** 30);
    const context: ForwardContext = { training: true, updates: [] };
    const recorded: Record<string, tf.Scalar> = {};
    const beta = epoch === 0 ? 1 : this.betaEffective;

    const { value, grads } = tf.variableGrads(() => {
      const [mu, logvar] = network.encode(batch, context);
      let z: tf.Tensor2D;
      let divergence: tf.Scalar | null = null;
      if (config.method === 'ae') {
        z = mu;
      } else {
        const sigma = tf.exp(tf.mul(logvar, 0.5)) as tf.Tensor2D;
        const noise = tf.randomNormal(mu.shape, 0, 1, 'float32', noiseSeed);
        z = tf.add(mu, tf.mul(noise, sigma)) as tf.Tensor2D;
        if (isHyperspherical(config.method)) {
          // Projection onto the sphere of radius sqrt(n) (eq 6).
          const norms = tf.maximum(tf.norm(z, 'euclidean', 1, true), 1e-12);
          z = tf.mul(tf.div(z, norms), Math.sqrt(config.latentDim)) as tf.Tensor2D;
          const terms = hypersphericalDivergence(mu, sigma, config, epoch, segments);
          recorded.angle_mu = tf.keep(terms.angleMu);
          recorded.radius_mu = tf.keep(terms.radiusMu);
          recorded.angle_sigma = tf.keep(terms.angleSigma);
          recorded.radius_sigma = tf.keep(terms.radiusSigma);
          recorded.kld = tf.keep(terms.kld);
          divergence = tf.mul(terms.kld, beta * factor) as tf.Scalar;
        } else {
          const kl = perSampleKl(mu, logvar);
          recorded.kl = tf.keep(kl);
          divergence = tf.mul(kl, config.vaeKlWeight) as tf.Scalar;
        }
      }
      const reconstruction = network.decode(z, context);
      const rec = reconstructionLoss(batch, reconstruction);
      recorded.rec = tf.keep(rec);
      const total = divergence ? tf.add(rec, divergence) : rec;
      return tf.mul(total, config.lossScale) as tf.Scalar;
    }, network.trainableVariables());

    const byName = new Map<string, tf.Tensor>();
    for (const spec of network.specs) {
      const gradient = grads[network.get(spec.name).name];
      if (gradient) byName.set(spec.name, gradient);
    }
    this.encoderOptimizer.apply(byName, learningRate);
    this.decoderOptimizer.apply(byName, learningRate);
    network.applyBatchNormUpdates(context);

    const losses: LossTerms = { loss: value.dataSync()[0] as number };
    for (const [key, tensor] of Object.entries(recorded)) losses[key] = tensor.dataSync()[0] as number;
    if (isHyperspherical(config.method)) losses.beta = beta;
    tf.dispose([value, batch, ...Object.values(grads), ...Object.values(recorded)]);
    for (const [key, v] of Object.entries(losses)) {
      if (!Number.isFinite(v)) throw new Error(`Training diverged: loss term "${key}" is ${v} at epoch ${epoch}. Try a lower learningRate or check the input data for extreme values.`);
    }
    return losses;
  }

  /** Encoder means μ (and σ = exp(½ logvar)) of every image, in eval mode (BN running statistics). */
  encode(images: Matrix, batchSize = 256): { mu: Matrix; sigma: Matrix } {
    const n = this.config.latentDim;
    const mu = new Float32Array(images.rows * n);
    const sigma = new Float32Array(images.rows * n);
    for (let start = 0; start < images.rows; start += batchSize) {
      const count = Math.min(batchSize, images.rows - start);
      tf.tidy(() => {
        const batch = this.imageTensor(images, start, count);
        const [m, logvar] = this.network.encode(batch, { training: false, updates: [] });
        mu.set(m.dataSync(), start * n);
        sigma.set(tf.exp(tf.mul(logvar, 0.5)).dataSync(), start * n);
      });
    }
    return { mu: createMatrix(images.rows, n, mu), sigma: createMatrix(images.rows, n, sigma) };
  }

  /** Reconstructions decoded from the means μ (eval mode), for the MSE score and the monitor. */
  reconstruct(images: Matrix, batchSize = 256): Matrix {
    const out = new Float32Array(images.rows * images.cols);
    for (let start = 0; start < images.rows; start += batchSize) {
      const count = Math.min(batchSize, images.rows - start);
      tf.tidy(() => {
        const context: ForwardContext = { training: false, updates: [] };
        const batch = this.imageTensor(images, start, count);
        const [mu] = this.network.encode(batch, context);
        out.set(this.network.decode(mu, context).dataSync(), start * images.cols);
      });
    }
    return createMatrix(images.rows, images.cols, out);
  }

  private imageTensor(images: Matrix, start: number, count: number): tf.Tensor4D {
    const { imageSize, channels } = this.config;
    const values = images.data.subarray(start * images.cols, (start + count) * images.cols);
    return tf.tensor4d(values, [count, imageSize, imageSize, channels]);
  }

  exportState(): TrainerState {
    return {
      nextEpoch: this.nextEpoch,
      betaEffective: this.betaEffective,
      rngSeed: this.rngSeed,
      history: [...this.history],
      weights: this.network.exportWeights(),
      encoderOptimizer: this.encoderOptimizer.exportState(),
      decoderOptimizer: this.decoderOptimizer.exportState(),
    };
  }

  importState(state: TrainerState): void {
    this.network.importWeights(state.weights);
    this.encoderOptimizer.importState(state.encoderOptimizer);
    this.decoderOptimizer.importState(state.decoderOptimizer);
    this.nextEpoch = state.nextEpoch;
    this.betaEffective = state.betaEffective;
    this.rngSeed = state.rngSeed;
    this.history = [...state.history];
  }

  dispose(): void {
    this.encoderOptimizer.dispose();
    this.decoderOptimizer.dispose();
    this.network.dispose();
  }
}

/** Batches of the shuffled order; a final batch of one is dropped (batch statistics need two). */
function splitBatches(order: number[], batchSize: number): number[][] {
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    if (batch.length >= 2) batches.push(batch);
  }
  return batches;
}

function sortByClass(rows: number[], classes: Int32Array): number[] {
  return [...rows].sort((a, b) => (classes[a] as number) - (classes[b] as number) || a - b);
}

/** Contiguous runs of each class in a class-sorted batch; a class with one item in the batch is left out. */
function classSegments(sortedRows: number[], classes: Int32Array): ClassSegment[] {
  const segments: ClassSegment[] = [];
  let start = 0;
  while (start < sortedRows.length) {
    const classIndex = classes[sortedRows[start] as number] as number;
    let end = start;
    while (end < sortedRows.length && classes[sortedRows[end] as number] === classIndex) end++;
    if (end - start >= 2) segments.push({ classIndex, start, count: end - start });
    start = end;
  }
  return segments;
}

/** Copies the rows into one tensor, with random horizontal flips when configured. */
function gatherImages(images: Matrix, rows: number[], config: CompVaeConfig, rng: Rng): tf.Tensor4D {
  const { imageSize: size, channels } = config;
  const values = new Float32Array(rows.length * images.cols);
  rows.forEach((source, target) => {
    const sourceRow = images.data.subarray(source * images.cols, (source + 1) * images.cols);
    const targetOffset = target * images.cols;
    if (config.horizontalFlip && rng.next() < 0.5) {
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const from = (y * size + (size - 1 - x)) * channels;
          values.set(sourceRow.subarray(from, from + channels), targetOffset + (y * size + x) * channels);
        }
      }
    } else {
      values.set(sourceRow, targetOffset);
    }
  });
  return tf.tensor4d(values, [rows.length, size, size, channels]);
}
