/**
 * The residual VAE of method.md §8 ([B] model.py, adapted from Soft-IntroVAE), written as plain tfjs
 * functions over named variables so that kernels and gradients can be swapped underneath it
 * (kernels/: the Conv2D gradient, 2× resampling, …) without touching this file. The one op of its own
 * is batch norm fused with the residual add and the LeakyReLU that follow it (kernels/batch-norm.ts).
 *
 * Encoder (32×32×C): conv5(C→16)+BN+LReLU+AvgPool2 → Res16→32+AvgPool2 → Res32→64+AvgPool2 → Res64→64
 * → flatten (64·4·4) → Linear → 2n (μ, logvar). Each further factor of 2 in the input side adds a
 * Res64→64+AvgPool2 stage before the last Res64→64, so the map is 4×4 before the Linear layer.
 * Decoder: Linear(n→1024)+BN1d+LReLU → 4×4×64 → [Res64→64+Up2 per extra stage] → Res64→64+Up2 →
 * Res64→32+Up2 → Res32→16+Up2 → Res16→16 → conv5(16→C, bias) → sigmoid.
 * Res(a→b): [1×1 conv shortcut if a ≠ b] + conv3→BN→LReLU(0.2)→conv3→BN, add, LReLU(0.2); no conv bias.
 * Layout is NHWC (tfjs); PyTorch's is NCHW, which changes only the order of the flattened features.
 * Initialisation follows PyTorch's defaults: U(±1/sqrt(fan_in)) for conv and linear weights and
 * biases, BN γ = 1, β = 0; BN momentum 0.1, eps 1e-5, running variance unbiased, as torch.nn.BatchNorm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNormInfer, batchNormTrain } from './kernels/batch-norm';
import { Rng } from './rng';

export type ParameterPart = 'encoder' | 'decoder';

export interface ParameterSpec {
  name: string;
  shape: number[];
  part: ParameterPart;
  /** Trainable parameters count toward the parameter total; BN running statistics do not. */
  trainable: boolean;
  init: { kind: 'uniform'; bound: number } | { kind: 'constant'; value: number };
}

export interface ArchitectureOptions {
  imageSize: number;
  channels: number;
  latentDim: number;
}

const LEAK = 0.2;
const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

/** Number of extra down/up stages beyond the 32×32 design. */
export function extraStages(imageSize: number): number {
  const stages = Math.log2(imageSize / 32);
  if (!Number.isInteger(stages) || stages < 0) throw new RangeError(`Image size must be 32·2^k pixels, got ${imageSize}`);
  return stages;
}

interface ResidualSpec {
  name: string;
  inChannels: number;
  outChannels: number;
}

function encoderResiduals(imageSize: number): ResidualSpec[] {
  const blocks: ResidualSpec[] = [
    { name: 'enc.res1', inChannels: 16, outChannels: 32 },
    { name: 'enc.res2', inChannels: 32, outChannels: 64 },
  ];
  for (let s = 0; s < extraStages(imageSize); s++) blocks.push({ name: `enc.extra${s}`, inChannels: 64, outChannels: 64 });
  blocks.push({ name: 'enc.res3', inChannels: 64, outChannels: 64 });
  return blocks;
}

function decoderResiduals(imageSize: number): ResidualSpec[] {
  const blocks: ResidualSpec[] = [];
  for (let s = 0; s < extraStages(imageSize); s++) blocks.push({ name: `dec.extra${s}`, inChannels: 64, outChannels: 64 });
  blocks.push(
    { name: 'dec.res1', inChannels: 64, outChannels: 64 },
    { name: 'dec.res2', inChannels: 64, outChannels: 32 },
    { name: 'dec.res3', inChannels: 32, outChannels: 16 },
    { name: 'dec.res4', inChannels: 16, outChannels: 16 },
  );
  return blocks;
}

