import * as tf from '@tensorflow/tfjs-core';
import { createLocationScale, describeLocationScale, scaleSettings, type LocationScaleFamily } from './location-scale.js';
import { positiveScaleField, scaleModeField } from './scale-mode.js';
import type { LikelihoodDefinition } from './types.js';

const LEVELS = 255;
/** Half the distance between two 8-bit levels on [0, 1]. */
const HALF_BIN = 0.5 / LEVELS;
// Below this probability mass the bin's difference of CDFs loses its digits in float32; the density at
// the bin's centre times its width is used there instead.
const MIN_BIN_MASS = 1e-5;

/**
 * log P(x) for x one of the levels k/255: the logistic's mass over x's bin [x - 1/510, x + 1/510], with
 * the lowest bin reaching down to -∞ and the highest up to +∞, so the 256 levels share all the mass.
 */
function logBinMass(location: tf.Tensor, logScale: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const inverseScale = tf.exp(tf.neg(logScale));
  const centred = tf.sub(x, location);
  const upper = tf.mul(tf.add(centred, HALF_BIN), inverseScale);
  const lower = tf.mul(tf.sub(centred, HALF_BIN), inverseScale);
  // log σ(a) = a - softplus(a) and log(1 - σ(a)) = -softplus(a): stable at any a.
  const logBelowUpper = tf.sub(upper, tf.softplus(upper));
  const logAboveLower = tf.neg(tf.softplus(lower));
  // σ(u) - σ(l) = σ(-l) - σ(-u): above the location both sigmoids are near 1 and their float32 difference
  // loses its digits (the loss then jitters and a finite-difference check cannot follow it); the
  // mirrored form subtracts two small numbers instead.
  const mass = tf.where(
    tf.greater(centred, 0),
    tf.sub(tf.sigmoid(tf.neg(lower)), tf.sigmoid(tf.neg(upper))),
    tf.sub(tf.sigmoid(upper), tf.sigmoid(lower)),
  );
  const middle = tf.mul(centred, inverseScale);
  const logDensityTimesWidth = tf.add(tf.sub(tf.sub(middle, logScale), tf.mul(2, tf.softplus(middle))), Math.log(2 * HALF_BIN));
  const interior = tf.where(tf.greater(mass, MIN_BIN_MASS), tf.log(tf.maximum(mass, 1e-12)), logDensityTimesWidth);
  const isLowest = tf.less(x, HALF_BIN);
  const isHighest = tf.greater(x, 1 - HALF_BIN);
  return tf.where(isLowest, logBelowUpper, tf.where(isHighest, logAboveLower, interior));
}

const family: LocationScaleFamily = {
  type: 'discretized-logistic',
  support: 'eight-bit',
  locationOrigin: 0.5,
  logDensity: logBinMass,
  // The mean of the logistic clipped to [0, 1], s (softplus(μ/s) - softplus((μ-1)/s)): within O(1/255²) of
  // the discretized mean, which is the midpoint rule for the same integral.
  mean: (location, logScale) => {
    const scale = tf.exp(logScale);
    const inverseScale = tf.exp(tf.neg(logScale));
    return tf.mul(scale, tf.sub(tf.softplus(tf.mul(location, inverseScale)), tf.softplus(tf.mul(tf.sub(location, 1), inverseScale))));
  },
  sample: (location, logScale, rng) => {
    const u = tf.clipByValue(rng.uniform(location.shape), 1e-7, 1 - 1e-7);
    const draw = tf.add(location, tf.mul(tf.exp(logScale), tf.sub(tf.log(u), tf.log1p(tf.neg(u)))));
    return tf.div(tf.clipByValue(tf.round(tf.mul(draw, LEVELS)), 0, LEVELS), LEVELS);
  },
};

const settingsOf = (config: Parameters<typeof scaleSettings>[0]) => scaleSettings(config, 'scale', 's', 'minS');

/**
 * A logistic discretized to the 256 levels of 8-bit pixels scaled to [0, 1] (k/255, what the loaders give
 * without binarization), as in PixelCNN++ with one component: exact probabilities, so its -log p in bits
 * per dimension compares with published figures. `scale` defaults to `learned-global`: with a scale per
 * value, a VAE's decoder widens the scale where it is unsure (a shape's colour) and is then barely pulled
 * toward the right value there, so it reaches better bits/dim while its pictures show pale blobs where
 * the shapes are; `learned-per-pixel` is one setting away for those who want the likelihood. The decoder's
 * location output is the offset from 0.5, so an untrained decoder starts at mid-grey (see
 * `LocationScaleFamily.locationOrigin`).
 */
export const discretizedLogisticDefinition: LikelihoodDefinition = {
  type: 'discretized-logistic',
  description: 'logistic discretized to 256 levels, for 8-bit images scaled to [0, 1]; one learned scale by default (learned-per-pixel: better bits/dim, paler pictures)',
  fields: {
    scale: scaleModeField('learned-global'),
    s: positiveScaleField(0.1, ' (the fixed or starting scale)'),
    minS: positiveScaleField(1e-3, ' (learned scales are held at or above it)'),
  },
  describe: (config) => describeLocationScale(family, settingsOf(config)),
  create: (config) => createLocationScale(family, settingsOf(config), config),
};
