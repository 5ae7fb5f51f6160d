/**
 * The loss terms of Comp.VAE (method.md §3–5) and of the baselines. Every latent term is computed
 * from mini-batch statistics (VICReg-style), not per sample.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cosinesTensor, radiusTensor } from './coords';
import { type CompVaeConfig, compressedAngleCount } from './config';
import { type DivergenceSpec, hypersphericalTerms } from './kernels/hyperspherical-divergence';

/** f(s) = s² − ln(s²) − 1: ≥ 0 with its minimum f(1) = 0. */
export function fDivergence(s: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const squared = tf.square(s);
    return tf.sub(tf.sub(squared, tf.log(squared)), 1);
  });
}

/** Mean over the batch (axis 0). */
export function batchMean(values: tf.Tensor): tf.Tensor {
  return tf.mean(values, 0);
}

/** std(v) = sqrt(unbiased batch variance + varianceEps), per column. */
export function batchStd(values: tf.Tensor, varianceEps: number): tf.Tensor {
  return tf.tidy(() => {
    const count = values.shape[0] as number;
    if (count < 2) throw new RangeError('Batch statistics need at least two items in a batch');
    const centered = tf.sub(values, tf.mean(values, 0));
    const unbiasedVariance = tf.div(tf.sum(tf.square(centered), 0), count - 1);
    return tf.sqrt(tf.add(unbiasedVariance, varianceEps));
  });
}

/** Per-angle constants of one Lφ term; index 0 is angle 1. */
export interface AnglePriors {
  /** β_i = angleGain·sqrt(n)/sqrt(i). */
  gains: Float32Array;
  /** sp_i: the prior std of cos φ_i. */
  stdPrior: Float32Array;
  /** mp_i: the prior mean of cos φ_i. */
  meanPrior: Float32Array;
  /** w_i: extra weights on the mean term. */
  meanWeights: Float32Array;
}

export function angleGains(latentDim: number, angleGain: number): Float32Array {
  const gains = new Float32Array(latentDim - 1);
  for (let i = 1; i < latentDim; i++) gains[i - 1] = (angleGain * Math.sqrt(latentDim)) / Math.sqrt(i);
  return gains;
}

/** 1/sqrt(n − i + 1 + 1e-3): the std of cos φ_i under N(0, I_n), = cos(ones(n))_i with eps. */
export function isotropicCosineScale(latentDim: number, cosineEps: number): Float32Array {
  const values = new Float32Array(latentDim - 1);
  for (let i = 1; i < latentDim; i++) values[i - 1] = 1 / Math.sqrt(latentDim - i + 1 + cosineEps);
  return values;
}

/** w_i of the μ-angle mean term at a given epoch ([B]); w_{n−1} = 0 excludes the last angle. */
export function muAngleMeanWeights(config: CompVaeConfig, epoch: number): Float32Array {
  const n = config.latentDim;
  const late = epoch > config.lateEpoch;
  const weights = new Float32Array(n - 1);
  weights[0] = late ? config.firstAngleWeightLate : config.firstAngleWeight;
  const middle = late ? Math.sqrt(epoch - config.lateEpoch - 1) + 1 : 1;
  for (let i = 2; i <= n - 2; i++) weights[i - 1] = middle;
  if (n - 1 >= 2) weights[n - 2] = 0;
  return weights;
}

/**
 * Priors of the μ angles: std prior 1/sqrt(n − i + 1 + 1e-3); mean prior 1 for angle 1 and for the
 * next `compressedAngles` angles (full compression: all n−1; vMF: only angle 1), 0 for the rest.
 */
export function muAnglePriors(config: CompVaeConfig, epoch: number): AnglePriors {
  const n = config.latentDim;
  const meanPrior = new Float32Array(n - 1);
  const compressed = compressedAngleCount(config);
  for (let i = 1; i <= Math.min(n - 1, compressed + 1); i++) meanPrior[i - 1] = 1;
  return {
    gains: angleGains(n, config.angleGain),
    stdPrior: isotropicCosineScale(n, config.cosineEps),
    meanPrior,
    meanWeights: muAngleMeanWeights(config, epoch),
  };
}

