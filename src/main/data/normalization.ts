/**
 * Per-channel scaling of raw pixel values into [0, 1] (the VAE decoder ends in a sigmoid), and the
 * display stretches used for thumbnails.
 *
 * A Normalization is plain JSON so it can be stored with each run and re-applied, unchanged, when
 * new data is scored: 8-bit data uses the fixed range 0..255; anything else uses robust percentiles
 * of the training images (0.5 and 99.5 by default), so a few hot pixels do not squash the rest.
 */
import { z } from 'zod';
import { createMatrix, type Matrix } from '../../ml/matrix';
import { Rng } from '../../ml/rng';

export const normalizationSchema = z.object({
  kind: z.enum(['fixed', 'percentile']),
  low: z.array(z.number()).min(1),
  high: z.array(z.number()).min(1),
  percentiles: z.tuple([z.number(), z.number()]).optional(),
});

export type Normalization = z.infer<typeof normalizationSchema>;

export const DEFAULT_PERCENTILES: [number, number] = [0.5, 99.5];
/** Values sampled per channel for percentiles: enough for stable 0.5/99.5 estimates, cheap to sort. */
export const DEFAULT_SAMPLES_PER_CHANNEL = 1_000_000;

export interface NormalizationOptions {
  /** Interleaved channels per pixel (the matrix columns are size·size·channels, HWC). */
  channels: number;
  /** The dataset's bit depth (FITS BITPIX convention); 8 selects the fixed 0..255 range under 'auto'. */
  bitDepth: number;
  /** 'auto' (default): fixed for 8-bit data, percentile otherwise. 'fixed' is allowed for 8- and 16-bit data (0..2^bits−1). */
  kind?: 'auto' | 'fixed' | 'percentile';
  /** Lower and upper percentile in percent, default [0.5, 99.5]. */
  percentiles?: [number, number];
  /** Only these rows (the training images) are used; default all rows. */
  rows?: readonly number[];
  /** Cap on values sampled per channel for the percentiles (seeded random sample), default 1,000,000. */
  samplesPerChannel?: number;
  /** Seed for that sample; the result is deterministic for a given seed. Default 0. */
  seed?: number;
}

