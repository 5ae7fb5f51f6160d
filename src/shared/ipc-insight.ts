/**
 * The insight channels of the IPC contract (part 2 of the scientist's workflow): per-angle histograms
 * and the "how the pole forms" heat map, the 3-D view of the hypersphere, metrics recomputed from the
 * user's labels, run comparison (config differences, ROC curves, top-k overlap) and score histograms,
 * plus the gallery filters those views open. Merged into `invokeContract` in ./ipc.ts.
 *
 * This file imports nothing from ./ipc at run time: ./ipc imports it to build the contract, and an ES
 * module cycle would leave one side's constants uninitialised depending on which file loads first.
 * The two building blocks it shares with ./ipc (run ids, gallery items) are restated here and checked
 * against the originals: the item shape at compile time below, run ids in tests/insight-services.test.ts.
 */
import { z } from 'zod';
import type { InvokeContract, RunItem } from './ipc';

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** Same rule as RunIdSchema in ./ipc (run ids become directory names). */
const RunIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1–128 letters, digits, dots, dashes or underscores');

const CountSchema = z.int().nonnegative();

/** A run item as the gallery shows it: the same shape as RunItemSchema in ./ipc. */
export const InsightItemSchema = z.object({
  index: CountSchema,
  file: z.string(),
  label: z.string().nullable(),
  anomaly: z.union([z.literal(0), z.literal(1)]).nullable(),
  split: z.enum(['train', 'test']),
  score: z.number().nullable(),
  rank: z.int().positive().nullable(),
  userLabel: z.string().nullable(),
});
export type InsightItem = z.infer<typeof InsightItemSchema>;
// Compile-time proof that the restated item is exactly ./ipc's RunItem, in both directions.
type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const itemShapesAgree: MutuallyAssignable<z.infer<typeof InsightItemSchema>, RunItem> = true;
void itemShapesAgree;

/**
 * The labels Polaris's label controls give (stored as user labels, free text in labels:set). Only
 * "anomalous" and "normal" enter metrics; "interesting" marks an item to come back to.
 */
export const INSIGHT_LABELS = ['anomalous', 'normal', 'interesting'] as const;
export const InsightLabelSchema = z.enum(INSIGHT_LABELS);
export type InsightLabel = z.infer<typeof InsightLabelSchema>;

/** Angles are 1-based as in method.md: φ_1 … φ_{n−1}. */
const AngleNumberSchema = z.int().min(1).max(1023);
/** A finished epoch, 0-based as stored (the UI shows epoch + 1); null = the scored model (all items). */
const EpochSchema = z.int().nonnegative().max(1_000_000).nullable();

/** cos φ_i as the losses see it (eps inside the root, method.md §2), or φ_i in degrees (exact). */
export const AngleScaleSchema = z.enum(['cosine', 'degrees']);
export type AngleScale = z.infer<typeof AngleScaleSchema>;

/**
 * How items are split into overlaid groups:
 *   anomaly     anomalous / normal / unknown: the user's label when it says so, else the dataset's flag
 *   user-label  the user's label (anomalous, normal, interesting) or none
 *   class       the dataset's label (its 12 most common values; the rest as "other")
 *   split       training (normal) / test
 *   none        every item together
 */
export const ItemGroupingSchema = z.enum(['anomaly', 'user-label', 'class', 'split', 'none']);
export type ItemGrouping = z.infer<typeof ItemGroupingSchema>;

/**
 * Which labels metrics are computed from:
 *   dataset   the dataset's anomaly flags on the test split (what the run's own metrics use)
 *   user      the user's "anomalous" / "normal" labels, on any item
 *   combined  the user's label where there is one, else the dataset's flag (test split + labelled items)
 */
export const LabelSourceSchema = z.enum(['dataset', 'user', 'combined']);
export type LabelSource = z.infer<typeof LabelSourceSchema>;

export const GroupCountsSchema = z.object({
  /** Stable key ("anomalous", "normal", "unknown", a class name, …) for colours and filters. */
  key: z.string(),
  label: z.string(),
  /** Items per bin. */
  counts: z.array(CountSchema),
  /** Items in the group (also those outside the bins' range, which are clamped into the end bins). */
  total: CountSchema,
  /** Mean of the values of the group's items, null when it has none. */
  mean: z.number().nullable(),
});
export type GroupCounts = z.infer<typeof GroupCountsSchema>;

