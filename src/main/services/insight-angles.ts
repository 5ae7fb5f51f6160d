/**
 * Per-angle views of a run's latent space (method.md §2): histograms of cos φ_i or φ_i of every item,
 * from the scored model (every item's latent mean) or from the latent snapshot of an epoch (a seeded
 * sample, latent-snapshots.ts), split into groups and overlaid across epochs and runs on shared bins;
 * and the mean cos φ_i of the sample after every epoch, the heat map that shows the pole forming.
 */
import type { AngleHeatmap, AngleHistograms, AngleScale, ItemGrouping } from '../../shared/ipc-insight';
import { cosines, DEFAULT_COSINE_EPS } from '../../ml/spherical';
import { readLatentSnapshots, type LatentSnapshots } from '../runs/latent-snapshots';
import { anomalyOf, binContains, countGroups, evenEdges, makeGrouper, valueRange } from './insight-groups';
import type { InsightRunData, RunTable, UserLabelColumns } from './insight-run-data';

const DEGREES_PER_RADIAN = 180 / Math.PI;

export interface AngleHistogramRequest {
  series: readonly { runId: string; epoch: number | null }[];
  angle: number;
  scale: AngleScale;
  grouping: ItemGrouping;
  bins: number;
  range: 'full' | 'data';
}

/** The latent means behind one series: table rows and their vectors. */
export interface LatentSample {
  rows: number[];
  dimension: number;
  /** rows.length × dimension. */
  vectors: Float32Array;
}

/**
 * One angle of one vector, the same number as cosines(vector, eps)[angle − 1] (eps inside the root, as
 * the losses compute it) or angles(vector)[angle − 1] in degrees (exact; φ_{n−1} ∈ [0°, 360°)) of
 * ml/spherical.ts, without computing the other angles: one tail sum from index angle − 1.
 */
export function angleValue(vector: ArrayLike<number>, angle: number, scale: AngleScale, eps: number = DEFAULT_COSINE_EPS): number {
  const i = angle - 1;
  let tail = 0;
  for (let j = vector.length - 1; j >= i; j--) tail += (vector[j] as number) ** 2;
  const x = vector[i] as number;
  if (scale === 'cosine') return x / Math.sqrt(tail + eps);
  const norm = Math.sqrt(tail);
  let phi = Math.acos(norm === 0 ? 1 : Math.min(1, Math.max(-1, x / norm)));
  if (i === vector.length - 2 && (vector[vector.length - 1] as number) < 0) phi = 2 * Math.PI - phi;
  return phi * DEGREES_PER_RADIAN;
}

/** The run's cosine eps (config cosineEps), so the values match the stored per-angle cosines and the losses. */
export function cosineEpsOf(table: RunTable): number {
  const configured = table.run.config['cosineEps'];
  return typeof configured === 'number' && Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_COSINE_EPS;
}

/** The fixed axis of an angle: [−1, 1] for cosines; [0°, 180°], or [0°, 360°) for the last angle φ_{n−1}. */
export function fullRange(scale: AngleScale, angle: number, dimension: number): { min: number; max: number } {
  if (scale === 'cosine') return { min: -1, max: 1 };
  return { min: 0, max: angle === dimension - 1 ? 360 : 180 };
}

export class InsightAngles {
  private readonly snapshotCache = new Map<string, LatentSnapshots | null>();
  private readonly heatmapCache = new Map<string, AngleHeatmap>();

  constructor(private readonly data: InsightRunData) {}

  private snapshots(table: RunTable): LatentSnapshots | null {
    // Keyed by the run's state: a run that trains on adds epochs.
    const key = `${table.key}|${table.run.runDir}`;
    if (!this.snapshotCache.has(key)) {
      let snapshots: LatentSnapshots | null = null;
      try {
        snapshots = readLatentSnapshots(table.run.runDir);
      } catch {
        snapshots = null; // an unreadable items.json counts as no snapshots
      }
      this.snapshotCache.set(key, snapshots);
    }
    return this.snapshotCache.get(key) ?? null;
  }

  /** The latent means of a run after `epoch` (its snapshot sample), or of every scored item (epoch null). */
  latentSample(table: RunTable, epoch: number | null): LatentSample | { reason: string } {
    if (epoch === null) {
      const latents = this.data.latentMeans(table);
      if (latents === null) return { reason: 'This run stored no latent means (a pixel baseline, or not scored yet).' };
      const rows: number[] = [];
      for (let row = 0; row < table.indexes.length; row++) if (latents.hasMean[row] === 1) rows.push(row);
      const vectors = new Float32Array(rows.length * latents.dimension);
      rows.forEach((row, position) => vectors.set(latents.values.subarray(row * latents.dimension, (row + 1) * latents.dimension), position * latents.dimension));
      return { rows, dimension: latents.dimension, vectors };
    }
    const snapshots = this.snapshots(table);
    if (snapshots === null) return { reason: 'This run has no per-epoch latent snapshots (it was trained before they existed, or with them off).' };
    if (!snapshots.epochs.includes(epoch)) return { reason: `This run has no latent snapshot after epoch ${epoch + 1}.` };
    const snapshot = snapshots.read(epoch);
    const rows: number[] = [];
    const keep: number[] = [];
    snapshots.items.forEach((index, position) => {
      const row = table.rowOfIndex.get(index);
      if (row !== undefined) {
        rows.push(row);
        keep.push(position);
      }
    });
    const vectors = new Float32Array(rows.length * snapshot.cols);
    keep.forEach((position, out) => vectors.set(snapshot.data.subarray(position * snapshot.cols, (position + 1) * snapshot.cols), out * snapshot.cols));
    return { rows, dimension: snapshot.cols, vectors };
  }