/** Priors of the σ angles: std prior 0, mean prior 1/sqrt(n − i + 1 + 1e-3) (σ ∝ (1, …, 1)), w_i = 1. */
export function sigmaAnglePriors(config: CompVaeConfig): AnglePriors {
  const n = config.latentDim;
  return {
    gains: angleGains(n, config.angleGain),
    stdPrior: new Float32Array(n - 1),
    meanPrior: isotropicCosineScale(n, config.cosineEps),
    meanWeights: new Float32Array(n - 1).fill(1),
  };
}

/** Lφ(V) = Σ_i β_i f(s_i + 1 − sp_i) + angleMeanWeight·Σ_i β_i w_i (m_i − mp_i)² over the cosines of V. */
export function angleLoss(values: tf.Tensor2D, priors: AnglePriors, config: CompVaeConfig): tf.Scalar {
  return tf.tidy(() => {
    const cosines = cosinesTensor(values, config.cosineEps);
    const std = batchStd(cosines, config.varianceEps);
    const mean = batchMean(cosines);
    const gains = tf.tensor1d(priors.gains);
    const stdTerm = tf.sum(tf.mul(gains, fDivergence(tf.add(std, tf.sub(1, tf.tensor1d(priors.stdPrior))))));
    const meanGap = tf.square(tf.sub(mean, tf.tensor1d(priors.meanPrior)));
    const meanTerm = tf.sum(tf.mul(tf.mul(gains, tf.tensor1d(priors.meanWeights)), meanGap));
    return tf.add(stdTerm, tf.mul(meanTerm, config.angleMeanWeight)) as tf.Scalar;
  });
}

/** Lr(μ) = 50 f(sr + 1) + 50 (mr − sqrt(n − ½))²: radius std pulled to 0, mean to sqrt(n − ½). */
export function muRadialLoss(mu: tf.Tensor2D, config: CompVaeConfig): tf.Scalar {
  return tf.tidy(() => {
    const radii = tf.expandDims(radiusTensor(mu), 1);
    const stdTerm = fDivergence(tf.add(batchStd(radii, config.varianceEps), 1));
    const meanGap = tf.square(tf.sub(batchMean(radii), Math.sqrt(config.latentDim - 0.5)));
    return tf.sum(tf.add(tf.mul(stdTerm, config.radialStdGain), tf.mul(meanGap, config.radialMeanGain))) as tf.Scalar;
  });
}

/** Lr(σ) = 50 f(sr / sqrt(0.5)) + 50 (mr − c·sqrt(n − ½))², c = sigmaRadiusFactor. */
export function sigmaRadialLoss(sigma: tf.Tensor2D, config: CompVaeConfig): tf.Scalar {
  return tf.tidy(() => {
    const radii = tf.expandDims(radiusTensor(sigma), 1);
    const stdTerm = fDivergence(tf.div(batchStd(radii, config.varianceEps), config.sigmaRadiusStdPrior));
    const target = config.sigmaRadiusFactor * Math.sqrt(config.latentDim - 0.5);
    const meanGap = tf.square(tf.sub(batchMean(radii), target));
    return tf.sum(tf.add(tf.mul(stdTerm, config.radialStdGain), tf.mul(meanGap, config.radialMeanGain))) as tf.Scalar;
  });
}

/** A contiguous run of one class's rows in a batch (the trainer sorts class-conditioned batches by class). */
export interface ClassSegment {
  classIndex: number;
  start: number;
  count: number;
}

/** rolled[j] = v[(j + shift) mod n]: compresses the class toward Cartesian axis `shift` (§6). */
export function rollColumns(values: tf.Tensor2D, shift: number): tf.Tensor2D {
  return tf.tidy(() => {
    const n = values.shape[1];
    const s = ((shift % n) + n) % n;
    if (s === 0) return values.clone();
    const head = tf.slice(values, [0, s], [-1, n - s]);
    const tail = tf.slice(values, [0, 0], [-1, s]);
    return tf.concat([head, tail], 1) as tf.Tensor2D;
  });
}