/** The anomaly metrics of method.md §9 on one set of labels. */
export const MetricSetSchema = z.object({
  auroc: z.number(),
  /** Paper-code convention: fraction of normal items flagged at 95 % anomaly recall. */
  fpr95: z.number(),
  ap: z.number(),
  /** Precision among the n top-scored items, n = the number of anomalies. */
  precisionAtN: z.number(),
  anomalies: CountSchema,
  normals: CountSchema,
});
export type MetricSet = z.infer<typeof MetricSetSchema>;

/** Metrics, or why there are none (one class only, no scores, …). */
export const MetricOutcomeSchema = z.object({ metrics: MetricSetSchema.nullable(), reason: z.string().nullable() });
export type MetricOutcome = z.infer<typeof MetricOutcomeSchema>;

/** What a gallery shows instead of every item: the items behind a histogram bin, a 3-D point set, … */
export const GalleryFilterSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('items'),
    indexes: z.array(CountSchema).min(1).max(2000),
    /** What the items are, for people ("entered the top 50 in run …"). */
    title: z.string().min(1).max(200),
  }),
  z.strictObject({
    kind: z.literal('angle-bin'),
    epoch: EpochSchema,
    angle: AngleNumberSchema,
    scale: AngleScaleSchema,
    low: z.number(),
    high: z.number(),
    /** The last bin includes its upper edge (and everything clamped into it). */
    lastBin: z.boolean(),
    firstBin: z.boolean(),
    grouping: ItemGroupingSchema,
    /** Group key within the grouping; null = every group. */
    group: z.string().max(200).nullable(),
  }),
  z.strictObject({
    kind: z.literal('score-range'),
    low: z.number(),
    high: z.number(),
    lastBin: z.boolean(),
    firstBin: z.boolean(),
    grouping: ItemGroupingSchema,
    group: z.string().max(200).nullable(),
    split: z.enum(['all', 'train', 'test']),
  }),
]);
export type GalleryFilter = z.infer<typeof GalleryFilterSchema>;

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

export const AngleHistogramSeriesSchema = z.object({
  runId: RunIdSchema,
  method: z.string(),
  epoch: EpochSchema,
  /** Items the series is drawn from: every scored item (epoch null) or the run's snapshot sample. */
  itemCount: CountSchema,
  groups: z.array(GroupCountsSchema),
  /** Why the series is empty: no snapshot of that epoch, no latent means, angle beyond n − 1, … */
  unavailableReason: z.string().nullable(),
});

export const AngleHistogramsSchema = z.object({
  angle: AngleNumberSchema,
  scale: AngleScaleSchema,
  grouping: ItemGroupingSchema,
  /** bins + 1 edges, shared by every series so that overlays compare bin for bin. */
  edges: z.array(z.number()),
  series: z.array(AngleHistogramSeriesSchema),
});
export type AngleHistograms = z.infer<typeof AngleHistogramsSchema>;

export const AngleHeatmapSchema = z.object({
  runId: RunIdSchema,
  /** Epochs with a latent snapshot, ascending (0-based). */
  epochs: z.array(CountSchema),
  /** n − 1. */
  angleCount: CountSchema,
  /** meanCosines[e][i]: mean cos φ_{i+1} over the sample after epochs[e]. */
  meanCosines: z.array(z.array(z.number())),
  /** Items in the snapshot sample that entered the means (after the group filter). */
  itemCount: CountSchema,
  unavailableReason: z.string().nullable(),
});
export type AngleHeatmap = z.infer<typeof AngleHeatmapSchema>;

export const SpherePointsSchema = z.object({
  runId: RunIdSchema,
  method: z.string(),
  epoch: EpochSchema,
  /** n, the latent dimension averaged into the three groups. */
  dimension: CountSchema,
  /** Items with a latent mean; `points` holds all of them or an even sample. */
  total: CountSchema,
  sampled: z.boolean(),
  /** Columns, one entry per point. */
  points: z.object({
    index: z.array(CountSchema),
    x: z.array(z.number()),
    y: z.array(z.number()),
    z: z.array(z.number()),
    score: z.array(z.number().nullable()),
    rank: z.array(z.int().positive().nullable()),
    anomaly: z.array(z.union([z.literal(0), z.literal(1)]).nullable()),
    label: z.array(z.string().nullable()),
    userLabel: z.array(z.string().nullable()),
    file: z.array(z.string()),
  }),
  unavailableReason: z.string().nullable(),
});
export type SpherePoints = z.infer<typeof SpherePointsSchema>;

