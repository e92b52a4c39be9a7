import type * as tf from '@tensorflow/tfjs-core';

/**
 * A finite collection of examples the training loop and evaluators draw batches from.
 * Implementations own how examples are stored and transformed (e.g. dynamic binarization);
 * the caller owns, and must dispose, every tensor a method returns.
 */
export interface Dataset {
  /** Number of examples. */
  readonly size: number;
  /** Shape of one example, without the batch dimension, e.g. [28, 28, 1] or [784]. */
  readonly exampleShape: readonly number[];
  /** Whether every value is already in {0, 1} (so a Bernoulli likelihood accepts it as is). */
  readonly binary: boolean;
  /**
   * The examples at `indices`, stacked into a float32 tensor of shape [indices.length, ...exampleShape].
   * `seed` drives any randomness in the transform (dynamic binarization), so a batch is reproducible.
   */
  batch(indices: readonly number[], seed: number): tf.Tensor;
}
