import * as tf from '@tensorflow/tfjs-core';
import { sumPerExample } from '../reduce.js';

const LOG_2PI = Math.log(2 * Math.PI);

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
      const diff = tf.sub(z, this.mean);
      const perDim = tf.mul(
        -0.5,
        tf.add(tf.add(LOG_2PI, this.logVar), tf.div(tf.square(diff), tf.exp(this.logVar))),
      );
      return sumPerExample(perDim);
    });
  }
}

/** z = mu + sigma * eps with sigma = exp(logVar / 2): gradients reach mu and logVar through z. */
export function reparameterize(mean: tf.Tensor, logVar: tf.Tensor, eps: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(mean, tf.mul(tf.exp(tf.mul(0.5, logVar)), eps)));
}
