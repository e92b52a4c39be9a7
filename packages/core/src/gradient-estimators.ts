import * as tf from '@tensorflow/tfjs-core';
import type { GaussianLatentModel } from './model.js';
import type { SeededRandom } from './random.js';

/**
 * Two unbiased estimators of the gradient of E_{q(z|x)}[log p(x|z)] with respect to the encoder's
 * parameters, on one batch, so the seed's claim that reparameterization has far lower variance than
 * the score-function (REINFORCE) estimator can be measured rather than stated.
 *
 * - reparameterization: z = mu + sigma * eps, differentiate log p(x | z(eps)) through z.
 * - score function: log p(x|z) * grad log q(z|x), with z held fixed (drawn outside the tape).
 */
export type GradientEstimator = 'reparameterization' | 'score-function';

/** One draw of the chosen estimator, flattened into a single vector over all encoder parameters. */
export function estimateEncoderGradient(
  model: GaussianLatentModel,
  x: tf.Tensor,
  estimator: GradientEstimator,
  rng: SeededRandom,
): tf.Tensor1D {
  const params = model.encoderVariables();
  return tf.tidy(() => {
    const eps = rng.normal([x.shape[0]!, ...model.latentShape]);
    let objective: () => tf.Scalar;
    if (estimator === 'reparameterization') {
      objective = () => {
        const q = model.posterior(x);
        return tf.mean(model.logLikelihood(x, q.sample(eps)));
      };
    } else {
      // The draw and the reward are constants here: only log q(z|x) is differentiated.
      const { z, reward } = tf.tidy(() => {
        const q = model.posterior(x);
        const drawn = q.sample(eps);
        return { z: drawn, reward: model.logLikelihood(x, drawn) };
      });
      objective = () => tf.mean(tf.mul(reward, model.posterior(x).logProb(z)));
    }
    const { grads } = tf.variableGrads(objective, params);
    return tf.concat(params.map((p) => tf.reshape(grads[p.name]!, [-1]))) as tf.Tensor1D;
  });
}

export interface EstimatorVariance {
  readonly estimator: GradientEstimator;
  /** Mean over parameters of the per-parameter variance across draws. */
  readonly meanVariance: number;
  /** Squared norm of the mean gradient: the signal the variance is compared with. */
  readonly meanGradientSquaredNorm: number;
  readonly draws: number;
}

/** Variance of one estimator over `draws` independent noise draws on the same batch and weights. */
export async function measureEstimatorVariance(
  model: GaussianLatentModel,
  x: tf.Tensor,
  estimator: GradientEstimator,
  draws: number,
  rng: SeededRandom,
): Promise<EstimatorVariance> {
  if (!Number.isInteger(draws) || draws < 2) throw new RangeError(`draws must be a whole number >= 2, got ${draws}`);
  let sum: tf.Tensor1D | null = null;
  let sumSquares: tf.Tensor1D | null = null;
  for (let i = 0; i < draws; i++) {
    const g = estimateEncoderGradient(model, x, estimator, rng);
    const nextSum: tf.Tensor1D = sum ? tf.add(sum, g) : g.clone();
    const nextSquares: tf.Tensor1D = tf.tidy(() => (sumSquares ? tf.add(sumSquares, tf.square(g)) : tf.square(g)));
    sum?.dispose();
    sumSquares?.dispose();
    g.dispose();
    sum = nextSum;
    sumSquares = nextSquares;
  }
  const stats = tf.tidy(() => {
    const mean = tf.div(sum!, draws);
    // Unbiased sample variance per parameter.
    const variance = tf.div(tf.sub(sumSquares!, tf.mul(draws, tf.square(mean))), draws - 1);
    return tf.stack([tf.mean(variance), tf.sum(tf.square(mean))]);
  });
  sum!.dispose();
  sumSquares!.dispose();
  const [meanVariance, meanGradientSquaredNorm] = Array.from(await stats.data());
  stats.dispose();
  return { estimator, meanVariance: meanVariance!, meanGradientSquaredNorm: meanGradientSquaredNorm!, draws };
}
