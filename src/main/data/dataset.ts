/**
 * Loading an image folder into a pixel matrix for the model: list the supported files, decode them
 * (a few at a time), resize to size×size, reconcile channel counts, attach labels, and report every
 * unusable file instead of letting one bad file sink a run of thousands (unless asked to stop).
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { createMatrix, type Matrix } from '../../ml/matrix';
import { DatasetFileError, describeError } from './errors';
import { imageFormatFromName, readImageFile, SUPPORTED_IMAGE_EXTENSIONS, type ImageFormat } from './image-readers';
import { loadLabels, type LabelColumnOptions } from './labels';
import { readNpyFile } from './npy';
import type { RawImage } from './raw-image';
import { resizeToSquare } from './resize';

export interface DatasetProblem {
  /** Relative path inside the dataset root ('/' separators). */
  file: string;
  reason: string;
}

export interface LoadImageFolderOptions extends LabelColumnOptions {
  /** Side of the square model input; every image is centre-cropped and resized to size×size. */
  size: number;
  /** Channels of the model input; default: the most common channel count (ties go to the larger count). */
  channels?: number;
  /** Labels CSV; a relative path is taken relative to the dataset root. */
  labelsCsv?: string;
  /** 'skip': collect problems and load the rest; 'stop': throw a DatasetFileError at the first problem. */
  onProblem: 'skip' | 'stop';
  /** Load at most this many files (after sorting and `select`). */
  limit?: number;
  /** Keep only files whose relative path passes. */
  select?: (relativePath: string) => boolean;
  /** Descend into sub-folders (default true). Symlinked folders are not followed. */
  recursive?: boolean;
  /** Called after each file, with the number handled so far and the total. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Files decoded at once (default 4). */
  concurrency?: number;
}

export interface LabelReport {
  keyColumn: string;
  labelColumn: string;
  /** CSV keys that match no loaded image file. */
  unmatchedKeys: string[];
  ambiguousKeys: string[];
  conflictingKeys: string[];
  /** Loaded image files without a label. */
  unlabelledFiles: string[];
}

export interface LoadedDataset {
  /** The dataset folder, resolved to its real path. */
  root: string;
  size: number;
  channels: number;
  /** Widest bit depth seen (FITS BITPIX convention); if any image holds floats, the float depth. */
  bitDepth: number;
  /** Loaded files, relative to root with '/' separators, sorted; row i of pixels is files[i]. */
  files: string[];
  /** Label per file, or null when there is no labels CSV or no row for the file. */
  labels: (string | null)[];
  /** rows = images, cols = size·size·channels (HWC), raw native units, not yet normalized. */
  pixels: Matrix;
  /** Files that could not be used (only with onProblem 'skip'). */
  problems: DatasetProblem[];
  /** Loaded files per format. */
  formatCounts: Record<ImageFormat, number>;
  /** How the labels CSV joined to the files; absent without labelsCsv. */
  labelReport?: LabelReport;
}

export interface ListImageFilesOptions {
  recursive?: boolean;
  select?: (relativePath: string) => boolean;
  limit?: number;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function resolveRoot(root: string): Promise<string> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (error) {
    throw new DatasetFileError(root, `dataset folder not found (${describeError(error)})`, { cause: error });
  }
  if (!(await stat(realRoot)).isDirectory()) throw new DatasetFileError(root, 'not a folder');
  return realRoot;
}

/**
 * Supported image files under root, as sorted relative paths with '/' separators. Hidden files and
 * folders (names starting with '.') are skipped; symlinked files are listed (and checked on reading),
 * symlinked folders are not followed, which also rules out cycles.
 */
export async function listImageFiles(root: string, options: ListImageFilesOptions = {}): Promise<string[]> {
  const realRoot = await resolveRoot(root);
  const recursive = options.recursive ?? true;
  const found: string[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      throw new DatasetFileError(prefix || root, `cannot list folder (${describeError(error)})`, { cause: error });
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (recursive) await walk(path.join(folder, entry.name), relative);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && imageFormatFromName(entry.name) !== null) {
        found.push(relative);
      }
    }
  };
  await walk(realRoot, '');
  found.sort(compareStrings);
  const selected = options.select ? found.filter(options.select) : found;
  return options.limit === undefined ? selected : selected.slice(0, Math.max(0, options.limit));
}

