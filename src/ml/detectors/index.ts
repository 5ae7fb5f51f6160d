/**
 * Anomaly detectors: one interface (detector.ts), fitted on normal rows, scoring higher = more
 * anomalous. `createDetector` builds the feature-space detectors by name (the reconstruction
 * detector needs a model function, so it is constructed directly).
 */
import type { Detector } from './detector';
import { IsolationForestDetector, type IsolationForestOptions } from './iforest';
import { KnnDetector, type KnnOptions } from './knn';
import { KnnStarDetector, type KnnStarOptions } from './knn-star';

export { checkFitInput, checkScoreInput, requireFitted, DetectorStateError, type Detector } from './detector';
export { KnnDetector, type KnnOptions } from './knn';
export { KnnStarDetector, l2NormalizeRows, type KnnStarOptions } from './knn-star';
export { IsolationForestDetector, averagePathLength, EULER_MASCHERONI, type IsolationForestOptions } from './iforest';
export { ReconstructionDetector, type Reconstructor } from './reconstruction';
export { NeighborIndex, type Neighbors, type NeighborQueryOptions, type NeighborSearchOptions } from './knn-search';

export const DETECTOR_NAMES = ['knn', 'knn-star', 'iforest'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

export interface DetectorOptionsByName {
  knn: KnnOptions;
  'knn-star': KnnStarOptions;
  iforest: IsolationForestOptions;
}

export function isDetectorName(value: string): value is DetectorName {
  return (DETECTOR_NAMES as readonly string[]).includes(value);
}

/** A new, unfitted detector of the named kind. */
export function createDetector<Name extends DetectorName>(name: Name, options?: DetectorOptionsByName[Name]): Detector;
export function createDetector(
  name: DetectorName,
  options: KnnOptions | KnnStarOptions | IsolationForestOptions = {},
): Detector {
  switch (name) {
    case 'knn':
      return new KnnDetector(options as KnnOptions);
    case 'knn-star':
      return new KnnStarDetector(options as KnnStarOptions);
    case 'iforest':
      return new IsolationForestDetector(options as IsolationForestOptions);
    default: {
      const unknownName: never = name;
      throw new RangeError(`unknown detector "${String(unknownName)}"; expected one of ${DETECTOR_NAMES.join(', ')}`);
    }
  }
}
