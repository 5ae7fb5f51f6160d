/**
 * Every constant of Comp.VAE (../shared/docs/method.md, from the paper and its authors' code [A], [B])
 * as one named, documented default. The whole object is stored with each run (config.json) and any
 * field can be overridden by the user (CLI flags, `--config file.json`, or the app's advanced panel).
 */

/** comp = full compression (eq 5), vmf = only cos φ_1 → 1, vae = standard VAE (per-sample KL), ae = plain AE. */
export type ModelMethod = 'comp' | 'vmf' | 'vae' | 'ae';
export const MODEL_METHODS: readonly ModelMethod[] = ['comp', 'vmf', 'vae', 'ae'];

export interface CompVaeConfig {
  method: ModelMethod;
  /** Latent dimension n (method.md §8 default 128). */
  latentDim: number;
  /** Square input side in pixels: 32·2^k (§8). */
  imageSize: number;
  /** Input channels / bands: 1, 3, 6 (Mastcam), any. */
  channels: number;

  // Training schedule (§5, CIFAR-10 reference run of [B]).
  epochs: number;
  batchSize: number;
  seed: number;
  /** Adam learning rate, one optimizer for the encoder and one for the decoder. */
  learningRate: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
  /** Epochs at which both learning rates are multiplied by lrDecay. */
  lrMilestones: number[];
  lrDecay: number;
  /** Random horizontal flips of training images (used by [B] on CIFAR-10). */
  horizontalFlip: boolean;

  // Loss scaling and β (§5).
  /** Encoder loss = lossScale · (rec + β_eff · KLD · factor(e)); decoder loss = lossScale · rec. */
  lossScale: number;
  /** β_eff = betaTarget · mean rec(epoch 0) / (mean KLD(epoch 0) + betaCalibrationEps) from epoch 1 on. */
  betaTarget: number;
  betaCalibrationEps: number;
  /** Annealing factor(e) = sqrt(e) + 1 for e ≤ annealEpochs, else 1 (e counted from 0). */
  annealEpochs: number;

  // Hyperspherical divergence (§3–4).
  /** Inside-the-sqrt epsilon of the cosine transform. */
  cosineEps: number;
  /** Added to the unbiased batch variance before the sqrt. */
  varianceEps: number;
  /** β_i = angleGain · sqrt(n) / sqrt(i). */
  angleGain: number;
  /** Weight of the angle mean term relative to the std term inside Lφ. */
  angleMeanWeight: number;
  /** Mean prior of the μ angles: how many angles after the first get mp_i = 1 (null: n−2 for comp, 0 for vmf). */
  compressedAngles: number | null;
  /** Gain of the radial std and mean terms inside Lr. */
  radialStdGain: number;
  radialMeanGain: number;
  /** Lr(σ) mean prior = sigmaRadiusFactor · sqrt(n − ½): 0.001 in [B] (1.0 in [A]). */
  sigmaRadiusFactor: number;
  /** Lr(σ) std term f(sr / sigmaRadiusStdPrior). */
  sigmaRadiusStdPrior: number;
  /** KLD = muAngleWeight·Lφ(μ) + muRadiusWeight·Lr(μ) + sigmaAngleWeight·Lφ(σ) + sigmaRadiusWeight·Lr(σ). */
  muAngleWeight: number;
  muRadiusWeight: number;
  sigmaAngleWeight: number;
  sigmaRadiusWeight: number;
  /** w_1 before / after lateEpoch; w_i (1 < i < n−1) = sqrt(e − lateEpoch − 1) + 1 after lateEpoch; w_{n−1} = 0. */
  firstAngleWeight: number;
  firstAngleWeightLate: number;
  lateEpoch: number;

  // OOD class-conditioned mode (§6).
  /** Roll class k's rows by classAxisSpacing·k before the μ-angle terms. Needs class labels. */
  classConditioned: boolean;
  classAxisSpacing: number;

  // Standard VAE baseline.
  /** Weight of the per-sample KL in the VAE baseline loss (1 = the standard ELBO). */
  vaeKlWeight: number;

  // Anomaly score (§7).
  knnK: number;
}

export const DEFAULT_CONFIG: Readonly<CompVaeConfig> = Object.freeze({
  method: 'comp',
  latentDim: 128,
  imageSize: 32,
  channels: 3,
  epochs: 300,
  batchSize: 200,
  seed: 100,
  learningRate: 2e-4,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEpsilon: 1e-8,
  lrMilestones: [280, 450],
  lrDecay: 0.5,
  horizontalFlip: false,
  lossScale: 0.001,
  betaTarget: 2500,
  betaCalibrationEps: 1e-3,
  annealEpochs: 100,
  cosineEps: 1e-3,
  varianceEps: 1e-4,
  angleGain: 50,
  angleMeanWeight: 0.05,
  compressedAngles: null,
  radialStdGain: 50,
  radialMeanGain: 50,
  sigmaRadiusFactor: 0.001,
  sigmaRadiusStdPrior: Math.sqrt(0.5),
  muAngleWeight: 1000,
  muRadiusWeight: 300,
  sigmaAngleWeight: 500000,
  sigmaRadiusWeight: 500,
  firstAngleWeight: 100,
  firstAngleWeightLate: 150,
  lateEpoch: 100,
  classConditioned: false,
  classAxisSpacing: 10,
  vaeKlWeight: 1,
  knnK: 3,
});