/** All parameters and buffers of the architecture, in a fixed order. */
export function architectureSpec(options: ArchitectureOptions): ParameterSpec[] {
  const { imageSize, channels, latentDim } = options;
  extraStages(imageSize);
  const specs: ParameterSpec[] = [];
  const uniform = (fanIn: number) => ({ kind: 'uniform' as const, bound: 1 / Math.sqrt(fanIn) });
  const conv = (name: string, part: ParameterPart, k: number, cin: number, cout: number, bias: boolean) => {
    specs.push({ name: `${name}.w`, shape: [k, k, cin, cout], part, trainable: true, init: uniform(cin * k * k) });
    if (bias) specs.push({ name: `${name}.b`, shape: [cout], part, trainable: true, init: uniform(cin * k * k) });
  };
  const batchNorm = (name: string, part: ParameterPart, size: number) => {
    specs.push({ name: `${name}.gamma`, shape: [size], part, trainable: true, init: { kind: 'constant', value: 1 } });
    specs.push({ name: `${name}.beta`, shape: [size], part, trainable: true, init: { kind: 'constant', value: 0 } });
    specs.push({ name: `${name}.runningMean`, shape: [size], part, trainable: false, init: { kind: 'constant', value: 0 } });
    specs.push({ name: `${name}.runningVar`, shape: [size], part, trainable: false, init: { kind: 'constant', value: 1 } });
  };
  const dense = (name: string, part: ParameterPart, inputs: number, outputs: number) => {
    specs.push({ name: `${name}.w`, shape: [inputs, outputs], part, trainable: true, init: uniform(inputs) });
    specs.push({ name: `${name}.b`, shape: [outputs], part, trainable: true, init: uniform(inputs) });
  };
  const residual = (block: ResidualSpec, part: ParameterPart) => {
    if (block.inChannels !== block.outChannels) conv(`${block.name}.shortcut`, part, 1, block.inChannels, block.outChannels, false);
    conv(`${block.name}.conv1`, part, 3, block.inChannels, block.outChannels, false);
    batchNorm(`${block.name}.bn1`, part, block.outChannels);
    conv(`${block.name}.conv2`, part, 3, block.outChannels, block.outChannels, false);
    batchNorm(`${block.name}.bn2`, part, block.outChannels);
  };

  conv('enc.stem', 'encoder', 5, channels, 16, false);
  batchNorm('enc.stem.bn', 'encoder', 16);
  for (const block of encoderResiduals(imageSize)) residual(block, 'encoder');
  dense('enc.fc', 'encoder', 64 * 4 * 4, 2 * latentDim);

  dense('dec.fc', 'decoder', latentDim, 64 * 4 * 4);
  batchNorm('dec.fc.bn', 'decoder', 64 * 4 * 4);
  for (const block of decoderResiduals(imageSize)) residual(block, 'decoder');
  conv('dec.out', 'decoder', 5, 16, channels, true);
  return specs;
}

export function countParameters(options: ArchitectureOptions): number {
  return architectureSpec(options)
    .filter((spec) => spec.trainable)
    .reduce((total, spec) => total + spec.shape.reduce((a, b) => a * b, 1), 0);
}

/** Batch statistics gathered during a training forward pass, applied to the running buffers afterwards. */
interface BatchNormUpdate {
  name: string;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  count: number;
}

export interface ForwardContext {
  training: boolean;
  /** Filled during training passes; the caller applies and disposes them (see applyBatchNormUpdates). */
  updates: BatchNormUpdate[];
}

export class VaeNetwork {
  readonly options: ArchitectureOptions;
  readonly specs: ParameterSpec[];
  readonly variables = new Map<string, tf.Variable>();

