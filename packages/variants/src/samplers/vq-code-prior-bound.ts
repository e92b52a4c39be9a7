import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '@vaekit/core';
import type { VqCodePriorSampler } from './vq-code-prior.js';

/**
 * A lower bound on log p(x) per example, in nats, with the code prior in place of the VQ-VAE's uniform
 * one. The posterior is one-hot on the example's codes c(x), so the ELBO is
 *
 *   log p(x) >= log p(x | z_q) + log p_prior(c(x)),
 *
 * which with the uniform prior is the model's own ELBO, log p(x | z_q) − L log K. Returns [batch].
 */
export function vqLearnedPriorBound(model: VaeModel, sampler: VqCodePriorSampler, x: tf.Tensor): tf.Tensor1D {
  const codeModel = sampler.checkModel(model);
  return tf.tidy(() => {
    const indices = codeModel.codeIndices(x);
    const zQ = tf.gather(codeModel.codebook, indices);
    return tf.add(codeModel.logLikelihood(x, zQ), sampler.logProb(indices)) as tf.Tensor1D;
  });
}