/** The real path of a dataset file, or a DatasetFileError if it (through symlinks) lies outside the root. */
async function resolveInsideRoot(realRoot: string, relative: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path.join(realRoot, relative));
  } catch (error) {
    throw new DatasetFileError(relative, `cannot resolve file (${describeError(error)})`, { cause: error });
  }
  const fromRoot = path.relative(realRoot, real);
  if (fromRoot === '' || fromRoot === '..' || fromRoot.startsWith(`..${path.sep}`) || path.isAbsolute(fromRoot)) {
    throw new DatasetFileError(relative, `resolves to ${real}, outside the dataset`);
  }
  return real;
}

interface DecodedFile {
  channels: number;
  bitDepth: number;
  /** size×size×channels, still in the file's own channel count. */
  resized: Float32Array;
}

/** Rec. 601 luma weights, the usual choice for turning RGB into one grey channel. */
const LUMA_WEIGHTS = [0.299, 0.587, 0.114] as const;

/** Converts resized HWC data to `target` channels, or returns null when no sensible conversion exists. */
function matchChannels(data: Float32Array, from: number, target: number): Float32Array | null {
  if (from === target) return data;
  const pixels = data.length / from;
  if (from === 1) {
    const out = new Float32Array(pixels * target);
    for (let p = 0; p < pixels; p++) out.fill(data[p] as number, p * target, (p + 1) * target);
    return out;
  }
  if (from === 3 && target === 1) {
    const out = new Float32Array(pixels);
    for (let p = 0; p < pixels; p++) {
      out[p] = LUMA_WEIGHTS[0] * (data[p * 3] as number) + LUMA_WEIGHTS[1] * (data[p * 3 + 1] as number) + LUMA_WEIGHTS[2] * (data[p * 3 + 2] as number);
    }
    return out;
  }
  return null;
}

/** Combines bit depths: floats win (wider float first), otherwise the larger integer depth. */
function widerBitDepth(a: number, b: number): number {
  if (a < 0 || b < 0) return Math.min(a, b);
  return Math.max(a, b);
}

function majorityChannels(decoded: readonly (DecodedFile | null)[]): number {
  const counts = new Map<number, number>();
  for (const item of decoded) if (item) counts.set(item.channels, (counts.get(item.channels) ?? 0) + 1);
  let best = 0;
  let bestCount = -1;
  for (const [channels, count] of counts) {
    if (count > bestCount || (count === bestCount && channels > best)) {
      best = channels;
      bestCount = count;
    }
  }
  return best;
}

function emptyFormatCounts(): Record<ImageFormat, number> {
  return { png: 0, jpeg: 0, tiff: 0, fits: 0, npy: 0 };
}