  constructor(options: ArchitectureOptions, seed: number) {
    this.options = options;
    this.specs = architectureSpec(options);
    const rng = new Rng(seed);
    for (const spec of this.specs) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(size);
      if (spec.init.kind === 'uniform') {
        const { bound } = spec.init;
        for (let i = 0; i < size; i++) values[i] = rng.uniform(-bound, bound);
      } else {
        values.fill(spec.init.value);
      }
      const variableName = `${spec.name}#${uniqueSuffix()}`;
      this.variables.set(spec.name, tf.tidy(() => tf.variable(tf.tensor(values, spec.shape), spec.trainable, variableName)));
    }
  }

  trainableVariables(part?: ParameterPart): tf.Variable[] {
    return this.specs
      .filter((spec) => spec.trainable && (part === undefined || spec.part === part))
      .map((spec) => this.get(spec.name));
  }

  parameterCount(): number {
    return countParameters(this.options);
  }

  get(name: string): tf.Variable {
    const variable = this.variables.get(name);
    if (!variable) throw new Error(`Unknown parameter ${name}`);
    return variable;
  }

  /** Encoder: images (B×S×S×C in [0,1]) → [μ, logvar], each B×n. */
  encode(images: tf.Tensor4D, context: ForwardContext): [tf.Tensor2D, tf.Tensor2D] {
    return tf.tidy(() => {
      let h = this.conv(images, 'enc.stem', 'same');
      h = this.batchNorm(h, 'enc.stem.bn', context);
      h = downsample(h);
      const blocks = encoderResiduals(this.options.imageSize);
      blocks.forEach((block, index) => {
        h = this.residual(h, block, context);
        if (index < blocks.length - 1) h = downsample(h);
      });
      const flat = tf.reshape(h, [h.shape[0], 64 * 4 * 4]) as tf.Tensor2D;
      const out = this.dense(flat, 'enc.fc');
      const n = this.options.latentDim;
      const mu = tf.slice(out, [0, 0], [-1, n]) as tf.Tensor2D;
      const logvar = tf.slice(out, [0, n], [-1, n]) as tf.Tensor2D;
      return [mu, logvar];
    });
  }

  /** Decoder: latent codes (B×n) → images (B×S×S×C in (0,1)). */
  decode(z: tf.Tensor2D, context: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      let flat = this.dense(z, 'dec.fc');
      flat = this.batchNorm(flat, 'dec.fc.bn', context);
      let h = tf.reshape(flat, [z.shape[0], 4, 4, 64]) as tf.Tensor4D;
      const blocks = decoderResiduals(this.options.imageSize);
      blocks.forEach((block, index) => {
        h = this.residual(h, block, context);
        if (index < blocks.length - 1) h = upsample(h);
      });
      const out = tf.add(this.conv(h, 'dec.out', 'same'), this.get('dec.out.b'));
      return tf.sigmoid(out) as tf.Tensor4D;
    });
  }

  private conv(x: tf.Tensor4D, name: string, pad: 'same' | 'valid'): tf.Tensor4D {
    return tf.conv2d(x, this.get(`${name}.w`) as tf.Tensor4D, 1, pad);
  }

  private dense(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.get(`${name}.w`) as tf.Tensor2D), this.get(`${name}.b`)) as tf.Tensor2D;
  }

  private residual(x: tf.Tensor4D, block: ResidualSpec, context: ForwardContext): tf.Tensor4D {
    const identity = block.inChannels === block.outChannels ? x : this.conv(x, `${block.name}.shortcut`, 'same');
    let h = this.conv(x, `${block.name}.conv1`, 'same');
    h = this.batchNorm(h, `${block.name}.bn1`, context);
    h = this.conv(h, `${block.name}.conv2`, 'same');
    return this.batchNorm(h, `${block.name}.bn2`, context, identity);
  }

  /**
   * leaky(BatchNorm(x) [+ residual], 0.2), BatchNorm over all axes but the last: batch statistics
   * when training, running ones otherwise. One fused op (kernels/batch-norm.ts; the stock-op
   * composition on backends without its kernels): (x − mean)·γ/sqrt(var + ε) + β, biased variance.
   */
  private batchNorm<T extends tf.Tensor>(x: T, name: string, context: ForwardContext, residual?: T): T {
    const gamma = this.get(`${name}.gamma`);
    const beta = this.get(`${name}.beta`);
    const options = { epsilon: BN_EPS, leak: LEAK, ...(residual ? { residual } : {}) };
    if (context.training) {
      const { y, mean, variance } = batchNormTrain(x, gamma, beta, options);
      const count = x.size / (x.shape[x.rank - 1] as number);
      context.updates.push({ name, mean: tf.keep(tf.clone(mean)), variance: tf.keep(tf.clone(variance)), count });
      return y;
    }
    return batchNormInfer(x, gamma, beta, this.get(`${name}.runningMean`), this.get(`${name}.runningVar`), options);
  }

  /** running ← (1 − 0.1)·running + 0.1·batch, with the unbiased batch variance (torch semantics). */
  applyBatchNormUpdates(context: ForwardContext): void {
    tf.tidy(() => {
      for (const update of context.updates) {
        const runningMean = this.get(`${update.name}.runningMean`);
        const runningVar = this.get(`${update.name}.runningVar`);
        const unbiased = tf.mul(update.variance, update.count / Math.max(update.count - 1, 1));
        runningMean.assign(tf.add(tf.mul(runningMean, 1 - BN_MOMENTUM), tf.mul(update.mean, BN_MOMENTUM)));
        runningVar.assign(tf.add(tf.mul(runningVar, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
      }
    });
    for (const update of context.updates) {
      update.mean.dispose();
      update.variance.dispose();
    }
    context.updates.length = 0;
  }

  /** Every parameter and buffer as named float32 arrays (for checkpoints). */
  exportWeights(): Map<string, { shape: number[]; values: Float32Array }> {
    const out = new Map<string, { shape: number[]; values: Float32Array }>();
    for (const spec of this.specs) out.set(spec.name, { shape: spec.shape, values: this.get(spec.name).dataSync() as Float32Array });
    return out;
  }

  importWeights(weights: ReadonlyMap<string, { shape: readonly number[]; values: Float32Array }>): void {
    for (const spec of this.specs) {
      const entry = weights.get(spec.name);
      if (!entry) throw new Error(`Checkpoint lacks parameter ${spec.name}`);
      if (entry.shape.length !== spec.shape.length || entry.shape.some((d, i) => d !== spec.shape[i])) {
        throw new Error(`Checkpoint parameter ${spec.name} has shape [${entry.shape.join(',')}], model expects [${spec.shape.join(',')}]`);
      }
      tf.tidy(() => this.get(spec.name).assign(tf.tensor(entry.values, spec.shape)));
    }
  }

  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    this.variables.clear();
  }
}

let variableCounter = 0;
/** tfjs variable names are global; several networks may live in one process. */
function uniqueSuffix(): number {
  variableCounter += 1;
  return variableCounter;
}

function downsample(x: tf.Tensor4D): tf.Tensor4D {
  return tf.avgPool(x, 2, 2, 'valid');
}

function upsample(x: tf.Tensor4D): tf.Tensor4D {
  const [, height, width] = x.shape;
  return tf.image.resizeNearestNeighbor(x, [height * 2, width * 2]) as tf.Tensor4D;
}