export interface HypersphericalTerms {
  angleMu: tf.Scalar;
  radiusMu: tf.Scalar;
  angleSigma: tf.Scalar;
  radiusSigma: tf.Scalar;
  /** KLD = wφμ·Lφ(μ) + wrμ·Lr(μ) + wφσ·Lφ(σ) + wrσ·Lr(σ). */
  kld: tf.Scalar;
}

/**
 * The hyperspherical divergence, eqs (2)–(3). With class segments (OOD mode, §6) the μ-angle term is
 * computed per class on rows rolled by classAxisSpacing·k and summed; radial and σ terms use the batch.
 *
 * One fused op with a closed-form gradient (kernels/hyperspherical-divergence.ts, float64): the same
 * terms as hypersphericalDivergenceReference below, which composes them from stock ops and is kept as
 * the reference the fused op is tested against.
 */
export function hypersphericalDivergence(
  mu: tf.Tensor2D,
  sigma: tf.Tensor2D,
  config: CompVaeConfig,
  epoch: number,
  classSegments?: readonly ClassSegment[],
): HypersphericalTerms {
  if ((mu.shape[0] as number) < 2) throw new RangeError('Batch statistics need at least two items in a batch');
  const spec = hypersphericalSpec(config, epoch, classSegments);
  return tf.tidy(() => {
    const terms = hypersphericalTerms(mu, sigma, spec);
    const [angleMu, radiusMu, angleSigma, radiusSigma, kld] = tf.unstack(terms) as tf.Scalar[];
    return { angleMu: angleMu!, radiusMu: radiusMu!, angleSigma: angleSigma!, radiusSigma: radiusSigma!, kld: kld! };
  });
}

/** Every constant of eqs (2)–(3) and §6 for one epoch, as the fused op takes them. */
export function hypersphericalSpec(config: CompVaeConfig, epoch: number, classSegments?: readonly ClassSegment[]): DivergenceSpec {
  const n = config.latentDim;
  let muSegments: DivergenceSpec['muSegments'];
  if (classSegments && classSegments.length > 0) {
    if (n <= config.classAxisSpacing * Math.max(...classSegments.map((s) => s.classIndex))) {
      throw new RangeError(`Class-conditioned mode needs latentDim > ${config.classAxisSpacing}·(classes − 1)`);
    }
    muSegments = classSegments.map((segment) => {
      if (segment.count < 2) throw new RangeError(`Class ${segment.classIndex} has ${segment.count} item(s) in a batch; each class needs ≥ 2`);
      return { start: segment.start, count: segment.count, shift: config.classAxisSpacing * segment.classIndex };
    });
  }
  return {
    cosineEps: config.cosineEps,
    varianceEps: config.varianceEps,
    angleMeanWeight: config.angleMeanWeight,
    muAngles: muAnglePriors(config, epoch),
    sigmaAngles: sigmaAnglePriors(config),
    ...(muSegments ? { muSegments } : {}),
    radialStdGain: config.radialStdGain,
    radialMeanGain: config.radialMeanGain,
    muRadiusTarget: Math.sqrt(n - 0.5),
    sigmaRadiusTarget: config.sigmaRadiusFactor * Math.sqrt(n - 0.5),
    sigmaRadiusStdPrior: config.sigmaRadiusStdPrior,
    weights: [config.muAngleWeight, config.muRadiusWeight, config.sigmaAngleWeight, config.sigmaRadiusWeight],
  };
}

