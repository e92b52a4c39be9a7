import { checkFeatureMatrix, checkSameDims, type FeatureMatrix } from './feature-matrix.js';
import { featureMoments, type Moments } from './moments.js';
import { multiplySquare, symmetricEigen, symmetricSqrt } from './symmetric-eigen.js';

/**
 * The Fréchet distance between Gaussians fitted to two feature sets (Heusel et al. 2017, "FID" when the
 * features are Inception's): ‖μa − μb‖² + tr(Σa + Σb − 2 (Σa Σb)^½). Zero for identical sets; never
 * negative (a tiny negative from rounding is clipped to 0). Each set needs at least two rows.
 */
export function frechetDistance(a: FeatureMatrix, b: FeatureMatrix): number {
  checkFeatureMatrix('first feature set', a, 2);
  checkFeatureMatrix('second feature set', b, 2);
  checkSameDims(a, b);
  return frechetDistanceOfMoments(featureMoments(a), featureMoments(b), a.dims);
}

/** `frechetDistance` from precomputed moments: the real set's can be reused across many generated sets. */
export function frechetDistanceOfMoments(a: Moments, b: Moments, dims: number): number {
  let meanTerm = 0;
  for (let d = 0; d < dims; d++) meanTerm += (a.mean[d]! - b.mean[d]!) ** 2;
  let traces = 0;
  for (let d = 0; d < dims; d++) traces += a.covariance[d * dims + d]! + b.covariance[d * dims + d]!;
  // tr((Σa Σb)^½) = tr((Σa^½ Σb Σa^½)^½): the inner matrix is symmetric PSD, so its eigenvalues are real
  // and non-negative, unlike those of the non-symmetric product Σa Σb, whose square root rounding can
  // make complex.
  const rootA = symmetricSqrt(a.covariance, dims);
  const inner = multiplySquare(multiplySquare(rootA, b.covariance, dims), rootA, dims);
  symmetrize(inner, dims);
  const { values } = symmetricEigen(inner, dims);
  let traceRoot = 0;
  for (const value of values) traceRoot += Math.sqrt(Math.max(value, 0));
  return Math.max(0, meanTerm + traces - 2 * traceRoot);
}

/** Averages a matrix with its transpose in place: products of symmetric matrices drift by rounding. */
function symmetrize(m: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const mean = (m[i * n + j]! + m[j * n + i]!) / 2;
      m[i * n + j] = mean;
      m[j * n + i] = mean;
    }
  }
}
