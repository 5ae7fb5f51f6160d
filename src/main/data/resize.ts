/**
 * Square resampling for model input: centre-crop to the shorter side, then area-average when
 * shrinking (every source pixel contributes in proportion to its overlap, so no aliasing) or
 * interpolate bilinearly when enlarging. Channels are resampled independently.
 */
import type { RawImage } from './raw-image';

/** For one output index: the source indices it reads and their weights (summing to 1). */
interface Contribution {
  first: number;
  weights: Float64Array;
}

/** Box-filter weights for shrinking `sourceLength` samples to `targetLength`. */
function areaContributions(sourceLength: number, targetLength: number): Contribution[] {
  const scale = sourceLength / targetLength;
  return Array.from({ length: targetLength }, (_, i) => {
    const start = i * scale;
    const end = (i + 1) * scale;
    const first = Math.floor(start);
    const last = Math.min(sourceLength - 1, Math.ceil(end) - 1);
    const weights = new Float64Array(last - first + 1);
    let total = 0;
    for (let s = first; s <= last; s++) {
      const overlap = Math.max(0, Math.min(end, s + 1) - Math.max(start, s));
      weights[s - first] = overlap;
      total += overlap;
    }
    // Divide by the actual total rather than by scale, so rounding never lets a constant image drift.
    for (let k = 0; k < weights.length; k++) weights[k] = (weights[k] as number) / total;
    return { first, weights };
  });
}

/** Linear-interpolation weights for enlarging, sampling at pixel centres (edges clamp). */
function bilinearContributions(sourceLength: number, targetLength: number): Contribution[] {
  const scale = sourceLength / targetLength;
  return Array.from({ length: targetLength }, (_, i) => {
    const position = Math.min(sourceLength - 1, Math.max(0, (i + 0.5) * scale - 0.5));
    const first = Math.min(Math.floor(position), Math.max(0, sourceLength - 2));
    const fraction = position - first;
    if (sourceLength === 1) return { first: 0, weights: Float64Array.of(1) };
    return { first, weights: Float64Array.of(1 - fraction, fraction) };
  });
}

function contributions(sourceLength: number, targetLength: number): Contribution[] {
  return sourceLength >= targetLength ? areaContributions(sourceLength, targetLength) : bilinearContributions(sourceLength, targetLength);
}

/** The centred square (offsets and side) that resizeToSquare keeps. */
export function centreSquare(width: number, height: number): { left: number; top: number; side: number } {
  const side = Math.min(width, height);
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), side };
}

/**
 * Resizes an image to size×size: centre crop to a square, then resample. Returns HWC data of
 * length size·size·channels. Pass `target` (and `offset`) to write straight into a larger buffer,
 * such as one row of a dataset matrix.
 */
export function resizeToSquare(image: RawImage, size: number, target?: Float32Array, offset = 0): Float32Array {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`resize size must be a positive integer, got ${size}`);
  const { width, height, channels, data } = image;
  const out = target ?? new Float32Array(size * size * channels);
  const outLength = size * size * channels;
  if (offset + outLength > out.length) throw new RangeError(`resize target too small: needs ${outLength} values at offset ${offset}`);
  const { left, top, side } = centreSquare(width, height);

  if (side === size) {
    for (let y = 0; y < size; y++) {
      const sourceStart = ((top + y) * width + left) * channels;
      out.set(data.subarray(sourceStart, sourceStart + size * channels), offset + y * size * channels);
    }
    return out;
  }

  const along = contributions(side, size);
  // Pass 1: resample each cropped row horizontally (side rows × size columns), in float64 to keep sums exact.
  const rowPass = new Float64Array(side * size * channels);
  for (let y = 0; y < side; y++) {
    const sourceRow = ((top + y) * width + left) * channels;
    for (let x = 0; x < size; x++) {
      const { first, weights } = along[x] as Contribution;
      const outIndex = (y * size + x) * channels;
      for (let k = 0; k < weights.length; k++) {
        const weight = weights[k] as number;
        const sourceIndex = sourceRow + (first + k) * channels;
        for (let c = 0; c < channels; c++) rowPass[outIndex + c] = (rowPass[outIndex + c] as number) + weight * (data[sourceIndex + c] as number);
      }
    }
  }
  // Pass 2: resample columns vertically.
  const rowStride = size * channels;
  for (let y = 0; y < size; y++) {
    const { first, weights } = along[y] as Contribution;
    const outRow = offset + y * rowStride;
    for (let i = 0; i < rowStride; i++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += (weights[k] as number) * (rowPass[(first + k) * rowStride + i] as number);
      out[outRow + i] = sum;
    }
  }
  return out;
}

/** Resizes to a size×size RawImage (see resizeToSquare). */
export function resizeImage(image: RawImage, size: number): RawImage {
  return { width: size, height: size, channels: image.channels, bitDepth: image.bitDepth, data: resizeToSquare(image, size) };
}
