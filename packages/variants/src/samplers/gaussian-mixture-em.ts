import type { SeededRandom } from '@vaekit/core';
import { initialMixture } from './gaussian-mixture-init.js';
import { covarianceOf, flooredCholesky, gaussianLogDensity, logDeterminant, logSumExp } from './gaussian-mixture-linalg.js';
import type { CodeTable, GaussianMixture } from './gaussian-mixture-types.js';

export interface EmOptions {
  readonly components: number;
  /** Added to every covariance's diagonal, so no component collapses to a point. */
  readonly covarianceFloor: number;
  readonly maxIterations: number;
  /** EM stops once the average log-likelihood per example changes by less than this. */
  readonly tolerance: number;
  /** The k-means++ initialisation's choices. */
  readonly random: SeededRandom;
  readonly onIteration?: (iteration: number, logLikelihood: number) => void;
}

export interface EmResult {
  readonly mixture: GaussianMixture;
  /** Average log-likelihood per training example under the returned mixture. */
  readonly logLikelihood: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * A component whose responsibilities sum to less than this share of the examples has lost its data;
 * its mean would divide by (almost) zero, so it is re-seeded instead.
 */
const EMPTY_SHARE = 1e-6;

/** Fits a k-component mixture to the codes by EM from a seeded k-means++ start. */
export function fitMixture(codes: CodeTable, options: EmOptions): EmResult {
  const { rows } = codes;
  const k = options.components;
  if (k > rows) throw new RangeError(`a mixture of ${k} components needs at least ${k} codes, got ${rows}`);
  const spread = covarianceOf(codes);
  let mixture = initialMixture(codes, k, options.covarianceFloor, spread, options.random);
  const responsibilities = new Float64Array(rows * k);
  const rowLogLikelihoods = new Float64Array(rows);
  let logLikelihood = expectation(codes, mixture, responsibilities, rowLogLikelihoods);
  let iterations = 0;
  let converged = false;
  while (iterations < options.maxIterations && !converged) {
    iterations++;
    const step = maximization(codes, responsibilities, rowLogLikelihoods, k, options.covarianceFloor, spread);
    mixture = step.mixture;
    const next = expectation(codes, mixture, responsibilities, rowLogLikelihoods);
    options.onIteration?.(iterations, next);
    // A re-seed moves a component by hand, so the change in likelihood says nothing about convergence.
    converged = !step.reseeded && Math.abs(next - logLikelihood) < options.tolerance;
    logLikelihood = next;
  }
  if (!Number.isFinite(logLikelihood)) {
    throw new RangeError(`the ${k}-component mixture's log-likelihood is ${logLikelihood}: the codes may be non-finite or far too large`);
  }
  return { mixture, logLikelihood, iterations, converged };
}

/** Average log-likelihood per example of the codes under the mixture. */
export function mixtureLogLikelihood(codes: CodeTable, mixture: GaussianMixture): number {
  return expectation(codes, mixture, null, null);
}

/** Each example's log-likelihood under the mixture, [rows]. */
export function rowLogLikelihoods(codes: CodeTable, mixture: GaussianMixture): Float64Array {
  const out = new Float64Array(codes.rows);
  expectation(codes, mixture, null, out);
  return out;
}

/**
 * The E step: each example's responsibilities (written to `responsibilities`, [rows, k]) and
 * log-likelihood (to `rowLogLikelihoods`), when given. Returns the average log-likelihood.
 */
function expectation(
  codes: CodeTable,
  mixture: GaussianMixture,
  responsibilities: Float64Array | null,
  rowLogLikelihoods: Float64Array | null,
): number {
  const { k, d, weights, means, choleskyFactors } = mixture;
  const factors = Array.from({ length: k }, (_, j) => choleskyFactors.subarray(j * d * d, (j + 1) * d * d));
  const logDets = factors.map((l) => logDeterminant(l, d));
  const logWeights = Array.from(weights, (w) => Math.log(w));
  const joint = new Float64Array(k);
  const scratch = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < codes.rows; i++) {
    for (let j = 0; j < k; j++) {
      joint[j] = logWeights[j]! + gaussianLogDensity(codes.values, i * d, means, j * d, factors[j]!, logDets[j]!, d, scratch);
    }
    const rowLogLikelihood = logSumExp(joint, k);
    total += rowLogLikelihood;
    if (rowLogLikelihoods) rowLogLikelihoods[i] = rowLogLikelihood;
    if (responsibilities) {
      for (let j = 0; j < k; j++) responsibilities[i * k + j] = Math.exp(joint[j]! - rowLogLikelihood);
    }
  }
  return total / codes.rows;
}

/**
 * The M step: weights, means and floored covariances from the responsibilities. An empty component is
 * re-seeded at the example the mixture explains worst, with the data's overall covariance.
 */
export function maximization(
  codes: CodeTable,
  responsibilities: Float64Array,
  rowLogLikelihoods: Float64Array,
  k: number,
  floor: number,
  spread: Float64Array,
): { mixture: GaussianMixture; reseeded: boolean } {
  const { rows, size: d, values } = codes;
  const weights = new Float64Array(k);
  const means = new Float64Array(k * d);
  const choleskyFactors = new Float64Array(k * d * d);
  let worstFirst: number[] | null = null;
  let reseeds = 0;
  const covariance = new Float64Array(d * d);
  for (let j = 0; j < k; j++) {
    let mass = 0;
    for (let i = 0; i < rows; i++) mass += responsibilities[i * k + j]!;
    if (!(mass >= EMPTY_SHARE * rows)) {
      worstFirst ??= Array.from({ length: rows }, (_, i) => i).sort((a, b) => rowLogLikelihoods[a]! - rowLogLikelihoods[b]!);
      const row = worstFirst[reseeds++ % rows]!;
      means.set(values.subarray(row * d, (row + 1) * d), j * d);
      choleskyFactors.set(flooredCholesky(spread, d, floor), j * d * d);
      weights[j] = 1 / rows;
      continue;
    }
    weights[j] = mass / rows;
    for (let i = 0; i < rows; i++) {
      const r = responsibilities[i * k + j]!;
      for (let a = 0; a < d; a++) means[j * d + a] = means[j * d + a]! + r * values[i * d + a]!;
    }
    for (let a = 0; a < d; a++) means[j * d + a] = means[j * d + a]! / mass;
    covariance.fill(0);
    const centred = new Float64Array(d);
    for (let i = 0; i < rows; i++) {
      const r = responsibilities[i * k + j]!;
      if (r === 0) continue;
      for (let a = 0; a < d; a++) centred[a] = values[i * d + a]! - means[j * d + a]!;
      for (let a = 0; a < d; a++) {
        const ra = r * centred[a]!;
        for (let b = 0; b <= a; b++) covariance[a * d + b] = covariance[a * d + b]! + ra * centred[b]!;
      }
    }
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        const value = covariance[a * d + b]! / mass;
        covariance[a * d + b] = value;
        covariance[b * d + a] = value;
      }
    }
    choleskyFactors.set(flooredCholesky(covariance, d, floor), j * d * d);
  }
  if (reseeds > 0) normalize(weights);
  return { mixture: { k, d, weights, means, choleskyFactors }, reseeded: reseeds > 0 };
}

function normalize(weights: Float64Array): void {
  const sum = weights.reduce((a, b) => a + b, 0);
  for (let j = 0; j < weights.length; j++) weights[j] = weights[j]! / sum;
}
