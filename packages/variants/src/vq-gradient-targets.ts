import * as tf from '@tensorflow/tfjs-core';
import type { GradientCheckTarget, LossContext, LossTerms, NamedVariable } from '@vaekit/core';
import { lookupCodes, nearestCodes } from './vq-codebook.js';

/** What the gradient-check targets read from a VQ-VAE. */
export interface QuantizedModel {
  readonly codebook: tf.Variable<tf.Rank.R2>;
  readonly learnsCodebookByLoss: boolean;
  readonly commitmentCost: number;
  /** The continuous encoder outputs z_e, [batch, numLatents, embeddingDim]. */
  encodeContinuous(x: tf.Tensor): tf.Tensor3D;
  logLikelihood(x: tf.Tensor, z: tf.Tensor): tf.Tensor1D;
  loss(x: tf.Tensor, context: LossContext): LossTerms;
  variables(): NamedVariable[];
}

/** Σ over an example's latents of squared errors, batch mean. */
export function sumOfSquares(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.square(tf.sub(a, b)), [1, 2])));
}

/**
 * The straight-through gradient is not the derivative of the loss value (the quantizer is piecewise
 * constant), but each part of it is an exact derivative of something, and those are what a
 * finite-difference check can verify at the current weights:
 * - decoder weights: the loss itself (they do not move the code assignments);
 * - encoder weights: reconstruction at z_e + (z_q - z_e) with the offset frozen, plus the commitment
 *   loss against the frozen codes — exactly what the straight-through estimator differentiates;
 * - the codebook (when trained by its loss): the codebook loss with the encoder outputs and the
 *   assignments frozen.
 */
export function vqGradientCheckTargets(
  model: QuantizedModel,
  x: tf.Tensor,
  context: LossContext,
): { targets: GradientCheckTarget[]; dispose(): void } {
  const { codebook } = model;
  const frozen = tf.tidy(() => {
    const zE = model.encodeContinuous(x);
    const indices = nearestCodes(tf.reshape(zE, [-1, zE.shape[2]]), codebook);
    const zQ = tf.reshape(lookupCodes(indices, codebook), [...zE.shape]);
    return { zE, indices, zQ, offset: tf.sub(zQ, zE) };
  });
  const trainable = (prefix: string): tf.Variable[] =>
    model.variables().filter((v) => v.trainable && v.name.startsWith(prefix)).map((v) => v.variable);
  const targets: GradientCheckTarget[] = [
    {
      name: 'decoder',
      variables: trainable('decoder/'),
      objective: () => model.loss(x, { ...context, training: false }).total,
    },
    {
      name: 'encoder (straight-through)',
      variables: trainable('encoder/'),
      objective: () =>
        tf.tidy(() => {
          const zE = model.encodeContinuous(x);
          const reconstruction = tf.neg(tf.mean(model.logLikelihood(x, tf.add(zE, frozen.offset))));
          return tf.add(reconstruction, tf.mul(model.commitmentCost, sumOfSquares(zE, frozen.zQ))) as tf.Scalar;
        }),
    },
  ];
  if (model.learnsCodebookByLoss) {
    targets.push({
      name: 'codebook',
      variables: [codebook],
      objective: () => tf.tidy(() => sumOfSquares(frozen.zE, tf.reshape(lookupCodes(frozen.indices, codebook), [...frozen.zE.shape]))),
    });
  }
  return { targets, dispose: () => tf.dispose(Object.values(frozen)) };
}
