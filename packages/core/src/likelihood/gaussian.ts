import * as tf from '@tensorflow/tfjs-core';
import { LOG_2PI } from '../distributions/log-2pi.js';
import { sumPerExample } from '../reduce.js';
import { createLocationScale, describeLocationScale, scaleSettings, type LocationScaleFamily } from './location-scale.js';
import { positiveScaleField, scaleModeField } from './scale-mode.js';
import type { LikelihoodDefinition } from './types.js';

/** log N(x; mean, exp(logVar)) summed over event dimensions, per example. */
export function gaussianLogProb(mean: tf.Tensor, logVar: tf.Tensor | number, x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => sumPerExample(gaussianLogDensity(mean, tf.mul(0.5, logVar), x)));
}

/** log N(x; location, exp(logScale)²) per value. */
function gaussianLogDensity(location: tf.Tensor, logScale: tf.Tensor, x: tf.Tensor): tf.Tensor {
  // The standardized difference rather than a division by the variance keeps gradients finite at tiny
  // variances (see DiagonalGaussian.logProb).
  const standardized = tf.mul(tf.sub(x, location), tf.exp(tf.neg(logScale)));
  return tf.sub(tf.mul(-0.5, tf.add(LOG_2PI, tf.square(standardized))), logScale);
}

const family: LocationScaleFamily = {
  type: 'gaussian',
  support: 'real',
  logDensity: gaussianLogDensity,
  mean: (location) => location.clone(),
  sample: (location, logScale, rng) => tf.add(location, tf.mul(tf.exp(logScale), rng.normal(location.shape))),
};

const settingsOf = (config: Parameters<typeof scaleSettings>[0]) => scaleSettings(config, 'variance', 'sigma', 'minSigma');

/**
 * Gaussian N(x; μ, σ²) per value, μ from the decoder. `variance`: `fixed` (σ = `sigma`, default 1, for
 * which -log p is half the squared error plus a constant), `learned-global` (one trainable σ starting at
 * `sigma`) or `learned-per-pixel` (the decoder predicts log σ per value). Learned σ stay >= `minSigma`.
 */
export const gaussianDefinition: LikelihoodDefinition = {
  type: 'gaussian',
  description: 'Gaussian for real values; variance fixed (sigma), learned-global or learned-per-pixel',
  fields: {
    variance: scaleModeField('fixed'),
    sigma: positiveScaleField(1, ' (the fixed or starting standard deviation)'),
    minSigma: positiveScaleField(1e-3, ' (learned standard deviations are held at or above it)'),
  },
  describe: (config) => describeLocationScale(family, settingsOf(config)),
  create: (config) => createLocationScale(family, settingsOf(config), config),
};
