import * as tf from '@tensorflow/tfjs-core';
import type { DiagonalGaussian } from './distributions/diagonal-gaussian.js';
import { sumPerExample } from './reduce.js';

/**
 * KL(N(mu, diag(exp(logVar))) || N(0, I)) per latent dimension:
 * 0.5 * (mu^2 + sigma^2 - log sigma^2 - 1).
 */
export function klStandardNormalPerDim(mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.mul(0.5, tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), tf.add(logVar, 1))),
  );
}

/** Closed-form KL(q || N(0, I)) for a diagonal Gaussian q, summed over dimensions: one value per example. */
export function klStandardNormal(q: DiagonalGaussian): tf.Tensor1D {
  return tf.tidy(() => sumPerExample(klStandardNormalPerDim(q.mean, q.logVar)));
}

/**
 * Closed-form KL(q || p) between two diagonal Gaussians, per example:
 * 0.5 * sum(logVarP - logVarQ + (varQ + (muQ - muP)^2) / varP - 1). The ladder VAE's per-layer KL.
 * The mean term is the squared standardized difference ((muQ - muP) exp(-logVarP / 2))^2, not a
 * division by exp(logVarP): the gradient of a / b is -a / b^2, and b^2 underflows to 0 once
 * logVarP < about -44 (float32, denormals flushed), which with muQ = muP (a merged ladder posterior
 * dominated by a narrow prior) gives 0 / 0 = NaN for a finite loss.
 */
export function klDiagonal(q: DiagonalGaussian, p: DiagonalGaussian): tf.Tensor1D {
  return tf.tidy(() => {
    const varRatio = tf.exp(tf.sub(q.logVar, p.logVar));
    const meanTerm = tf.square(tf.mul(tf.sub(q.mean, p.mean), tf.exp(tf.mul(-0.5, p.logVar))));
    const perDim = tf.mul(0.5, tf.sub(tf.add(tf.sub(p.logVar, q.logVar), tf.add(varRatio, meanTerm)), 1));
    return sumPerExample(perDim);
  });
}

/**
 * Monte-Carlo KL estimate from samples z ~ q: log q(z) - log p(z), per example. Unbiased; the only
 * option when q has no closed form (flow posteriors, where log q includes the log-det-Jacobian).
 */
export function klMonteCarlo(logQ: tf.Tensor1D, logP: tf.Tensor1D): tf.Tensor1D {
  return tf.sub(logQ, logP);
}

/**
 * Free bits (Kingma et al. 2016): each dimension's batch-mean KL counts at least `lambda` nats, so the
 * optimizer gains nothing by pushing a dimension below it (a guard against posterior collapse).
 * Takes per-example, per-dimension KL [batch, dims] and returns the per-example total [batch].
 */
export function applyFreeBits(klPerDim: tf.Tensor, lambda: number): tf.Tensor1D {
  if (!(lambda >= 0)) throw new RangeError(`free bits must be >= 0 nats, got ${lambda}`);
  return tf.tidy(() => {
    if (lambda === 0) return sumPerExample(klPerDim);
    const batchMean = tf.mean(klPerDim, 0, true);
    // Where a dimension's mean KL is under the floor, its gradient is cut: the floor is a constant.
    // The mask comes from `step`, whose gradient is zero: a comparison op has no gradient in tfjs, and
    // one on the path from the weights makes every backward pass throw.
    const floorMask = tf.step(tf.sub(lambda, batchMean));
    const floored = tf.add(tf.mul(klPerDim, tf.sub(1, floorMask)), tf.mul(floorMask, lambda));
    return sumPerExample(floored);
  });
}
