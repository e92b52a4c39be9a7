// A likelihood the suite has never heard of, registered the way a user registers one and certified on cpu
// with Vae and VqVae: the suite reads the support from what each model declares, so nothing in it changes
// for a new likelihood. This one owns a weight (its scale), which saving, loading and the leak check cover.
import * as tf from '@tensorflow/tfjs-core';
import '@vaekit/variants';
import {
  finiteNumber,
  registerLikelihood,
  sumPerExample,
  type Likelihood,
  type LikelihoodConfig,
  type LikelihoodDescription,
} from '@vaekit/core';
import { defineConformanceSuite, likelihoodCases } from '../src/index.js';

const LOG_SCALE_WEIGHT = 'likelihood/logB';

const description: LikelihoodDescription = {
  type: 'test-laplace',
  support: 'real',
  paramsPerValue: 1,
  weights: [{ name: LOG_SCALE_WEIGHT, shape: [], dtype: 'float32' }],
};

/** Laplace(x; μ, b) with one learned b for every value: the decoder gives μ, the likelihood owns log b. */
function createTestLaplace(config: LikelihoodConfig): Likelihood {
  const logB = tf.tidy(() => tf.variable(tf.scalar(Math.log(config['b'] as number)), true));
  return {
    ...description,
    config,
    logProb: (location, x) =>
      tf.tidy(() => sumPerExample(tf.neg(tf.add(tf.add(Math.LN2, logB), tf.mul(tf.abs(tf.sub(x, location)), tf.exp(tf.neg(logB))))))),
    mean: (location) => location.clone(),
    sample: (location, rng) =>
      tf.tidy(() => {
        // Inverse CDF; the clip keeps log1p away from log(0) at the uniform's edges.
        const u = tf.clipByValue(tf.sub(rng.uniform(location.shape), 0.5), -0.4999, 0.4999);
        return tf.sub(location, tf.mul(tf.exp(logB), tf.mul(tf.sign(u), tf.log1p(tf.mul(-2, tf.abs(u))))));
      }),
    variables: () => [{ name: LOG_SCALE_WEIGHT, variable: logB, trainable: true }],
    dispose: () => logB.dispose(),
  };
}

registerLikelihood({
  type: 'test-laplace',
  description: 'Laplace with one learned scale, defined outside core',
  fields: { b: finiteNumber(0.5, { min: 0, minExclusive: true }) },
  describe: () => description,
  create: createTestLaplace,
});

defineConformanceSuite({
  backend: 'cpu',
  variants: likelihoodCases({ likelihoods: [{ type: 'test-laplace' }] }),
});
