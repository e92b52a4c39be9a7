import * as tf from '@tensorflow/tfjs-core';
import { LOG_2PI } from './distributions/log-2pi.js';
import { sumPerExample } from './reduce.js';

/**
 * A decoder's output distribution p(x | z). `params` is what the decoder network emits; for the
 * Gaussian with learned variance it carries mean and log-variance stacked on the last axis.
 */
export interface Likelihood {
  readonly kind: 'bernoulli' | 'gaussian';
  /** How many numbers the decoder must emit per data value (2 for a learned-variance Gaussian). */
  readonly paramsPerValue: 1 | 2;
  /** log p(x | params), summed over the event dimensions: one value per example. */
  logProb(params: tf.Tensor, x: tf.Tensor): tf.Tensor1D;
  /** The distribution's mean: what reconstructions and samples show. */
  mean(params: tf.Tensor): tf.Tensor;
  /** Data values this likelihood accepts, for validating a data set before training. */
  readonly support: 'binary' | 'real';
}

/**
 * Bernoulli over each value, from logits: log p(x) = x l - softplus(l), summed per example. softplus is
 * one stable kernel on every backend, so this is four kernels forward (the op count of the loss is a
 * large share of a small model's step time on native).
 */
export function bernoulliLogProb(logits: tf.Tensor, x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.neg(sumPerExample(tf.sub(tf.softplus(logits), tf.mul(logits, x)))));
}

export const bernoulli: Likelihood = {
  kind: 'bernoulli',
  paramsPerValue: 1,
  support: 'binary',
  logProb: bernoulliLogProb,
  mean: (logits) => tf.sigmoid(logits),
};

/** log N(x; mean, exp(logVar)) summed over event dimensions, per example. */
export function gaussianLogProb(mean: tf.Tensor, logVar: tf.Tensor | number, x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    // Standardized difference rather than a division by the variance, for finite gradients at tiny
    // variances (see DiagonalGaussian.logProb).
    const inverseScale = typeof logVar === 'number' ? Math.exp(-0.5 * logVar) : tf.exp(tf.mul(-0.5, logVar));
    const standardized = tf.mul(tf.sub(x, mean), inverseScale);
    const perValue = tf.mul(-0.5, tf.add(tf.add(LOG_2PI, logVar), tf.square(standardized)));
    return sumPerExample(perValue);
  });
}

export interface GaussianLikelihoodOptions {
  /** `fixed`: one variance for every value (sigma below); `learned`: the decoder predicts a log-variance per value. */
  variance: 'fixed' | 'learned';
  /** Standard deviation for `fixed`. Default 1, for which -log p is half the squared error plus a constant. */
  sigma?: number;
}

export function gaussian(options: GaussianLikelihoodOptions = { variance: 'fixed' }): Likelihood {
  if (options.variance === 'fixed') {
    const sigma = options.sigma ?? 1;
    if (!(sigma > 0) || !Number.isFinite(sigma)) {
      throw new RangeError(`gaussian likelihood: sigma must be a positive number, got ${sigma}`);
    }
    const logVar = 2 * Math.log(sigma);
    return {
      kind: 'gaussian',
      paramsPerValue: 1,
      support: 'real',
      logProb: (mean, x) => gaussianLogProb(mean, logVar, x),
      mean: (params) => params.clone(),
    };
  }
  return {
    kind: 'gaussian',
    paramsPerValue: 2,
    support: 'real',
    logProb: (params, x) =>
      tf.tidy(() => {
        const [mean, logVar] = splitLastAxis(params);
        return gaussianLogProb(mean!, logVar!, x);
      }),
    mean: (params) => tf.tidy(() => splitLastAxis(params)[0]!),
  };
}

/** A learned-variance decoder emits [..., 2]: mean and log-variance on the last axis. */
function splitLastAxis(params: tf.Tensor): tf.Tensor[] {
  const last = params.shape[params.rank - 1];
  if (last !== 2) {
    throw new RangeError(`learned-variance Gaussian expects params with last axis 2, got [${params.shape}]`);
  }
  return tf.unstack(params, params.rank - 1);
}

export type LikelihoodConfig =
  | { type: 'bernoulli' }
  | { type: 'gaussian'; variance: 'fixed'; sigma?: number }
  | { type: 'gaussian'; variance: 'learned' };

export function createLikelihood(config: LikelihoodConfig): Likelihood {
  switch (config.type) {
    case 'bernoulli':
      return bernoulli;
    case 'gaussian':
      return config.variance === 'learned'
        ? gaussian({ variance: 'learned' })
        : gaussian({ variance: 'fixed', ...(config.sigma !== undefined ? { sigma: config.sigma } : {}) });
    default: {
      const unknown: never = config;
      throw new RangeError(`unknown likelihood ${JSON.stringify(unknown)}: use 'bernoulli' or 'gaussian'`);
    }
  }
}
