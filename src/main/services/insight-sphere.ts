/**
 * The paper's 3-D view of the hypersphere: each item's latent mean μ, its n coordinates averaged in
 * three contiguous groups and normalized to the unit sphere (sphere3d in ml/spherical.ts). Comp.VAE
 * packs normal items into an island; a standard VAE spreads them over the sphere.
 */
import type { SpherePoints } from '../../shared/ipc-insight';
import { Rng } from '../../ml/rng';
import { sphere3d } from '../../ml/spherical';
import type { InsightAngles } from './insight-angles';
import type { InsightRunData } from './insight-run-data';

/** Fixed, so the same run always shows the same sample. */
const SAMPLE_SEED = 20_100;

/**
 * Which positions of `count` to draw when there are more than `maxPoints`: a seeded sample, ascending,
 * always holding the `keep` positions (the most anomalous items must never be sampled away).
 */
export function samplePositions(count: number, maxPoints: number, keep: readonly number[] = []): number[] {
  if (count <= maxPoints) return Array.from({ length: count }, (_, i) => i);
  const chosen = new Set(keep.filter((position) => position < count).slice(0, maxPoints));
  for (const position of new Rng(SAMPLE_SEED).permutation(count)) {
    if (chosen.size >= maxPoints) break;
    chosen.add(position);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** How many of the top-ranked items a sampled sphere always shows. */
const ALWAYS_SHOWN_TOP_RANKS = 200;

export class InsightSphere {
  constructor(
    private readonly data: InsightRunData,
    private readonly angles: InsightAngles,
  ) {}

  points(runId: string, epoch: number | null, maxPoints: number): SpherePoints {
    const table = this.data.table(runId);
    const base = { runId, method: table.run.method, epoch };
    const sample = this.angles.latentSample(table, epoch);
    if ('reason' in sample) {
      return { ...base, dimension: 0, total: 0, sampled: false, points: emptyColumns(), unavailableReason: sample.reason };
    }
    if (sample.dimension < 3) {
      return { ...base, dimension: sample.dimension, total: 0, sampled: false, points: emptyColumns(), unavailableReason: `The 3-D view needs a latent of at least 3 dimensions; this run has ${sample.dimension}.` };
    }
    const labels = this.data.userLabels(table);
    const topRanked = sample.rows.flatMap((row, position) => {
      const rank = table.ranks[row] as number;
      return rank > 0 && rank <= ALWAYS_SHOWN_TOP_RANKS ? [position] : [];
    });
    const positions = samplePositions(sample.rows.length, maxPoints, topRanked);
    const points = emptyColumns();
    for (const position of positions) {
      const row = sample.rows[position] as number;
      const [x, y, z] = sphere3d(sample.vectors.subarray(position * sample.dimension, (position + 1) * sample.dimension));
      const score = table.scores[row] as number;
      const rank = table.ranks[row] as number;
      points.index.push(table.indexes[row] as number);
      points.x.push(x);
      points.y.push(y);
      points.z.push(z);
      points.score.push(Number.isNaN(score) ? null : score);
      points.rank.push(rank > 0 ? rank : null);
      points.anomaly.push(table.anomaly[row] ?? null);
      points.label.push(table.labels[row] ?? null);
      points.userLabel.push(labels.labels[row] ?? null);
      points.file.push(table.files[row] as string);
    }
    return { ...base, dimension: sample.dimension, total: sample.rows.length, sampled: positions.length < sample.rows.length, points, unavailableReason: null };
  }
}

function emptyColumns(): SpherePoints['points'] {
  return { index: [], x: [], y: [], z: [], score: [], rank: [], anomaly: [], label: [], userLabel: [], file: [] };
}
