/**
 * A set of feature vectors, one per row, stored row-major: `values[row * dims + d]`. The shape of
 * `encodeDataset`'s codes and of a classifier's features copied off the device.
 */
export interface FeatureMatrix {
  readonly values: ArrayLike<number>;
  readonly rows: number;
  readonly dims: number;
}

/** Refuses a feature set whose values do not fill rows × dims, or hold NaN or infinities. */
export function checkFeatureMatrix(name: string, set: FeatureMatrix, minRows: number): void {
  if (!Number.isSafeInteger(set.rows) || !Number.isSafeInteger(set.dims) || set.rows < 0 || set.dims < 1) {
    throw new RangeError(`${name}: rows and dims must be whole numbers (dims at least 1), got ${set.rows} × ${set.dims}`);
  }
  if (set.values.length !== set.rows * set.dims) {
    throw new RangeError(`${name}: ${set.values.length} values do not fill ${set.rows} rows × ${set.dims} dims`);
  }
  if (set.rows < minRows) throw new RangeError(`${name}: needs at least ${minRows} rows, got ${set.rows}`);
  for (let i = 0; i < set.values.length; i++) {
    if (!Number.isFinite(set.values[i]!)) throw new RangeError(`${name}: value ${i} (row ${Math.floor(i / set.dims)}) is not finite`);
  }
}

/** Refuses two feature sets of different widths. */
export function checkSameDims(a: FeatureMatrix, b: FeatureMatrix): void {
  if (a.dims !== b.dims) throw new RangeError(`the two feature sets have ${a.dims} and ${b.dims} dims; they must match`);
}
