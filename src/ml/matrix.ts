/**
 * A dense row-major float32 matrix: the exchange format between datasets, models and detectors.
 * Rows are items (images or feature vectors), columns are features.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

export function createMatrix(rows: number, cols: number, data?: Float32Array): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new RangeError(`Matrix shape must be non-negative integers, got ${rows}×${cols}`);
  }
  const values = data ?? new Float32Array(rows * cols);
  if (values.length !== rows * cols) {
    throw new RangeError(`Matrix data has ${values.length} values, expected ${rows}×${cols} = ${rows * cols}`);
  }
  return { rows, cols, data: values };
}

/** A view of one row (no copy). */
export function row(matrix: Matrix, index: number): Float32Array {
  return matrix.data.subarray(index * matrix.cols, (index + 1) * matrix.cols);
}

/** Copies the listed rows into a new matrix. */
export function selectRows(matrix: Matrix, indices: readonly number[]): Matrix {
  const out = new Float32Array(indices.length * matrix.cols);
  indices.forEach((source, target) => out.set(row(matrix, source), target * matrix.cols));
  return createMatrix(indices.length, matrix.cols, out);
}

/** Throws a RangeError naming the first non-finite value, so NaN never reaches a model or detector. */
export function assertFinite(matrix: Matrix, what: string): void {
  const { data, cols } = matrix;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new RangeError(`${what}: non-finite value ${data[i]} at row ${Math.floor(i / cols)}, column ${i % cols}`);
    }
  }
}
