import * as tf from '@tensorflow/tfjs-core';
import { DiagonalGaussian, klDiagonal, klStandardNormalPerDim } from '@vaekit/core';

/**
 * KL(q || p) per example and dimension, [batch, dims], for diagonal Gaussians: against N(0, I) when p is
 * null, else core's diagonal-vs-diagonal KL on a [batch·dims, 1] view so each dimension is its own
 * "example". p may be a single Gaussian over the dimensions (a learned prior): it is broadcast to q's shape.
 */
export function klPerDimensionDiagonal(q: DiagonalGaussian, p: DiagonalGaussian | null): tf.Tensor2D {
  return tf.tidy(() => {
    if (!p) return klStandardNormalPerDim(q.mean, q.logVar) as tf.Tensor2D;
    const column = (t: tf.Tensor) => tf.reshape(tf.broadcastTo(t, q.mean.shape), [-1, 1]);
    const perDim = klDiagonal(new DiagonalGaussian(column(q.mean), column(q.logVar)), new DiagonalGaussian(column(p.mean), column(p.logVar)));
    return tf.reshape(perDim, [q.mean.shape[0]!, q.mean.shape[1]!]) as tf.Tensor2D;
  });
}