/** Percentile (0..100) of sorted values, with linear interpolation between ranks as NumPy's default. */
export function percentileOfSorted(sorted: ArrayLike<number>, percent: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of an empty sample');
  const rank = (Math.min(100, Math.max(0, percent)) / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.min(sorted.length - 1, below + 1);
  const fraction = rank - below;
  return (sorted[below] as number) * (1 - fraction) + (sorted[above] as number) * fraction;
}

/** Fits per-channel low/high values on (training) images; see the module comment for the rules. */
export function fitNormalization(images: Matrix, options: NormalizationOptions): Normalization {
  const { channels, bitDepth } = options;
  if (!Number.isInteger(channels) || channels < 1 || images.cols % channels !== 0) {
    throw new RangeError(`fitNormalization: ${images.cols} columns cannot hold ${channels} interleaved channels`);
  }
  const kind = options.kind ?? 'auto';
  if (kind === 'fixed' || (kind === 'auto' && bitDepth === 8)) {
    if (bitDepth !== 8 && bitDepth !== 16) throw new RangeError(`fixed normalization needs 8- or 16-bit data, not bit depth ${bitDepth}`);
    const maximum = 2 ** bitDepth - 1;
    return { kind: 'fixed', low: new Array<number>(channels).fill(0), high: new Array<number>(channels).fill(maximum) };
  }

  const percentiles = options.percentiles ?? DEFAULT_PERCENTILES;
  const [lowPercent, highPercent] = percentiles;
  if (!(lowPercent >= 0 && lowPercent < highPercent && highPercent <= 100)) {
    throw new RangeError(`percentiles must satisfy 0 ≤ low < high ≤ 100, got [${lowPercent}, ${highPercent}]`);
  }
  const rows = options.rows ?? Array.from({ length: images.rows }, (_, i) => i);
  if (rows.length === 0) throw new RangeError('fitNormalization needs at least one image');
  const pixelsPerImage = images.cols / channels;
  const totalPerChannel = rows.length * pixelsPerImage;
  const sampleSize = Math.min(totalPerChannel, options.samplesPerChannel ?? DEFAULT_SAMPLES_PER_CHANNEL);
  const rng = new Rng(options.seed ?? 0);

  // One shared set of pixel positions for all channels keeps the sample consistent across bands.
  const positions = new Float64Array(sampleSize);
  for (let i = 0; i < sampleSize; i++) positions[i] = sampleSize === totalPerChannel ? i : rng.int(totalPerChannel);

  const low: number[] = [];
  const high: number[] = [];
  const sample = new Float32Array(sampleSize);
  for (let channel = 0; channel < channels; channel++) {
    for (let i = 0; i < sampleSize; i++) {
      const position = positions[i] as number;
      const imageRow = rows[Math.floor(position / pixelsPerImage)] as number;
      const pixel = position % pixelsPerImage;
      sample[i] = images.data[imageRow * images.cols + pixel * channels + channel] as number;
    }
    sample.sort();
    let channelLow = percentileOfSorted(sample, lowPercent);
    let channelHigh = percentileOfSorted(sample, highPercent);
    if (!(channelHigh > channelLow)) {
      // Nearly constant band: fall back to the full range, and if even that is flat, map it all to 0.
      channelLow = sample[0] as number;
      channelHigh = sample[sampleSize - 1] as number;
      if (!(channelHigh > channelLow)) channelHigh = channelLow + 1;
    }
    low.push(channelLow);
    high.push(channelHigh);
  }
  return { kind: 'percentile', low, high, percentiles: [lowPercent, highPercent] };
}

/** Checks a stored normalization (e.g. read back from a run's JSON) and returns it typed. */
export function parseNormalization(value: unknown): Normalization {
  const normalization = normalizationSchema.parse(value);
  if (normalization.low.length !== normalization.high.length) {
    throw new RangeError(`normalization has ${normalization.low.length} low values but ${normalization.high.length} high values`);
  }
  normalization.low.forEach((low, c) => {
    if (!((normalization.high[c] as number) > low)) throw new RangeError(`normalization channel ${c}: high must exceed low`);
  });
  return normalization;
}

/**
 * Scales interleaved values into [0, 1] per channel and clips. Writes into `target` when given
 * (it may be `values` itself, for in-place use).
 */
export function normalizeValues(values: Float32Array, normalization: Normalization, target?: Float32Array): Float32Array {
  const channels = normalization.low.length;
  if (values.length % channels !== 0) throw new RangeError(`${values.length} values cannot hold ${channels} interleaved channels`);
  const out = target ?? new Float32Array(values.length);
  const offsets = normalization.low;
  const scales = normalization.low.map((low, c) => 1 / ((normalization.high[c] as number) - low));
  for (let i = 0; i < values.length; i++) {
    const channel = i % channels;
    const scaled = ((values[i] as number) - (offsets[channel] as number)) * (scales[channel] as number);
    out[i] = scaled < 0 ? 0 : scaled > 1 ? 1 : scaled;
  }
  return out;
}

/** A normalized copy of a pixel matrix (rows = images, HWC columns). */
export function applyNormalization(pixels: Matrix, normalization: Normalization): Matrix {
  const channels = normalization.low.length;
  if (pixels.cols % channels !== 0) throw new RangeError(`applyNormalization: ${pixels.cols} columns cannot hold ${channels} interleaved channels`);
  return createMatrix(pixels.rows, pixels.cols, normalizeValues(pixels.data, normalization));
}

// ---------------------------------------------------------------- display stretches

/**
 * How a thumbnail maps values to display brightness in [0, 1]:
 * linear and percentile map low..high straight onto 0..1 (percentile just means low/high came from
 * percentiles of the image); asinh (Lupton et al. 1999) lifts faint structure while keeping bright
 * cores unsaturated — `softening` is the fraction of the range where it turns from linear to logarithmic.
 */
export type StretchParams =
  | { kind: 'linear'; low: number; high: number }
  | { kind: 'percentile'; low: number; high: number; percentiles: [number, number] }
  | { kind: 'asinh'; low: number; high: number; softening: number };

export const DEFAULT_ASINH_SOFTENING = 0.1;

/** Maps one value to display brightness in [0, 1]. */
export function stretch(value: number, params: StretchParams): number {
  const range = params.high - params.low;
  const t = range > 0 ? (value - params.low) / range : 0;
  const clipped = t < 0 ? 0 : t > 1 ? 1 : Number.isNaN(t) ? 0 : t;
  if (params.kind !== 'asinh') return clipped;
  const softening = params.softening > 0 ? params.softening : DEFAULT_ASINH_SOFTENING;
  return Math.asinh(clipped / softening) / Math.asinh(1 / softening);
}

/** Chooses stretch parameters from an image's values (one channel, or all channels together). */
export function fitStretch(
  values: ArrayLike<number>,
  kind: StretchParams['kind'],
  options: { percentiles?: [number, number]; softening?: number } = {},
): StretchParams {
  const sorted = Float64Array.from(values).filter(Number.isFinite).sort();
  if (sorted.length === 0) return { kind: 'linear', low: 0, high: 1 };
  const percentiles = options.percentiles ?? DEFAULT_PERCENTILES;
  const [low, high] =
    kind === 'linear' ? [sorted[0] as number, sorted[sorted.length - 1] as number] : [percentileOfSorted(sorted, percentiles[0]), percentileOfSorted(sorted, percentiles[1])];
  switch (kind) {
    case 'linear':
      return { kind, low, high };
    case 'percentile':
      return { kind, low, high, percentiles };
    case 'asinh':
      return { kind, low, high, softening: options.softening ?? DEFAULT_ASINH_SOFTENING };
  }
}

/** Stretches values into 0..255 bytes for a thumbnail. */
export function stretchToBytes(values: ArrayLike<number>, params: StretchParams, target?: Uint8Array): Uint8Array {
  const out = target ?? new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(stretch(values[i] as number, params) * 255);
  return out;
}
