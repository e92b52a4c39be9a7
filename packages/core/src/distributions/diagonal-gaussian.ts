import * as tf from '@tensorflow/tfjs-core';
import { sumPerExample } from '../reduce.js';
import { LOG_2PI } from './log-2pi.js';

/**
 * A Gaussian with diagonal covariance, parameterized by its mean and log-variance (the encoder's
 * outputs). It does not own its tensors: whoever built them disposes them.
 */
export class DiagonalGaussian {
  constructor(
    readonly mean: tf.Tensor,
    readonly logVar: tf.Tensor,
  ) {
    if (!tf.util.arraysEqual(mean.shape, logVar.shape)) {
      throw new RangeError(
        `DiagonalGaussian: mean shape [${mean.shape}] and logVar shape [${logVar.shape}] differ`,
      );
    }
  }

  /** z = mean + exp(logVar / 2) * eps: the reparameterized draw for standard-normal noise `eps`. */
  sample(eps: tf.Tensor): tf.Tensor {
    return reparameterize(this.mean, this.logVar, eps);
  }

  /** log q(z), summed over event dimensions: one value per example. */
  logProb(z: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      // The standardized difference, not (z − μ)² / σ²: that division's gradient divides by σ⁴, which
      // underflows to 0 in float32 for log σ² below about −44 and turns a finite loss's gradient into NaN.
      const standardized = tf.mul(tf.sub(z, this.mean), tf.exp(tf.mul(-0.5, this.logVar)));
      const perDim = tf.mul(-0.5, tf.add(tf.add(LOG_2PI, this.logVar), tf.square(standardized)));
      return sumPerExample(perDim);
    });
  }
}

/** z = mu + sigma * eps with sigma = exp(logVar / 2): gradients reach mu and logVar through z. */
export function reparameterize(mean: tf.Tensor, logVar: tf.Tensor, eps: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(mean, tf.mul(tf.exp(tf.mul(0.5, logVar)), eps)));
}
