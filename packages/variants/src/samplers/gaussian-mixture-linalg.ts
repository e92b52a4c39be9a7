/**
 * The dense d×d linear algebra the Gaussian-mixture fit needs, in plain Float64 JavaScript (matrices
 * row-major in flat arrays): Cholesky factors, and Gaussian log densities through them.
 */

import type { CodeTable } from './gaussian-mixture-types.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** The lower-triangular L with L·Lᵀ = a for a symmetric positive-definite d×d `a`, or null when `a` is not. */
export function choleskyLower(a: Float64Array, d: number): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * d + j]!;
      for (let m = 0; m < j; m++) sum -= l[i * d + m]! * l[j * d + m]!;
      if (i === j) {
        if (!(sum > 0) || !Number.isFinite(sum)) return null;
        l[i * d + i] = Math.sqrt(sum);
      } else {
        l[i * d + j] = sum / l[j * d + j]!;
      }
    }
  }
  return l;
}

/**
 * The Cholesky factor of `covariance` + `floor`·I. Rounding can leave a nearly singular covariance
 * just short of positive definite; the added diagonal then grows tenfold until it factors.
 */
export function flooredCholesky(covariance: Float64Array, d: number, floor: number): Float64Array {
  const scale = Math.max(floor, 1e-12 * maxDiagonal(covariance, d), Number.MIN_VALUE);
  for (let attempt = 0, jitter = floor; attempt < 12; attempt++, jitter = Math.max(jitter, scale) * 10) {
    const a = Float64Array.from(covariance);
    for (let i = 0; i < d; i++) a[i * d + i] = a[i * d + i]! + jitter;
    const l = choleskyLower(a, d);
    if (l) return l;
  }
  throw new RangeError('a mixture component covariance is not positive definite even with a large diagonal added: are the codes finite?');
}

function maxDiagonal(a: Float64Array, d: number): number {
  let max = 0;
  for (let i = 0; i < d; i++) max = Math.max(max, Math.abs(a[i * d + i]!));
  return max;
}

/** log det(L·Lᵀ) = 2 Σ log L_ii. */
export function logDeterminant(l: Float64Array, d: number): number {
  let sum = 0;
  for (let i = 0; i < d; i++) sum += Math.log(l[i * d + i]!);
  return 2 * sum;
}

/**
 * log N(x | mean, L·Lᵀ) for the row of `x` at `xOffset`, by forward substitution L·y = x − mean
 * (|y|² is the Mahalanobis distance). `scratch` holds d numbers, so the hot loop allocates nothing.
 */
export function gaussianLogDensity(
  x: Float64Array,
  xOffset: number,
  mean: Float64Array,
  meanOffset: number,
  l: Float64Array,
  logDet: number,
  d: number,
  scratch: Float64Array,
): number {
  let squared = 0;
  for (let i = 0; i < d; i++) {
    let value = x[xOffset + i]! - mean[meanOffset + i]!;
    for (let m = 0; m < i; m++) value -= l[i * d + m]! * scratch[m]!;
    value /= l[i * d + i]!;
    scratch[i] = value;
    squared += value * value;
  }
  return -0.5 * (d * LOG_2PI + logDet + squared);
}

/** log Σ exp(values[i]) over the first `count` values, without overflow. */
export function logSumExp(values: Float64Array, count: number): number {
  let max = -Infinity;
  for (let i = 0; i < count; i++) max = Math.max(max, values[i]!);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += Math.exp(values[i]! - max);
  return max + Math.log(sum);
}

/** The codes' covariance around their mean (dividing by the count), [d, d]. */
export function covarianceOf(codes: CodeTable): Float64Array {
  return scatterOf(codes, Array.from({ length: codes.rows }, (_, i) => i));
}

/** The covariance of the given rows of the codes around their own mean, [d, d]. */
export function scatterOf(codes: CodeTable, rowIndices: readonly number[]): Float64Array {
  const { size: d, values } = codes;
  const mean = new Float64Array(d);
  for (const i of rowIndices) for (let a = 0; a < d; a++) mean[a] = mean[a]! + values[i * d + a]!;
  for (let a = 0; a < d; a++) mean[a] = mean[a]! / rowIndices.length;
  const covariance = new Float64Array(d * d);
  for (const i of rowIndices) {
    for (let a = 0; a < d; a++) {
      const da = values[i * d + a]! - mean[a]!;
      for (let b = 0; b < d; b++) covariance[a * d + b] = covariance[a * d + b]! + da * (values[i * d + b]! - mean[b]!);
    }
  }
  for (let a = 0; a < d * d; a++) covariance[a] = covariance[a]! / rowIndices.length;
  return covariance;
}
