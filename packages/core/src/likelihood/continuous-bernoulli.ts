import * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '../random.js';
import { sumPerExample } from '../reduce.js';
import type { Likelihood, LikelihoodConfig, LikelihoodDefinition, LikelihoodDescription } from './types.js';

// Below this |logit| the closed forms cancel catastrophically in float32; their Taylor series are used.
const SMALL_LOGIT = 0.1;

/**
 * log C(l), the continuous Bernoulli's normalizer from logits: C = l / tanh(l / 2), which is 2 at l = 0
 * (Loaiza-Ganem and Cunningham 2019, written in logits).
 */
function logNormalizer(logits: tf.Tensor): tf.Tensor {
  const small = tf.less(tf.abs(logits), SMALL_LOGIT);
  // The far branch of tf.where still has gradients taken; a safe argument keeps them finite.
  const safe = tf.where(small, tf.onesLike(logits), logits);
  const exact = tf.sub(tf.log(tf.abs(safe)), tf.log(tf.abs(tf.tanh(tf.mul(safe, 0.5)))));
  const squared = tf.square(logits);
  const series = tf.add(Math.LN2, tf.sub(tf.div(squared, 12), tf.div(tf.square(squared), 1440)));
  return tf.where(small, series, exact);
}

/** The mean from logits: 1 / (1 - e^-l) - 1 / l, which is 1/2 at l = 0. */
function continuousBernoulliMean(logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const small = tf.less(tf.abs(logits), SMALL_LOGIT);
    const safe = tf.where(small, tf.onesLike(logits), logits);
    const exact = tf.sub(tf.neg(tf.reciprocal(tf.expm1(tf.neg(safe)))), tf.reciprocal(safe));
    const series = tf.sub(tf.add(0.5, tf.div(logits, 12)), tf.div(tf.pow(logits, 3), 720));
    return tf.where(small, series, exact);
  });
}

/**
 * A draw by the inverse CDF, F⁻¹(u) = log(1 - u + u e^l) / l, written so that no exponential of a
 * positive number is taken: for l > 0 as 1 + log(u + (1 - u) e^-l) / l.
 */
function continuousBernoulliSample(logits: tf.Tensor, rng: SeededRandom): tf.Tensor {
  return tf.tidy(() => {
    const u = rng.uniform(logits.shape);
    const small = tf.less(tf.abs(logits), 1e-4);
    const safe = tf.where(small, tf.onesLike(logits), logits);
    const positive = tf.add(1, tf.div(tf.log(tf.add(u, tf.mul(tf.sub(1, u), tf.exp(tf.neg(safe))))), safe));
    const negative = tf.div(tf.log1p(tf.mul(u, tf.expm1(safe))), safe);
    const draw = tf.where(tf.greater(safe, 0), positive, negative);
    return tf.clipByValue(tf.where(small, u, draw), 0, 1);
  });
}

const description: LikelihoodDescription = { type: 'continuous-bernoulli', support: 'unit-interval', paramsPerValue: 1, weights: [] };

function createContinuousBernoulli(config: LikelihoodConfig): Likelihood {
  return {
    ...description,
    config,
    logProb: (logits, x) =>
      tf.tidy(() => sumPerExample(tf.add(tf.sub(tf.mul(logits, x), tf.softplus(logits)), logNormalizer(logits)))),
    mean: continuousBernoulliMean,
    sample: continuousBernoulliSample,
    variables: () => [],
    dispose: () => {},
  };
}

/**
 * The continuous Bernoulli: a proper density on [0, 1] from logits, for grey levels that are not binary.
 * A Bernoulli on such data is not a likelihood at all (its normalizer is missing), which biases the ELBO;
 * this adds the normalizer.
 */
export const continuousBernoulliDefinition: LikelihoodDefinition = {
  type: 'continuous-bernoulli',
  description: 'continuous Bernoulli from logits: a normalized density for grey levels in [0, 1]',
  fields: {},
  describe: () => description,
  create: createContinuousBernoulli,
};
