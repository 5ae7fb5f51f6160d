/**
 * The decoded form of every supported image file, before resizing and normalisation.
 */
import { DatasetFileError } from './errors';

export interface RawImage {
  width: number;
  height: number;
  channels: number;
  /**
   * Bits per sample of the stored data, FITS BITPIX style: 8, 16, 32, 64 for integers (any sign),
   * -32 and -64 for floating point. Other integer depths (e.g. 12-bit TIFF) are reported as stored.
   * Only 8 means "values are 0..255", which lets normalisation use a fixed range.
   */
  bitDepth: number;
  /** height × width × channels values, row-major, channels interleaved (HWC), in the file's native units (0..65535 for 16-bit). */
  data: Float32Array;
}

/** Upper bound on decoded values per image (1 GiB of float32), so a huge or lying header fails cleanly. */
export const MAX_IMAGE_VALUES = 2 ** 28;

/** Validates dimensions from a file header before anything is allocated. */
export function checkImageSize(file: string, width: number, height: number, channels: number): void {
  for (const [what, value] of [['width', width], ['height', height], ['channels', channels]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new DatasetFileError(file, `invalid image ${what} ${value}`);
  }
  if (width * height * channels > MAX_IMAGE_VALUES) {
    throw new DatasetFileError(file, `image too large (${width}×${height}×${channels} values; the limit is ${MAX_IMAGE_VALUES})`);
  }
}

/** Counts NaN and ±Inf values; the model must never see them. */
export function countNonFinite(data: Float32Array): number {
  let count = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) count++;
  return count;
}
