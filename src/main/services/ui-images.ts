/**
 * Thumbnails and band images for the UI: a dataset file read with the project's readers, centre-cropped
 * and resized like the model's input, its bands mapped to red, green and blue (or one band to grey),
 * stretched (linear, percentile or asinh) and encoded as PNG. Only files the dataset lists, inside its
 * folder, are ever read. Results are cached by file, size and settings.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { DisplaySettings, ImageFacts, StretchKind, Thumbnail } from '../../shared/ipc';
import { DatasetFileError, describeError } from '../data/errors';
import { readImageFile, type RawImage } from '../data/image-readers';
import { fitStretch, stretchToBytes, type StretchParams } from '../data/normalization';
import { resizeImage } from '../data/resize';
import type { PolarisStore } from '../store/store';
import { NotFoundError } from './app-services';

/** Encodes size×size interleaved RGB bytes as a PNG. */
export function encodeRgbPng(rgb: Uint8Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let pixel = 0; pixel < width * height; pixel++) {
    png.data[pixel * 4] = rgb[pixel * 3] as number;
    png.data[pixel * 4 + 1] = rgb[pixel * 3 + 1] as number;
    png.data[pixel * 4 + 2] = rgb[pixel * 3 + 2] as number;
    png.data[pixel * 4 + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: 2 });
}

/** The bands shown as R, G, B: the requested ones (clamped to what the image has), or the automatic choice. */
export function displayBands(channels: number, bands: DisplaySettings['bands']): [number, number, number] {
  const clamp = (band: number): number => Math.min(Math.max(0, band), channels - 1);
  if (bands === null) return channels >= 3 ? [0, 1, 2] : [0, 0, 0];
  if (bands.length === 1) {
    const grey = clamp(bands[0]);
    return [grey, grey, grey];
  }
  return [clamp(bands[0]), clamp(bands[1]), clamp(bands[2])];
}

/** One band of an HWC image as its own array. */
export function bandValues(image: RawImage, band: number): Float32Array {
  const pixels = image.width * image.height;
  const out = new Float32Array(pixels);
  for (let pixel = 0; pixel < pixels; pixel++) out[pixel] = image.data[pixel * image.channels + band] as number;
  return out;
}

/**
 * The composite of an image as RGB bytes. The stretch is fitted on the displayed bands together, so
 * colours keep their balance (a per-band stretch would tint every image differently).
 */
/**
 * Stretch parameters for display: as fitStretch, except that 'linear' shows 8-bit data as stored
 * (0..255) instead of from its minimum to its maximum, so ordinary photos keep their look.
 */
export function displayStretch(values: ArrayLike<number>, kind: StretchKind, bitDepth: number): StretchParams {
  if (kind === 'linear' && bitDepth === 8) return { kind: 'linear', low: 0, high: 255 };
  return fitStretch(values, kind);
}

export function compositeRgb(image: RawImage, display: DisplaySettings): Uint8Array {
  const [red, green, blue] = displayBands(image.channels, display.bands);
  const pixels = image.width * image.height;
  const shown = new Float32Array(pixels * 3);
  for (let pixel = 0; pixel < pixels; pixel++) {
    const base = pixel * image.channels;
    shown[pixel * 3] = image.data[base + red] as number;
    shown[pixel * 3 + 1] = image.data[base + green] as number;
    shown[pixel * 3 + 2] = image.data[base + blue] as number;
  }
  return stretchToBytes(shown, displayStretch(shown, display.stretch, image.bitDepth));
}

export function greyToRgb(grey: Uint8Array): Uint8Array {
  const rgb = new Uint8Array(grey.length * 3);
  for (let i = 0; i < grey.length; i++) rgb.fill(grey[i] as number, i * 3, i * 3 + 3);
  return rgb;
}

export function imageFacts(image: RawImage): ImageFacts {
  return { width: image.width, height: image.height, channels: image.channels, bitDepth: image.bitDepth };
}

/** Least-recently-used cache bounded by total string length (base64 PNGs). */
export class BoundedCache<V extends { readonly weight: number }> {
  private readonly entries = new Map<string, V>();
  private total = 0;