export const RunLabelMetricsSchema = z.object({
  runId: RunIdSchema,
  method: z.string(),
  datasetId: z.int().positive().nullable(),
  datasetPath: z.string(),
  /** The user's labels on this run's items, by label. */
  labelCounts: z.object({ anomalous: CountSchema, normal: CountSchema, interesting: CountSchema, other: CountSchema }),
  user: MetricOutcomeSchema,
  combined: MetricOutcomeSchema,
  dataset: MetricOutcomeSchema,
});
export type RunLabelMetrics = z.infer<typeof RunLabelMetricsSchema>;

export const LabelledItemSchema = InsightItemSchema.extend({ userLabel: z.string(), labelledAt: z.string() });
export type LabelledItem = z.infer<typeof LabelledItemSchema>;

export const ComparedRunSchema = z.object({
  runId: RunIdSchema,
  method: z.string(),
  /** Same values as RunStatusSchema in ./ipc. */
  status: z.enum(['queued', 'running', 'done', 'failed', 'interrupted']),
  datasetId: z.int().positive().nullable(),
  datasetPath: z.string(),
  createdAt: z.string(),
  epochsCompleted: CountSchema,
  epochsTotal: CountSchema,
  trainSeconds: z.number().nonnegative(),
  itemCount: CountSchema,
  /** On the request's label source. */
  metrics: MetricOutcomeSchema,
  roc: z.object({ fpr: z.array(z.number()), tpr: z.array(z.number()) }).nullable(),
});
export type ComparedRun = z.infer<typeof ComparedRunSchema>;

export const ConfigDifferenceSchema = z.object({
  key: z.string(),
  /** One per run, in the request's order; null where a run's config lacks the key. */
  values: z.array(z.json().nullable()),
  differs: z.boolean(),
});
export type ConfigDifference = z.infer<typeof ConfigDifferenceSchema>;

export const RankChangeSchema = z.object({
  file: z.string(),
  /** The item's index in the reference run and in the other run (their datasets may order items differently). */
  indexInReference: CountSchema.nullable(),
  indexInOther: CountSchema.nullable(),
  rankInReference: z.int().positive().nullable(),
  rankInOther: z.int().positive().nullable(),
  label: z.string().nullable(),
  anomaly: z.union([z.literal(0), z.literal(1)]).nullable(),
});
export type RankChange = z.infer<typeof RankChangeSchema>;

export const TopKOverlapSchema = z.object({
  referenceRunId: RunIdSchema,
  otherRunId: RunIdSchema,
  k: CountSchema,
  jaccard: z.number().nullable(),
  /** Extrapolated rank-biased overlap (Webber et al. 2010) of the two top-k lists, p = 0.9. */
  rbo: z.number().nullable(),
  /** In the other run's top k, not in the reference's. */
  entered: z.array(RankChangeSchema),
  /** In the reference's top k, not in the other's. */
  left: z.array(RankChangeSchema),
  /** Why there is no overlap (different datasets, no scores). */
  unavailableReason: z.string().nullable(),
});
export type TopKOverlap = z.infer<typeof TopKOverlapSchema>;

export const RunComparisonSchema = z.object({
  labelSource: LabelSourceSchema,
  runs: z.array(ComparedRunSchema),
  config: z.array(ConfigDifferenceSchema),
  /** The first run against each other run. */
  overlaps: z.array(TopKOverlapSchema),
  /** rbo[i][j] and jaccard[i][j] for every pair (1 on the diagonal, null where not comparable). */
  rboMatrix: z.array(z.array(z.number().nullable())),
  jaccardMatrix: z.array(z.array(z.number().nullable())),
});
export type RunComparison = z.infer<typeof RunComparisonSchema>;

