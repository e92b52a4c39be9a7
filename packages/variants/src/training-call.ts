import * as tf from '@tensorflow/tfjs-core';
import type { LossContext } from '@vaekit/core';

/**
 * Whether a `loss` call is a training step, which may move state outside the optimizer (VQ-VAE's
 * codebook statistics, batch normalization's moving averages): the context's `training` flag when given,
 * otherwise whether a gradient tape is recording. (`context.step >= 0` cannot be the test: `evaluate`
 * passes step 0, and evaluating a model must not change it.)
 */
export function isTrainingCall(context: LossContext): boolean {
  return typeof context.training === 'boolean' ? context.training : tf.engine().isTapeOn();
}
