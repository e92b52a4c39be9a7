import type * as tf from '@tensorflow/tfjs-core';
import { klStandardNormalPerDim, standardNormalLogProb, type DiagonalGaussian, type NamedVariable, type SeededRandom } from '@vaekit/core';

/**
 * p(z) over a flat latent of `dims` units, as a single-latent model uses it. Every method returns
 * tensors the caller owns; call them inside a tidy.
 */
export interface LatentPrior {
  /** log p(z) per example. */
  logProb(z: tf.Tensor): tf.Tensor1D;
  /** KL(q || p) per example and dimension, [batch, dims], for a diagonal-Gaussian posterior q. */
  klPerDimension(q: DiagonalGaussian): tf.Tensor2D;
  /** n codes drawn from p, [n, dims]. */
  sample(n: number, rng: SeededRandom): tf.Tensor;
  /** The prior's own weights (none for a fixed prior), under stable names. */
  variables(): NamedVariable[];
  dispose(): void;
}

/** N(0, I): no weights. */
export function standardNormalPrior(dims: number): LatentPrior {
  return {
    logProb: (z) => standardNormalLogProb(z),
    klPerDimension: (q) => klStandardNormalPerDim(q.mean, q.logVar) as tf.Tensor2D,
    sample: (n, rng) => rng.normal([n, dims]),
    variables: () => [],
    dispose: () => {},
  };
}