  /** One angle of every vector of a sample; NaN for all when the angle does not exist at this dimension. */
  angleValues(sample: LatentSample, angle: number, scale: AngleScale, eps: number): Float64Array {
    const values = new Float64Array(sample.rows.length).fill(Number.NaN);
    if (angle > sample.dimension - 1) return values;
    for (let position = 0; position < sample.rows.length; position++) {
      values[position] = angleValue(sample.vectors.subarray(position * sample.dimension, (position + 1) * sample.dimension), angle, scale, eps);
    }
    return values;
  }

  histograms(request: AngleHistogramRequest): AngleHistograms {
    const prepared = request.series.map((entry) => {
      const table = this.data.table(entry.runId);
      const sample = this.latentSample(table, entry.epoch);
      if ('reason' in sample) return { entry, table, reason: sample.reason, sample: null, values: null };
      if (request.angle > sample.dimension - 1) {
        return { entry, table, reason: `This run's latent has n = ${sample.dimension}: its angles are φ_1 … φ_${sample.dimension - 1}.`, sample: null, values: null };
      }
      return { entry, table, reason: null, sample, values: this.angleValues(sample, request.angle, request.scale, cosineEpsOf(table)) };
    });

    // Shared edges: the full axis of the angle, or the span of every series' values.
    const dimensions = prepared.flatMap((series) => (series.sample === null ? [] : [series.sample.dimension]));
    let range = fullRange(request.scale, request.angle, dimensions.length > 0 ? Math.min(...dimensions) : Infinity);
    if (request.range === 'data') {
      range = valueRange(prepared.flatMap((series) => (series.values === null ? [] : Array.from(series.values)))) ?? range;
    }
    const edges = evenEdges(range.min, range.max, request.bins);

    return {
      angle: request.angle,
      scale: request.scale,
      grouping: request.grouping,
      edges,
      series: prepared.map(({ entry, table, reason, sample, values }) => {
        if (sample === null || values === null) {
          return { runId: entry.runId, method: table.run.method, epoch: entry.epoch, itemCount: 0, groups: [], unavailableReason: reason };
        }
        const labels = this.data.userLabels(table);
        const grouper = makeGrouper(request.grouping, table, labels, sample.rows);
        return {
          runId: entry.runId,
          method: table.run.method,
          epoch: entry.epoch,
          itemCount: sample.rows.length,
          groups: countGroups(grouper, sample.rows, values, edges),
          unavailableReason: null,
        };
      }),
    };
  }

  /** The rows of a run whose angle value falls in one histogram bin (and group): what a bin click shows. */
  binRows(
    table: RunTable,
    labels: UserLabelColumns,
    bin: { epoch: number | null; angle: number; scale: AngleScale; low: number; high: number; firstBin: boolean; lastBin: boolean; grouping: ItemGrouping; group: string | null },
  ): number[] {
    const sample = this.latentSample(table, bin.epoch);
    if ('reason' in sample) return [];
    const values = this.angleValues(sample, bin.angle, bin.scale, cosineEpsOf(table));
    const grouper = makeGrouper(bin.grouping, table, labels, sample.rows);
    return sample.rows.filter((row, position) => {
      const value = values[position] as number;
      return !Number.isNaN(value) && binContains(value, bin) && (bin.group === null || grouper.keyOf(row) === bin.group);
    });
  }

  heatmap(runId: string, group: 'all' | 'normal' | 'anomalous'): AngleHeatmap {
    const table = this.data.table(runId);
    const snapshots = this.snapshots(table);
    const empty = (reason: string): AngleHeatmap => ({ runId, epochs: [], angleCount: 0, meanCosines: [], itemCount: 0, unavailableReason: reason });
    if (snapshots === null || snapshots.epochs.length === 0) {
      return empty('This run has no per-epoch latent snapshots (it was trained before they existed, or with them off).');
    }
    const labels = this.data.userLabels(table);
    // Which sample positions enter the means: decided by labels, so they are part of the cache key.
    const positions: number[] = [];
    snapshots.items.forEach((index, position) => {
      const row = table.rowOfIndex.get(index);
      if (row === undefined) return;
      const anomaly = anomalyOf(table, labels, row);
      if (group === 'all' || (group === 'normal' && anomaly === 0) || (group === 'anomalous' && anomaly === 1)) positions.push(position);
    });
    const cacheKey = `${table.key}|${snapshots.epochs.join(',')}|${group}|${positions.join(',')}`;
    const cached = this.heatmapCache.get(cacheKey);
    if (cached !== undefined) return cached;
    if (positions.length === 0) return empty(`No item of the snapshot sample is labelled ${group}.`);

    const meanCosines: number[][] = [];
    const eps = cosineEpsOf(table);
    let angleCount = 0;
    for (const epoch of snapshots.epochs) {
      const snapshot = snapshots.read(epoch);
      angleCount = Math.max(snapshot.cols - 1, 0);
      const sums = new Float64Array(angleCount);
      for (const position of positions) {
        const vectorCosines = cosines(snapshot.data.subarray(position * snapshot.cols, (position + 1) * snapshot.cols), eps);
        for (let angle = 0; angle < angleCount; angle++) sums[angle] = (sums[angle] as number) + (vectorCosines[angle] as number);
      }
      meanCosines.push(Array.from(sums, (sum) => sum / positions.length));
    }
    const heatmap: AngleHeatmap = { runId, epochs: [...snapshots.epochs], angleCount, meanCosines, itemCount: positions.length, unavailableReason: null };
    if (this.heatmapCache.size > 16) this.heatmapCache.clear();
    this.heatmapCache.set(cacheKey, heatmap);
    return heatmap;
  }
}
