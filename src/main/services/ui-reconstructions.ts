/**
 * Reconstructions for the training monitor and the detail view: a few items run through the model of a
 * run's latest checkpoint. The items are loaded exactly as training loads them (same resize, channels
 * and stored normalization) and shown as the model sees them, 0..1 mapped to black..white.
 *
 * This runs in the main process: a checkpoint of the models Polaris trains loads and reconstructs a
 * handful of images in well under a second. TensorFlow.js is imported on first use only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Reconstructions } from '../../shared/ipc';
import { loadImageFolder } from '../data/dataset';
import { parseCsv } from '../data/labels';
import { applyNormalization, parseNormalization, stretchToBytes } from '../data/normalization';
import { readCheckpoint } from '../runs/checkpoint';
import { readManifest, RUN_FILES } from '../runs/run-folder';
import type { PolarisStore } from '../store/store';
import { NotFoundError } from './app-services';
import { inspectCheckpoint } from './checkpoint-summary';
import { displayBands, encodeRgbPng } from './ui-images';

const MAX_CACHED = 24;

/** `count` item indexes spread evenly over `total` items, the same ones every epoch. */
export function spreadIndexes(total: number, count: number): number[] {
  const wanted = Math.min(total, count);
  return Array.from({ length: wanted }, (_, j) => Math.floor((j * total) / wanted));
}

/** Values in 0..1 (HWC, `channels` per pixel) as an RGB PNG, base64. */
function normalizedToPng(values: Float32Array, size: number, channels: number): string {
  const [red, green, blue] = displayBands(channels, null);
  const pixels = size * size;
  const rgb = new Float32Array(pixels * 3);
  for (let pixel = 0; pixel < pixels; pixel++) {
    rgb[pixel * 3] = values[pixel * channels + red] as number;
    rgb[pixel * 3 + 1] = values[pixel * channels + green] as number;
    rgb[pixel * 3 + 2] = values[pixel * channels + blue] as number;
  }
  return encodeRgbPng(stretchToBytes(rgb, { kind: 'linear', low: 0, high: 1 }), size, size).toString('base64');
}

export class UiReconstructionService {
  private readonly cache = new Map<string, Promise<Reconstructions>>();
  private readonly itemFiles = new Map<string, string[]>();

  constructor(private readonly store: PolarisStore) {}

  /** The run's item files in index order, from items.csv (written before training starts, never changed after). */
  private files(runDir: string): string[] {
    const cached = this.itemFiles.get(runDir);
    if (cached !== undefined) return cached;
    const itemsPath = path.join(runDir, RUN_FILES.items);
    const table = parseCsv(readFileSync(itemsPath, 'utf8'), itemsPath);
    const fileColumn = table.columns.indexOf('file');
    if (fileColumn === -1) throw new Error(`${itemsPath} has no "file" column`);
    const files = table.rows.map((row) => row[fileColumn] ?? '');
    this.itemFiles.set(runDir, files);
    return files;
  }

  async reconstructions(runId: string, indexes: readonly number[] | undefined, count: number | undefined): Promise<Reconstructions> {
    const run = this.store.runs.get(runId);
    if (run === undefined) throw new NotFoundError(`No run ${runId}`);
    const checkpoint = inspectCheckpoint(run.runDir, { verifyContents: false });
    if (checkpoint.kind !== 'usable') return { epochs: null, items: [] };
    const manifest = readManifest(run.runDir);
    if (manifest.dataset.kind !== 'folder') return { epochs: checkpoint.summary.nextEpoch, items: [] };
    const files = this.files(run.runDir);
    const chosen = indexes !== undefined ? [...indexes] : spreadIndexes(files.length, count ?? 6);
    for (const index of chosen) if (index >= files.length) throw new NotFoundError(`Run ${runId} has no item ${index}`);

    const key = JSON.stringify([runId, checkpoint.summary.nextEpoch, chosen]);
    let result = this.cache.get(key);
    if (result === undefined) {
      result = this.compute(run.runDir, manifest, chosen.map((index) => ({ index, file: files[index] as string })));
      this.cache.set(key, result);
      // A failed attempt is not kept: the next request tries again (e.g. after a checkpoint was half-written).
      result.catch(() => this.cache.delete(key));
      if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    }
    return result;
  }

  private async compute(runDir: string, manifest: ReturnType<typeof readManifest>, items: readonly { index: number; file: string }[]): Promise<Reconstructions> {
    const wanted = new Set(items.map((item) => item.file));
    const { size, channels } = manifest.dataset;
    const loaded = await loadImageFolder(manifest.dataset.path, { size, channels, onProblem: 'skip', select: (file) => wanted.has(file) });
    const pixels = applyNormalization(loaded.pixels, parseNormalization(manifest.normalization));
    // Read the checkpoint before loading TensorFlow.js: a half-written one fails fast and cheaply.
    const state = readCheckpoint(runDir);
    const [{ initBackend }, { resolveConfig }, { CompVaeTrainer }] = await Promise.all([import('../../ml/backend'), import('../../ml/config'), import('../../ml/train')]);
    await initBackend();
    const trainer = new CompVaeTrainer(resolveConfig(manifest.config));
    let output: Float32Array;
    try {
      trainer.importState(state);
      output = trainer.reconstruct(pixels).data;
    } finally {
      trainer.dispose();
    }
    const valuesPerImage = size * size * loaded.channels;
    const rowOf = new Map(loaded.files.map((file, row) => [file, row]));
    const result: Reconstructions['items'] = [];
    for (const item of items) {
      const row = rowOf.get(item.file);
      if (row === undefined) continue; // unreadable now: left out rather than failing the whole strip
      const start = row * valuesPerImage;
      result.push({
        index: item.index,
        file: item.file,
        original: normalizedToPng(pixels.data.subarray(start, start + valuesPerImage), size, loaded.channels),
        reconstruction: normalizedToPng(output.subarray(start, start + valuesPerImage), size, loaded.channels),
      });
    }
    return { epochs: state.nextEpoch, items: result };
  }
}
