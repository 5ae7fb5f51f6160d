/**
 * The one interface every anomaly detector implements (modelled on PyOD's BaseDetector):
 * fit on normal data only, then score new items, higher = more anomalous.
 */
import { assertFinite, type Matrix } from '../matrix';

export interface Detector {
  /** Short identifier, e.g. 'knn', shown in reports. */
  readonly name: string;
  /** Learns what "normal" looks like from rows of normal items (one item per row). */
  fit(normal: Matrix): Promise<void>;
  /** One score per row of `items`; higher = more anomalous. Requires a prior `fit`. */
  score(items: Matrix): Promise<Float64Array>;
}

/** Thrown when a detector is used out of order (score before fit). */
export class DetectorStateError extends Error {
  override name = 'DetectorStateError';
}

/**
 * Validates the training matrix of `fit`: at least `minRows` rows, at least one column, finite
 * values. Throws a RangeError naming the detector and the problem.
 */
export function checkFitInput(detector: string, normal: Matrix, minRows = 1): void {
  if (normal.cols < 1) throw new RangeError(`${detector}.fit: the normal data has no feature columns`);
  if (normal.rows < minRows) {
    throw new RangeError(`${detector}.fit: needs at least ${minRows} normal row(s), got ${normal.rows}`);
  }
  assertFinite(normal, `${detector}.fit`);
}

/**
 * Validates the input of `score`: the detector was fitted (`fittedCols` is the column count seen
 * by `fit`, or null before it), the column count matches and every value is finite.
 */
export function checkScoreInput(detector: string, items: Matrix, fittedCols: number | null): void {
  if (fittedCols === null) {
    throw new DetectorStateError(`${detector}: call fit(normal) before scoring`);
  }
  if (items.cols !== fittedCols) {
    throw new RangeError(
      `${detector}: items have ${items.cols} columns but the detector was fitted on ${fittedCols}; ` +
        'score the same kind of features it was fitted on',
    );
  }
  assertFinite(items, `${detector}.score`);
}

/**
 * {@link checkScoreInput} for detectors whose fitted state records its column count; returns the
 * state, so callers need no null check of their own.
 */
export function requireFitted<State extends { readonly cols: number }>(
  detector: string,
  items: Matrix,
  state: State | null,
): State {
  if (state === null) throw new DetectorStateError(`${detector}: call fit(normal) before scoring`);
  checkScoreInput(detector, items, state.cols);
  return state;
}
