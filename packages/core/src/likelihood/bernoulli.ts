import * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '../random.js';
import { sumPerExample } from '../reduce.js';
import type { Likelihood, LikelihoodConfig, LikelihoodDefinition, LikelihoodDescription } from './types.js';

/**
 * Bernoulli over each value, from logits: log p(x) = x l - softplus(l), summed per example. softplus is
 * one stable kernel on every backend, so this is four kernels forward (the op count of the loss is a
 * large share of a small model's step time on native).
 */
export function bernoulliLogProb(logits: tf.Tensor, x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.neg(sumPerExample(tf.sub(tf.softplus(logits), tf.mul(logits, x)))));
}

const description: LikelihoodDescription = { type: 'bernoulli', support: 'binary', paramsPerValue: 1, weights: [] };

function createBernoulli(config: LikelihoodConfig): Likelihood {
  return {
    ...description,
    config,
    logProb: bernoulliLogProb,
    mean: (logits) => tf.sigmoid(logits),
    sample: (logits: tf.Tensor, rng: SeededRandom) =>
      tf.tidy(() => tf.cast(tf.less(rng.uniform(logits.shape), tf.sigmoid(logits)), 'float32')),
    variables: () => [],
    dispose: () => {},
  };
}

/** Bernoulli from logits, for binary data (or data binarized by the loader). */
export const bernoulliDefinition: LikelihoodDefinition = {
  type: 'bernoulli',
  description: 'Bernoulli from logits, for binary data (binarize grey levels first)',
  fields: {},
  describe: () => description,
  create: createBernoulli,
};
