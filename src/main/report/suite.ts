/**
 * What a reproduction suite is: a dataset, a protocol that turns one seed into a training set and a
 * scored test set, the settings that fit a CPU by default, and what the paper reports for it.
 * runSuite (run-suite.ts) trains and scores every method once per seed; report.ts writes the folder.
 */
import type { ComparisonDetector, ComparisonModel } from '../../ml/compare';
import type { CompVaeConfig } from '../../ml/config';
import type { Matrix } from '../../ml/matrix';

export const SUITE_NAMES = ['galaxyzoo', 'navcam', 'cifar10-ood'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

/** The knobs a user scales up on a workstation (CLI flags); each suite has its own defaults. */
export interface SuiteSettings {
  /** Number of seeds; seed i is firstSeed + i. */
  seeds: number;
  firstSeed: number;
  epochs: number;
  /** Most normal / in-distribution training images per seed (a random subset, drawn per seed). */
  trainLimit: number;
  /** Most test items per side of an evaluation (normal and anomalous / ID and OOD), where the suite has more. */
  testLimit: number;
  imageSize: number;
  latentDim: number;
  batchSize: number;
  learningRate: number;
  models: ComparisonModel[];
  /** CIFAR-10 classes held out of training as near-OOD (cifar10-ood only). */
  heldOutClasses: string[];
}

/** One scored comparison inside a seed's test set, e.g. "ID vs near-OOD". */
export interface Evaluation {
  key: string;
  title: string;
  /** Rows of the seed's test matrix that take part, in order. */
  members: number[];
  /** 1 = anomaly / OOD, 0 = normal / ID, one per member. */
  labels: Uint8Array;
  /** Test rows whose rank among the members is reported per method (navcam's novel targets). */
  tracked?: number[];
}

/** Everything one seed trains and scores on. */
export interface SeedData {
  /** Normal / ID training images, normalized to [0, 1], HWC rows. */
  train: Matrix;
  /** Class index per training row, for class-conditioned training. */
  trainClasses?: Int32Array;
  test: Matrix;
  /** A stable name per test row (file, or class/file), for tracked items across seeds. */
  testIds: string[];
  evaluations: Evaluation[];
  /** Item counts in words, for the report (e.g. "train (normal)": 600). */
  counts: Record<string, number>;
}

/** The dataset loaded once; seeds then draw their splits from it. */
export interface LoadedSuite {
  channels: number;
  /** What was read and how, one line each, for the report. */
  dataNotes: string[];
  /** Tracked items' descriptions by test id (e.g. navcam's sol and target number). */
  trackedDescriptions?: Record<string, string>;
  seedData(seed: number): Promise<SeedData>;
}

/** A number the paper (or its authors' archive) gives for one row, with where it comes from. */
export interface PaperValue {
  evaluation: string;
  model: ComparisonModel;
  detector: ComparisonDetector;
  auroc: number | null;
  fpr95: number | null;
  source: string;
}

export interface SuiteDefinition {
  name: SuiteName;
  title: string;
  /** One paragraph: what the suite measures and how. */
  description: string;
  /** Dataset folders / files under the data root that must exist, relative to it. */
  requiredPaths: string[];
  defaults: Omit<SuiteSettings, 'seeds' | 'firstSeed' | 'models'>;
  /** Config fields the suite sets beyond the settings (e.g. class-conditioned training). */
  configExtras(settings: SuiteSettings): Partial<CompVaeConfig>;
  /** Throws a RangeError a user can act on when settings do not fit the suite. */
  validate?(settings: SuiteSettings): void;
  load(dataRoot: string, settings: SuiteSettings, onProgress?: (message: string) => void): Promise<LoadedSuite>;
  /** Where Polaris's data differs from the paper's. */
  substitutes: string[];
  /** What the paper's corresponding experiment used, in words. */
  paperSetting: string;
  paperValues: PaperValue[];
}

/** The text for a table cell where the paper's number is not at hand. */
export const PAPER_VALUE_UNAVAILABLE = 'paper value not available offline';
