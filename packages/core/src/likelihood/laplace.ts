import * as tf from '@tensorflow/tfjs-core';
import { createLocationScale, describeLocationScale, scaleSettings, type LocationScaleFamily } from './location-scale.js';
import { positiveScaleField, scaleModeField } from './scale-mode.js';
import type { LikelihoodDefinition } from './types.js';

// Keeps the inverse-CDF draw away from log(0) at the uniform's edges.
const EDGE = 1e-7;

const family: LocationScaleFamily = {
  type: 'laplace',
  support: 'real',
  // log p = -log(2b) - |x - μ| / b
  logDensity: (location, logScale, x) =>
    tf.sub(tf.neg(tf.add(Math.LN2, logScale)), tf.mul(tf.abs(tf.sub(x, location)), tf.exp(tf.neg(logScale)))),
  mean: (location) => location.clone(),
  sample: (location, logScale, rng) => {
    // Inverse CDF: with u uniform in (-1/2, 1/2), x = μ - b sign(u) log(1 - 2|u|).
    const u = tf.sub(tf.clipByValue(rng.uniform(location.shape), EDGE, 1 - EDGE), 0.5);
    const offset = tf.mul(tf.neg(tf.sign(u)), tf.log1p(tf.mul(-2, tf.abs(u))));
    return tf.add(location, tf.mul(tf.exp(logScale), offset));
  },
};

const settingsOf = (config: Parameters<typeof scaleSettings>[0]) => scaleSettings(config, 'scale', 'b', 'minB');

/**
 * Laplace(x; μ, b) per value: -log p is the absolute error over b plus log 2b, so it is robust to
 * outliers where the Gaussian's squared error is not. `scale` is `fixed` (b), `learned-global` or
 * `learned-per-pixel`, like the Gaussian's variance.
 */
export const laplaceDefinition: LikelihoodDefinition = {
  type: 'laplace',
  description: 'Laplace for real values (absolute error); scale fixed (b), learned-global or learned-per-pixel',
  fields: {
    scale: scaleModeField('fixed'),
    b: positiveScaleField(1, ' (the fixed or starting scale)'),
    minB: positiveScaleField(1e-3, ' (learned scales are held at or above it)'),
  },
  describe: (config) => describeLocationScale(family, settingsOf(config)),
  create: (config) => createLocationScale(family, settingsOf(config), config),
};
