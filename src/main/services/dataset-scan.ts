/**
 * Scanning a dataset folder for the app: list the image files, hash their contents (SHA-256, a few
 * files at a time, streamed, so the main process stays responsive), read one sample for its shape,
 * join an optional labels CSV, and record it all in the database.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DatasetSummary } from '../../shared/ipc';
import { DatasetFileError, describeError } from '../data/errors';
import { listImageFiles } from '../data/dataset';
import { readImageFile } from '../data/image-readers';
import { loadLabels } from '../data/labels';
import type { DatasetFileRecord } from '../store/datasets-repository';
import type { PolarisStore } from '../store/store';

export interface ScanOptions {
  labelsCsv?: string;
  /** Files hashed at once. */
  concurrency?: number;
  /** How many files to try before giving up on finding a sample shape. */
  sampleAttempts?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export async function sha256OfFile(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, signal === undefined ? {} : { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function findSampleShape(root: string, files: readonly string[], attempts: number): Promise<{ shape: DatasetSummary['sampleShape']; failed: Set<string> }> {
  const failed = new Set<string>();
  for (const file of files.slice(0, attempts)) {
    try {
      const image = await readImageFile(path.join(root, file));
      return { shape: { width: image.width, height: image.height, channels: image.channels }, failed };
    } catch (error) {
      if (!(error instanceof DatasetFileError)) throw error;
      failed.add(file);
    }
  }
  return { shape: null, failed };
}

export async function scanDatasetFolder(store: PolarisStore, folder: string, options: ScanOptions = {}): Promise<DatasetSummary> {
  let root: string;
  try {
    root = await realpath(folder);
  } catch (error) {
    throw new DatasetFileError(folder, `dataset folder not found (${describeError(error)})`, { cause: error });
  }
  const files = await listImageFiles(root);
  const records: (DatasetFileRecord | null)[] = new Array<DatasetFileRecord | null>(files.length).fill(null);
  const unreadable = new Set<string>();
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      const file = files[index] as string;
      options.signal?.throwIfAborted();
      try {
        const absolute = path.join(root, file);
        const [info, sha256] = await Promise.all([stat(absolute), sha256OfFile(absolute, options.signal)]);
        records[index] = { file, bytes: info.size, sha256, label: null };
      } catch (error) {
        if (options.signal?.aborted) throw error;
        unreadable.add(file);
        records[index] = { file, bytes: null, sha256: null, label: null };
      }
      options.onProgress?.(++done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, options.concurrency ?? 4), Math.max(files.length, 1)) }, worker));

  const readable = files.filter((file) => !unreadable.has(file));
  const sample = await findSampleShape(root, readable, options.sampleAttempts ?? 10);
  for (const file of sample.failed) unreadable.add(file);

  let labelledCount = 0;
  if (options.labelsCsv !== undefined) {
    const join = await loadLabels(path.resolve(root, options.labelsCsv), files);
    records.forEach((record) => {
      if (record === null) return;
      record.label = join.labels.get(record.file) ?? null;
      if (record.label !== null) labelledCount++;
    });
  }

  const countsByExtension: Record<string, number> = {};
  for (const file of files) {
    const extension = path.extname(file).slice(1).toLowerCase();
    countsByExtension[extension] = (countsByExtension[extension] ?? 0) + 1;
  }
  const finalRecords = records.filter((record): record is DatasetFileRecord => record !== null);
  const datasetId = store.datasets.ensure('folder', root);
  store.datasets.recordScan(datasetId, {
    labelsCsv: options.labelsCsv ?? null,
    imageWidth: sample.shape?.width ?? null,
    imageHeight: sample.shape?.height ?? null,
    channels: sample.shape?.channels ?? null,
    files: finalRecords,
  });
  return {
    datasetId,
    path: root,
    imageCount: files.length,
    countsByExtension,
    totalBytes: finalRecords.reduce((sum, record) => sum + (record.bytes ?? 0), 0),
    unreadableCount: unreadable.size,
    sampleShape: sample.shape,
    hashedCount: finalRecords.filter((record) => record.sha256 !== null).length,
    labelledCount,
  };
}
