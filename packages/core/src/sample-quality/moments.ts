import type { FeatureMatrix } from './feature-matrix.js';

/** Mean and unbiased covariance (divided by rows − 1) of a feature set, in Float64. */
export interface Moments {
  readonly mean: Float64Array;
  /** dims × dims, row-major, symmetric. */
  readonly covariance: Float64Array;
}

export function featureMoments(set: FeatureMatrix): Moments {
  const { values, rows, dims } = set;
  const mean = new Float64Array(dims);
  for (let r = 0; r < rows; r++) {
    const base = r * dims;
    for (let d = 0; d < dims; d++) mean[d]! += values[base + d]!;
  }
  for (let d = 0; d < dims; d++) mean[d]! /= rows;
  // Centred sums, accumulated over the upper triangle only and mirrored: the matrix is symmetric.
  const covariance = new Float64Array(dims * dims);
  const centred = new Float64Array(dims);
  for (let r = 0; r < rows; r++) {
    const base = r * dims;
    for (let d = 0; d < dims; d++) centred[d] = values[base + d]! - mean[d]!;
    for (let i = 0; i < dims; i++) {
      const ci = centred[i]!;
      if (ci === 0) continue;
      const row = i * dims;
      for (let j = i; j < dims; j++) covariance[row + j]! += ci * centred[j]!;
    }
  }
  const scale = 1 / (rows - 1);
  for (let i = 0; i < dims; i++) {
    for (let j = i; j < dims; j++) {
      const value = covariance[i * dims + j]! * scale;
      covariance[i * dims + j] = value;
      covariance[j * dims + i] = value;
    }
  }
  return { mean, covariance };
}