  constructor(private readonly maxWeight: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    const previous = this.entries.get(key);
    if (previous !== undefined) this.total -= previous.weight;
    this.entries.delete(key);
    this.entries.set(key, value);
    this.total += value.weight;
    for (const [oldKey, oldValue] of this.entries) {
      if (this.total <= this.maxWeight) break;
      this.entries.delete(oldKey);
      this.total -= oldValue.weight;
    }
  }
}

interface CachedThumbnail {
  thumbnail: Thumbnail;
  weight: number;
}

/** About 64 MB of base64 PNG: several thousand thumbnails. */
const CACHE_BYTES = 64 * 1024 * 1024;

export class UiImageService {
  private readonly cache = new BoundedCache<CachedThumbnail>(CACHE_BYTES);
  private readonly roots = new Map<number, string>();

  constructor(private readonly store: PolarisStore) {}

  /** The absolute path of a dataset file, after checking the dataset lists it and it stays inside the folder. */
  async resolveFile(datasetId: number, file: string): Promise<string> {
    const dataset = this.store.datasets.get(datasetId);
    if (dataset === undefined) throw new NotFoundError(`No dataset ${datasetId}`);
    if (dataset.kind !== 'folder') throw new DatasetFileError(file, 'the embedded demo data has no image files to show');
    if (this.store.datasets.getFile(datasetId, file) === undefined) throw new NotFoundError(`${file} is not a file of dataset ${dataset.path}`);
    let root = this.roots.get(datasetId);
    if (root === undefined) {
      root = await realpath(dataset.path).catch(() => dataset.path);
      this.roots.set(datasetId, root);
    }
    const absolute = path.resolve(root, file);
    const real = await realpath(absolute).catch((error: unknown) => {
      throw new DatasetFileError(file, `file not found (${describeError(error)})`, { cause: error });
    });
    const fromRoot = path.relative(root, real);
    if (fromRoot === '' || fromRoot.startsWith('..') || path.isAbsolute(fromRoot)) throw new DatasetFileError(file, 'resolves outside the dataset folder');
    return real;
  }

  private async read(datasetId: number, file: string): Promise<RawImage> {
    const absolute = await this.resolveFile(datasetId, file);
    try {
      return await readImageFile(absolute);
    } catch (error) {
      // The reader names the absolute path; the UI shows the file as the dataset lists it.
      if (error instanceof DatasetFileError) throw new DatasetFileError(file, error.reason, { cause: error });
      throw error;
    }
  }

  async thumbnail(datasetId: number, file: string, size: number, display: DisplaySettings): Promise<Thumbnail> {
    const key = JSON.stringify([datasetId, file, size, display]);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached.thumbnail;
    let thumbnail: Thumbnail;
    try {
      const image = await this.read(datasetId, file);
      const small = resizeImage(image, size);
      const png = encodeRgbPng(compositeRgb(small, display), size, size).toString('base64');
      thumbnail = { file, png, error: null, facts: imageFacts(image) };
    } catch (error) {
      if (!(error instanceof DatasetFileError) && !(error instanceof NotFoundError)) throw error;
      thumbnail = { file, png: null, error: error instanceof DatasetFileError ? error.reason : error.message, facts: null };
    }
    this.cache.set(key, { thumbnail, weight: (thumbnail.png?.length ?? 0) + 200 });
    return thumbnail;
  }

  async thumbnails(datasetId: number, files: readonly string[], size: number, display: DisplaySettings): Promise<Thumbnail[]> {
    if (this.store.datasets.get(datasetId) === undefined) throw new NotFoundError(`No dataset ${datasetId}`);
    const results: Thumbnail[] = [];
    // One at a time: decoding is synchronous work, and other requests should get their turn between files.
    for (const file of files) results.push(await this.thumbnail(datasetId, file, size, display));
    return results;
  }

  /** Every band of a file as a grey PNG, each stretched on its own (bands can have very different ranges). */
  async bands(datasetId: number, file: string, size: number, stretch: StretchKind): Promise<{ facts: ImageFacts; bands: string[] }> {
    const image = await this.read(datasetId, file);
    const small = resizeImage(image, size);
    const bands: string[] = [];
    for (let band = 0; band < Math.min(small.channels, 64); band++) {
      const values = bandValues(small, band);
      const grey = stretchToBytes(values, displayStretch(values, stretch, small.bitDepth));
      bands.push(encodeRgbPng(greyToRgb(grey), size, size).toString('base64'));
    }
    return { facts: imageFacts(image), bands };
  }
}
