/**
 * Reconstruction-error detector: score = Σ_j (x_j − x̂_j)², the per-item sum of squared errors
 * between an item and its reconstruction by a model (e.g. the Comp.VAE decoder applied to the
 * encoder mean). Higher = the model, trained on normal data, reproduces the item worse = more
 * anomalous.
 *
 * The model is trained elsewhere, so `fit` learns nothing: it only validates the normal data and
 * records the column count that `score` will require. The sum is accumulated in float64.
 */
import type { Matrix } from '../matrix';
import { checkFitInput, checkScoreInput, type Detector } from './detector';

/** Maps items (rows) to their reconstructions: same shape, same row order. */
export type Reconstructor = (items: Matrix) => Promise<Matrix>;

export class ReconstructionDetector implements Detector {
  readonly name: string;
  private fittedCols: number | null = null;

  constructor(
    private readonly reconstruct: Reconstructor,
    name = 'reconstruction',
  ) {
    this.name = name;
  }

  /** Validates the normal data (finite, non-empty) and remembers its column count. */
  async fit(normal: Matrix): Promise<void> {
    checkFitInput(this.name, normal);
    this.fittedCols = normal.cols;
  }

  /** Sum of squared reconstruction errors per item. */
  async score(items: Matrix): Promise<Float64Array> {
    checkScoreInput(this.name, items, this.fittedCols);
    const reconstruction = await this.reconstruct(items);
    if (reconstruction.rows !== items.rows || reconstruction.cols !== items.cols) {
      throw new RangeError(
        `${this.name}: the reconstruction is ${reconstruction.rows}×${reconstruction.cols}, ` +
          `the items are ${items.rows}×${items.cols}; the model must return one row per item`,
      );
    }
    const { rows, cols } = items;
    const scores = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let c = 0; c < cols; c++) {
        const error = (items.data[r * cols + c] as number) - (reconstruction.data[r * cols + c] as number);
        sum += error * error;
      }
      if (!Number.isFinite(sum)) throw new RangeError(`${this.name}: non-finite reconstruction error for item ${r}`);
      scores[r] = sum;
    }
    return scores;
  }
}