export const ScoreHistogramSchema = z.object({
  runId: RunIdSchema,
  edges: z.array(z.number()),
  groups: z.array(GroupCountsSchema),
  itemCount: CountSchema,
  /** Counts at the requested threshold (score ≥ threshold is flagged), when one was given. */
  threshold: z
    .object({
      value: z.number(),
      flagged: CountSchema,
      flaggedByGroup: z.record(z.string(), CountSchema),
      /** The rank of the last flagged item (flagged items are ranks 1…this); 0 when none is flagged. */
      lastFlaggedRank: CountSchema,
    })
    .nullable(),
});
export type ScoreHistogram = z.infer<typeof ScoreHistogramSchema>;

// ---------------------------------------------------------------------------------------------
// The channels
// ---------------------------------------------------------------------------------------------

const RunRefSchema = z.strictObject({ runId: RunIdSchema });
const BinCountSchema = z.int().min(5).max(200).default(40);

export const insightInvokeContract = {
  /**
   * Histograms of cos φ_i (or φ_i in degrees) for each requested (run, epoch): epoch null uses every
   * scored item's latent mean, an epoch its latent snapshot sample. Split into groups; shared bins.
   */
  'insight:angle-histograms': {
    request: z.strictObject({
      series: z.array(z.strictObject({ runId: RunIdSchema, epoch: EpochSchema })).min(1).max(12),
      angle: AngleNumberSchema,
      scale: AngleScaleSchema.default('cosine'),
      grouping: ItemGroupingSchema.default('anomaly'),
      bins: BinCountSchema,
      /** full: [−1, 1] or [0°, 180°] (360° for the last angle); data: the range the values span. */
      range: z.enum(['full', 'data']).default('full'),
    }),
    response: AngleHistogramsSchema,
  },
  /** Mean cos φ_i of the snapshot sample after every epoch: how the island at the pole forms. */
  'insight:angle-heatmap': {
    request: z.strictObject({ runId: RunIdSchema, group: z.enum(['all', 'normal', 'anomalous']).default('all') }),
    response: AngleHeatmapSchema,
  },
  /** Every item's latent mean averaged into three groups and put on the unit sphere (the paper's 3-D view). */
  'insight:sphere-points': {
    request: z.strictObject({ runId: RunIdSchema, epoch: EpochSchema.default(null), maxPoints: z.int().min(100).max(20_000).default(4000) }),
    response: SpherePointsSchema,
  },
  /** AUROC, FPR95, AP and precision at n of every scored run (or the given ones), from the labels so far. */
  'insight:label-metrics': {
    request: z.strictObject({ runIds: z.array(RunIdSchema).min(1).max(100).optional() }),
    response: z.object({ runs: z.array(RunLabelMetricsSchema) }),
  },
  /** The items of a run that carry a user label, with their scores: for the labels export. */
  'insight:labelled-items': {
    request: RunRefSchema,
    response: z.object({ runId: RunIdSchema, datasetId: z.int().positive().nullable(), items: z.array(LabelledItemSchema) }),
  },
  /** Runs side by side: config differences, metrics, time, ROC curves, top-k overlap against the first run. */
  'insight:compare-runs': {
    request: z.strictObject({
      runIds: z.array(RunIdSchema).min(2).max(8),
      topK: z.int().min(1).max(500).default(50),
      labelSource: LabelSourceSchema.default('dataset'),
      /** Which items the top-k rankings run over. */
      split: z.enum(['all', 'test']).default('all'),
    }),
    response: RunComparisonSchema,
  },
  /** Histogram of a run's scores, split into groups, with the counts at a threshold the user picked. */
  'insight:score-histogram': {
    request: z.strictObject({
      runId: RunIdSchema,
      grouping: ItemGroupingSchema.default('anomaly'),
      bins: BinCountSchema,
      split: z.enum(['all', 'train', 'test']).default('all'),
      threshold: z.number().nullable().default(null),
    }),
    response: ScoreHistogramSchema,
  },
  /** A page of the items a gallery filter selects, most anomalous first, and the filter in words. */
  'insight:filtered-items': {
    request: z.strictObject({
      runId: RunIdSchema,
      filter: GalleryFilterSchema,
      offset: z.int().nonnegative().max(100_000_000).default(0),
      limit: z.int().min(1).max(500).default(100),
    }),
    response: z.object({ total: CountSchema, items: z.array(InsightItemSchema), description: z.string() }),
  },
} as const satisfies InvokeContract;