/** The documentation of each field, for `--help` and the app's advanced panel. */
export const CONFIG_HELP: Readonly<Record<keyof CompVaeConfig, string>> = Object.freeze({
  method: 'comp (full compression), vmf (only the first angle to the pole), vae, ae',
  latentDim: 'latent dimension n',
  imageSize: 'square input side, 32·2^k pixels',
  channels: 'input channels / bands',
  epochs: 'training epochs',
  batchSize: 'mini-batch size (latent statistics are batch statistics)',
  seed: 'random seed (split, shuffles, initialisation, sampling)',
  learningRate: 'Adam learning rate of both optimizers',
  adamBeta1: 'Adam β1',
  adamBeta2: 'Adam β2',
  adamEpsilon: 'Adam ε',
  lrMilestones: 'epochs at which the learning rate is multiplied by lrDecay',
  lrDecay: 'learning-rate factor at each milestone',
  horizontalFlip: 'random horizontal flips of training images',
  lossScale: 'global loss factor (0.001 in [B])',
  betaTarget: 'β calibration target after epoch 0',
  betaCalibrationEps: 'epsilon of the β calibration denominator',
  annealEpochs: 'annealing factor sqrt(e)+1 applies up to this epoch',
  cosineEps: 'epsilon inside the sqrt of the cosine transform',
  varianceEps: 'epsilon added to batch variances',
  angleGain: 'β_i = angleGain·sqrt(n)/sqrt(i)',
  angleMeanWeight: 'weight of the angle mean term in Lφ',
  compressedAngles: 'angles after the first with mean prior 1 (default n−2 for comp, 0 for vmf)',
  radialStdGain: 'gain of the radial std term',
  radialMeanGain: 'gain of the radial mean term',
  sigmaRadiusFactor: 'σ radius mean prior factor c (0.001 in [B], 1 in [A])',
  sigmaRadiusStdPrior: 'σ radius std prior (sqrt(0.5))',
  muAngleWeight: 'weight of Lφ(μ) in the KLD',
  muRadiusWeight: 'weight of Lr(μ) in the KLD',
  sigmaAngleWeight: 'weight of Lφ(σ) in the KLD',
  sigmaRadiusWeight: 'weight of Lr(σ) in the KLD',
  firstAngleWeight: 'w_1 up to lateEpoch',
  firstAngleWeightLate: 'w_1 after lateEpoch',
  lateEpoch: 'epoch after which w_1 and w_i change',
  classConditioned: 'OOD mode: compress class k toward axis classAxisSpacing·k',
  classAxisSpacing: 'axes between labelled classes in OOD mode',
  vaeKlWeight: 'KL weight of the standard VAE baseline',
  knnK: 'k of the k-NN anomaly score',
});

export function isHyperspherical(method: ModelMethod): boolean {
  return method === 'comp' || method === 'vmf';
}

/** Merges overrides onto the defaults and checks every constraint, with messages a user can act on. */
export function resolveConfig(overrides: Partial<CompVaeConfig> = {}): CompVaeConfig {
  const config: CompVaeConfig = { ...DEFAULT_CONFIG, lrMilestones: [...DEFAULT_CONFIG.lrMilestones], ...overrides };
  for (const key of Object.keys(overrides)) {
    if (!(key in DEFAULT_CONFIG)) throw new RangeError(`Unknown config field "${key}"`);
  }
  const problems: string[] = [];
  if (!MODEL_METHODS.includes(config.method)) problems.push(`method must be one of ${MODEL_METHODS.join(', ')}`);
  if (!Number.isInteger(config.latentDim) || config.latentDim < 3) problems.push('latentDim must be an integer ≥ 3');
  const stages = Math.log2(config.imageSize / 32);
  if (!Number.isInteger(stages) || stages < 0) problems.push(`imageSize must be 32·2^k (32, 64, 128, …), got ${config.imageSize}`);
  if (!Number.isInteger(config.channels) || config.channels < 1) problems.push('channels must be a positive integer');
  if (!Number.isInteger(config.epochs) || config.epochs < 1) problems.push('epochs must be a positive integer');
  if (!Number.isInteger(config.batchSize) || config.batchSize < 2) problems.push('batchSize must be an integer ≥ 2 (batch statistics need two items)');
  if (!(config.learningRate > 0)) problems.push('learningRate must be > 0');
  if (config.compressedAngles !== null && (!Number.isInteger(config.compressedAngles) || config.compressedAngles < 0 || config.compressedAngles > config.latentDim - 2)) {
    problems.push(`compressedAngles must be an integer in 0..${config.latentDim - 2}`);
  }
  if (!Number.isInteger(config.knnK) || config.knnK < 1) problems.push('knnK must be a positive integer');
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'number' && !Number.isFinite(value)) problems.push(`${key} must be a finite number`);
  }
  if (problems.length > 0) throw new RangeError(`Invalid config: ${problems.join('; ')}`);
  return config;
}

/** Number of angles after the first whose μ mean prior is 1 (full compression: n−2; vMF: 0). */
export function compressedAngleCount(config: CompVaeConfig): number {
  if (config.compressedAngles !== null) return config.compressedAngles;
  return config.method === 'vmf' ? 0 : config.latentDim - 2;
}