/** The same divergence composed from stock tfjs ops (the reference for tests). */
export function hypersphericalDivergenceReference(
  mu: tf.Tensor2D,
  sigma: tf.Tensor2D,
  config: CompVaeConfig,
  epoch: number,
  classSegments?: readonly ClassSegment[],
): HypersphericalTerms {
  return tf.tidy(() => {
    const muPriors = muAnglePriors(config, epoch);
    let angleMu: tf.Scalar;
    if (classSegments && classSegments.length > 0) {
      const n = config.latentDim;
      if (n <= config.classAxisSpacing * (Math.max(...classSegments.map((s) => s.classIndex)))) {
        throw new RangeError(`Class-conditioned mode needs latentDim > ${config.classAxisSpacing}·(classes − 1)`);
      }
      const perClass = classSegments.map((segment) => {
        if (segment.count < 2) throw new RangeError(`Class ${segment.classIndex} has ${segment.count} item(s) in a batch; each class needs ≥ 2`);
        const rows = tf.slice(mu, [segment.start, 0], [segment.count, n]) as tf.Tensor2D;
        return angleLoss(rollColumns(rows, config.classAxisSpacing * segment.classIndex), muPriors, config);
      });
      angleMu = tf.addN(perClass) as tf.Scalar;
    } else {
      angleMu = angleLoss(mu, muPriors, config);
    }
    const radiusMu = muRadialLoss(mu, config);
    const angleSigma = angleLoss(sigma, sigmaAnglePriors(config), config);
    const radiusSigma = sigmaRadialLoss(sigma, config);
    const kld = tf.addN([
      tf.mul(angleMu, config.muAngleWeight),
      tf.mul(radiusMu, config.muRadiusWeight),
      tf.mul(angleSigma, config.sigmaAngleWeight),
      tf.mul(radiusSigma, config.sigmaRadiusWeight),
    ]) as tf.Scalar;
    return { angleMu, radiusMu, angleSigma, radiusSigma, kld };
  });
}

/**
 * Eq (1), RECONSTRUCTED in method.md (same shape as the hyperspherical terms):
 * Σ_j ½ [ f(std(V_j)/σp) + (mean(V_j) − μp)²/σp² ] with μp = 0, σp = 1.
 */
export function cartesianBatchDivergence(values: tf.Tensor2D, varianceEps: number, priorMean = 0, priorStd = 1): tf.Scalar {
  return tf.tidy(() => {
    const stdTerm = fDivergence(tf.div(batchStd(values, varianceEps), priorStd));
    const meanTerm = tf.div(tf.square(tf.sub(batchMean(values), priorMean)), priorStd ** 2);
    return tf.mul(tf.sum(tf.add(stdTerm, meanTerm)), 0.5) as tf.Scalar;
  });
}

/** Standard VAE: KL(N(μ, σ²) ‖ N(0, I)) = ½ Σ_j (μ² + σ² − ln σ² − 1) per sample, averaged over the batch. */
export function perSampleKl(mu: tf.Tensor2D, logvar: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const perDim = tf.sub(tf.sub(tf.add(tf.square(mu), tf.exp(logvar)), logvar), 1);
    return tf.mul(tf.mean(tf.sum(perDim, 1)), 0.5) as tf.Scalar;
  });
}

/** rec = Σ_pixels (x − x̂)², averaged over the batch. */
export function reconstructionLoss(x: tf.Tensor, reconstruction: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const batch = x.shape[0] as number;
    return tf.div(tf.sum(tf.squaredDifference(x, reconstruction)), batch) as tf.Scalar;
  });
}

/** Annealing factor(e) = sqrt(e) + 1 for e ≤ annealEpochs, else 1 (e from 0). Not linear. */
export function annealingFactor(epoch: number, annealEpochs: number): number {
  return epoch <= annealEpochs ? Math.sqrt(epoch) + 1 : 1;
}

/** β_eff from epoch 1 on: betaTarget · mean rec(epoch 0) / (mean KLD(epoch 0) + eps). */
export function calibratedBeta(meanRecEpoch0: number, meanKldEpoch0: number, config: CompVaeConfig): number {
  return (config.betaTarget * meanRecEpoch0) / (meanKldEpoch0 + config.betaCalibrationEps);
}

/** Learning rate at an epoch: × lrDecay at each milestone reached. */
export function learningRateAt(epoch: number, config: CompVaeConfig): number {
  const passed = config.lrMilestones.filter((milestone) => epoch >= milestone).length;
  return config.learningRate * config.lrDecay ** passed;
}