/** Loads every supported image under root into one pixel matrix; see LoadImageFolderOptions. */
export async function loadImageFolder(root: string, options: LoadImageFolderOptions): Promise<LoadedDataset> {
  const { size, onProblem, signal } = options;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
  if (options.channels !== undefined && (!Number.isInteger(options.channels) || options.channels < 1)) {
    throw new RangeError(`channels must be a positive integer, got ${options.channels}`);
  }
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  signal?.throwIfAborted();

  const realRoot = await resolveRoot(root);
  const files = await listImageFiles(realRoot, { recursive: options.recursive, select: options.select, limit: options.limit });
  if (files.length === 0) {
    throw new DatasetFileError(root, `no supported image files found (looked for ${SUPPORTED_IMAGE_EXTENSIONS.join(' ')})`);
  }

  const problems: DatasetProblem[] = [];
  const report = (file: string, reason: string): void => {
    if (onProblem === 'stop') throw new DatasetFileError(file, reason);
    problems.push({ file, reason });
  };

  // Decode with bounded concurrency; results keep the sorted file order.
  const decoded: (DecodedFile | null)[] = new Array<DecodedFile | null>(files.length).fill(null);
  let nextIndex = 0;
  let done = 0;
  let stopError: unknown = null;
  const worker = async (): Promise<void> => {
    while (stopError === null && nextIndex < files.length) {
      const index = nextIndex++;
      const relative = files[index] as string;
      try {
        signal?.throwIfAborted();
        const image: RawImage = await readImageFile(await resolveInsideRoot(realRoot, relative));
        decoded[index] = { channels: image.channels, bitDepth: image.bitDepth, resized: resizeToSquare(image, size) };
      } catch (error) {
        if (error instanceof DatasetFileError) {
          try {
            report(relative, error.reason);
          } catch (stop) {
            stopError = stop;
          }
        } else {
          stopError = error; // aborts and programming errors end the load
        }
      }
      done++;
      if (stopError === null) options.onProgress?.(done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  if (stopError !== null) throw stopError;

  const channels = options.channels ?? majorityChannels(decoded);
  const rows: { file: string; data: Float32Array; bitDepth: number; format: ImageFormat }[] = [];
  files.forEach((file, index) => {
    const item = decoded[index];
    if (!item) return;
    decoded[index] = null; // let each image's buffer go once it is placed
    const data = matchChannels(item.resized, item.channels, channels);
    if (data === null) {
      report(file, `has ${item.channels} band${item.channels === 1 ? '' : 's'}, dataset has ${channels}`);
      return;
    }
    rows.push({ file, data, bitDepth: item.bitDepth, format: imageFormatFromName(file) as ImageFormat });
  });
  problems.sort((a, b) => compareStrings(a.file, b.file)); // decoding finishes out of order; report in file order
  if (rows.length === 0) {
    const first = problems[0];
    throw new DatasetFileError(root, `none of the ${files.length} image files could be used${first ? ` (first problem: ${first.file}: ${first.reason})` : ''}`);
  }

  const cols = size * size * channels;
  const pixels = createMatrix(rows.length, cols);
  const formatCounts = emptyFormatCounts();
  let bitDepth = rows[0]?.bitDepth ?? 8;
  rows.forEach((row, r) => {
    pixels.data.set(row.data, r * cols);
    formatCounts[row.format]++;
    bitDepth = widerBitDepth(bitDepth, row.bitDepth);
  });
  const loadedFiles = rows.map((row) => row.file);

  let labels: (string | null)[] = loadedFiles.map(() => null);
  let labelReport: LabelReport | undefined;
  if (options.labelsCsv !== undefined) {
    const csvPath = path.resolve(realRoot, options.labelsCsv);
    const join = await loadLabels(csvPath, loadedFiles, { keyColumn: options.keyColumn, labelColumn: options.labelColumn });
    labels = loadedFiles.map((file) => join.labels.get(file) ?? null);
    labelReport = {
      keyColumn: join.keyColumn,
      labelColumn: join.labelColumn,
      unmatchedKeys: join.unmatchedKeys,
      ambiguousKeys: join.ambiguousKeys,
      conflictingKeys: join.conflictingKeys,
      unlabelledFiles: join.unlabelledFiles,
    };
  }

  return { root: realRoot, size, channels, bitDepth, files: loadedFiles, labels, pixels, problems, formatCounts, labelReport };
}

/** A 2-D .npy of features (rows = items) as a float32 matrix, for detectors that work on feature vectors. */
export function loadNpyFeatures(file: string): Matrix {
  const array = readNpyFile(file);
  if (array.shape.length !== 2) {
    throw new DatasetFileError(file, `feature array must be 2-D (items × features), got shape (${array.shape.join(', ')})`);
  }
  const [rows, cols] = array.shape as [number, number];
  const data = Float32Array.from(array.data);
  let nonFinite = 0;
  let firstBad = -1;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      if (firstBad < 0) firstBad = i;
      nonFinite++;
    }
  }
  if (nonFinite > 0) {
    const where = `row ${Math.floor(firstBad / cols)}, column ${firstBad % cols}`;
    throw new DatasetFileError(file, `${nonFinite} feature values are NaN or infinite (or overflow float32); first at ${where}`);
  }
  return createMatrix(rows, cols, data);
}
