import type * as tf from '@tensorflow/tfjs-core';
import { DiagonalGaussian, gaussianLogProbFromNoise, tileDraws, type SeededRandom } from '@vaekit/core';

/** k reparameterized draws per example from a diagonal Gaussian, rows draw-major ([k · batch]). */
export interface GaussianDraws {
  /** The noise ε behind the draws. */
  readonly epsilon: tf.Tensor;
  /** z = μ + σ ⊙ ε. */
  readonly z: tf.Tensor;
  /** log q(z) per row, from the noise (`gaussianLogProbFromNoise`). */
  readonly logQ: tf.Tensor1D;
}

/** Not a tidy of its own: call it inside the caller's, which owns the results. */
export function drawGaussian(q: DiagonalGaussian, k: number, rng: SeededRandom): GaussianDraws {
  const logVar = tileDraws(q.logVar, k);
  const tiled = new DiagonalGaussian(tileDraws(q.mean, k), logVar);
  const epsilon = rng.normal(tiled.mean.shape);
  return { epsilon, z: tiled.sample(epsilon), logQ: gaussianLogProbFromNoise(logVar, epsilon) };
}
