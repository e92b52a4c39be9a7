import * as tf from '@tensorflow/tfjs-core';
import { logMeanExp } from './reduce.js';

export interface ElboTerms {
  /** ELBO per example: reconstruction log-likelihood minus beta * KL. */
  perExample: tf.Tensor1D;
  /** Batch mean of the negative ELBO (the loss to minimize). */
  loss: tf.Scalar;
  /** Batch mean negative reconstruction log-likelihood, in nats. */
  reconstruction: tf.Scalar;
  /** Batch mean KL, in nats (unweighted). */
  kl: tf.Scalar;
}

/**
 * ELBO = E_q[log p(x|z)] - klWeight * beta * KL(q(z|x) || p(z)), from per-example terms (klWeight: the
 * training schedule's KL weight). `klForLoss` is the KL
 * that enters the objective (for instance after free bits); the reported `kl` is always the true one.
 */
export function elbo(
  logLikelihood: tf.Tensor1D,
  kl: tf.Tensor1D,
  options: { beta?: number; klWeight?: number; klForLoss?: tf.Tensor1D } = {},
): ElboTerms {
  const beta = options.beta ?? 1;
  if (!Number.isFinite(beta) || beta < 0) throw new RangeError(`beta must be a finite number >= 0, got ${beta}`);
  const klWeight = options.klWeight ?? 1;
  if (!Number.isFinite(klWeight) || klWeight < 0) throw new RangeError(`klWeight must be a finite number >= 0, got ${klWeight}`);
  return tf.tidy(() => {
    const klTerm = options.klForLoss ?? kl;
    // The schedule's weight multiplies as a tensor of its own, never folded into beta in JavaScript: a
    // compiled step then takes it as an input rather than baking one step's value in.
    const weighted = tf.mul(klWeight, tf.mul(beta, klTerm));
    const perExample = tf.sub(logLikelihood, weighted) as tf.Tensor1D;
    return {
      perExample: tf.sub(logLikelihood, tf.mul(beta, kl)) as tf.Tensor1D,
      loss: tf.neg(tf.mean(perExample)) as tf.Scalar,
      reconstruction: tf.neg(tf.mean(logLikelihood)) as tf.Scalar,
      kl: tf.mean(kl) as tf.Scalar,
    };
  });
}

/**
 * The importance-weighted bound (Burda et al. 2016) per example, from log-weights of shape [k, batch]:
 * log (1/k) sum_i w_i with w_i = p(x, z_i) / q(z_i | x). It is a lower bound on log p(x) that tightens
 * as k grows, and equals the ELBO in expectation at k = 1; -IWAE with large k estimates the NLL.
 */
export function iwaeBound(logWeights: tf.Tensor): tf.Tensor1D {
  if (logWeights.rank !== 2) {
    throw new RangeError(`iwaeBound expects log-weights of shape [k, batch], got [${logWeights.shape}]`);
  }
  return logMeanExp(logWeights, 0) as tf.Tensor1D;
}
