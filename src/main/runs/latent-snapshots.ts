/**
 * Per-epoch latent snapshots of a run folder: the encoder means of a fixed, seeded sample of items
 * after every epoch, for the per-angle histograms across epochs and the "how the pole forms" heat map.
 *
 *   latent-snapshots/items.json          the item indices of the sample (rows of every snapshot)
 *   latent-snapshots/epoch-<e>.npy       their means μ after epoch e (sample × n, float32)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Matrix } from '../../ml/matrix';
import { Rng } from '../../ml/rng';
import { readNpyFile, writeNpyFile } from '../data/npy';
import { writeFileAtomic } from './atomic';

export const SNAPSHOT_FOLDER = 'latent-snapshots';
export const DEFAULT_SNAPSHOT_ITEMS = 512;

/** A seeded sample of item indices, ascending (all items when there are fewer than `count`). */
export function snapshotSample(items: number, count: number, seed: number): number[] {
  if (count <= 0) return [];
  if (items <= count) return Array.from({ length: items }, (_, i) => i);
  return new Rng(seed + 7)
    .permutation(items)
    .slice(0, count)
    .sort((a, b) => a - b);
}

export function writeSnapshotItems(runDir: string, items: readonly number[]): void {
  if (items.length === 0) return;
  mkdirSync(join(runDir, SNAPSHOT_FOLDER), { recursive: true });
  writeFileAtomic(join(runDir, SNAPSHOT_FOLDER, 'items.json'), JSON.stringify({ items }));
}

export function writeLatentSnapshot(runDir: string, epoch: number, means: Matrix): void {
  mkdirSync(join(runDir, SNAPSHOT_FOLDER), { recursive: true });
  writeNpyFile(join(runDir, SNAPSHOT_FOLDER, `epoch-${epoch}.npy`), { shape: [means.rows, means.cols], data: means.data });
}

export interface LatentSnapshots {
  items: number[];
  /** Epochs with a snapshot, ascending. */
  epochs: number[];
  read(epoch: number): { rows: number; cols: number; data: Float32Array };
}

/** The snapshots of a run folder, or null when it has none (older runs, snapshots off). */
export function readLatentSnapshots(runDir: string): LatentSnapshots | null {
  const folder = join(runDir, SNAPSHOT_FOLDER);
  if (!existsSync(join(folder, 'items.json'))) return null;
  const { items } = z.object({ items: z.array(z.number().int().nonnegative()) }).parse(JSON.parse(readFileSync(join(folder, 'items.json'), 'utf8')));
  const epochs = readdirSync(folder)
    .map((name) => /^epoch-(\d+)\.npy$/.exec(name)?.[1])
    .filter((e): e is string => e !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return {
    items,
    epochs,
    read(epoch) {
      const array = readNpyFile(join(folder, `epoch-${epoch}.npy`));
      const [rows, cols] = array.shape as [number, number];
      if (array.shape.length !== 2 || rows !== items.length) throw new Error(`${folder}/epoch-${epoch}.npy: expected ${items.length} rows, shape is [${array.shape.join(', ')}]`);
      return { rows, cols, data: Float32Array.from(array.data as ArrayLike<number>) };
    },
  };
}
