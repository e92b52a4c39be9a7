/** Codes to fit, one example a row: `values` holds rows × size numbers, row-major. */
export interface CodeTable {
  readonly values: Float64Array;
  readonly rows: number;
  readonly size: number;
}

/** A Gaussian mixture with full covariances Σ_j = L_j·L_jᵀ, in Float64 arrays (row-major). */
export interface GaussianMixture {
  /** Components k. */
  readonly k: number;
  /** Dimensions d. */
  readonly d: number;
  /** Mixing weights [k], summing to 1. */
  readonly weights: Float64Array;
  /** Component means [k, d]. */
  readonly means: Float64Array;
  /** Lower-triangular Cholesky factors of the covariances [k, d, d]. */
  readonly choleskyFactors: Float64Array;
}
