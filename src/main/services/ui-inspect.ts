/**
 * Importing a dataset for the app: the services' scan (list, hash, record, join the labels) followed by
 * one decode of every file, which is what it takes to list each unreadable file with its reason and
 * to count the shapes, band counts and bit depths. Progress goes out as jobs:progress; the result is
 * kept next to the database so the overview can be shown again later without decoding again.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DatasetInspectionSchema, type DatasetInspection, type DatasetSummary } from '../../shared/ipc';
import { DatasetFileError, describeError } from '../data/errors';
import { readImageFile } from '../data/image-readers';
import { writeFileAtomic } from '../runs/atomic';
import type { PolarisStore } from '../store/store';
import { scanDatasetFolder } from './dataset-scan';
import type { JobHandle } from './ui-jobs';

/** Files decoded at once: reading overlaps with decoding without flooding memory. */
const DECODE_CONCURRENCY = 4;
const FILES_PAGE = 5000;

function countsByExtension(files: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const file of files) {
    const extension = path.extname(file).slice(1).toLowerCase();
    counts[extension] = (counts[extension] ?? 0) + 1;
  }
  return counts;
}

export class UiDatasetInspector {
  private readonly folder: string | null;
  private readonly memory = new Map<number, DatasetInspection>();

  constructor(private readonly store: PolarisStore) {
    // Inspections live next to the database (an in-memory database keeps them in memory).
    this.folder = store.path === ':memory:' ? null : path.join(path.dirname(store.path), 'inspections');
  }

  private allFiles(datasetId: number): { file: string; label: string | null }[] {
    const files: { file: string; label: string | null }[] = [];
    for (let offset = 0; ; offset += FILES_PAGE) {
      const page = this.store.datasets.pageFiles(datasetId, offset, FILES_PAGE);
      files.push(...page.files);
      if (page.files.length < FILES_PAGE) return files;
    }
  }

  async importFolder(folder: string, labelsCsv: string | undefined, job: JobHandle): Promise<{ summary: DatasetSummary; inspection: DatasetInspection }> {
    job.progress('listing', 0, 0);
    const summary = await scanDatasetFolder(this.store, folder, {
      ...(labelsCsv === undefined ? {} : { labelsCsv }),
      onProgress: (done, total) => job.progress('hashing', done, total),
      signal: job.signal,
    });
    job.throwIfCancelled();
    const files = this.allFiles(summary.datasetId);
    const problems: { file: string; reason: string }[] = [];
    const shapes = new Map<string, { width: number; height: number; channels: number; count: number }>();
    const bitDepths = new Map<number, number>();
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const entry = files[next++] as { file: string };
        job.throwIfCancelled();
        try {
          const image = await readImageFile(path.join(summary.path, entry.file));
          const key = `${image.width}×${image.height}×${image.channels}`;
          const shape = shapes.get(key) ?? { width: image.width, height: image.height, channels: image.channels, count: 0 };
          shape.count++;
          shapes.set(key, shape);
          bitDepths.set(image.bitDepth, (bitDepths.get(image.bitDepth) ?? 0) + 1);
        } catch (error) {
          problems.push({ file: entry.file, reason: error instanceof DatasetFileError ? error.reason : describeError(error) });
        }
        job.progress('decoding', ++done, files.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(DECODE_CONCURRENCY, Math.max(1, files.length)) }, worker));
    job.throwIfCancelled();

    problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    const inspection: DatasetInspection = {
      datasetId: summary.datasetId,
      fileCount: files.length,
      readableCount: files.length - problems.length,
      countsByExtension: countsByExtension(files.map((entry) => entry.file)),
      labelledCount: files.filter((entry) => entry.label !== null).length,
      problems,
      shapes: [...shapes.values()].sort((a, b) => b.count - a.count),
      bitDepths: [...bitDepths].map(([bitDepth, count]) => ({ bitDepth, count })).sort((a, b) => b.count - a.count),
      inspectedAt: new Date().toISOString(),
    };
    this.save(inspection);
    return { summary, inspection };
  }

  private save(inspection: DatasetInspection): void {
    this.memory.set(inspection.datasetId, inspection);
    if (this.folder === null) return;
    mkdirSync(this.folder, { recursive: true });
    writeFileAtomic(path.join(this.folder, `dataset-${inspection.datasetId}.json`), `${JSON.stringify(inspection)}\n`);
  }

  /** The last import's inspection, or null when the dataset was never imported here (or has been rescanned since). */
  inspection(datasetId: number): DatasetInspection | null {
    const dataset = this.store.datasets.get(datasetId);
    if (dataset === undefined) return null;
    let found = this.memory.get(datasetId) ?? null;
    if (found === null && this.folder !== null) {
      try {
        const parsed = DatasetInspectionSchema.safeParse(JSON.parse(readFileSync(path.join(this.folder, `dataset-${datasetId}.json`), 'utf8')));
        found = parsed.success ? parsed.data : null;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
      }
    }
    // A scan after the inspection (datasets:scan, another app) may have changed the files.
    if (found !== null && dataset.scannedAt !== null && dataset.scannedAt > found.inspectedAt) return null;
    return found;
  }
}
