import * as tf from '@tensorflow/tfjs-core';
import { DiagonalGaussian, SeededRandom, type GaussianLatentModel } from '@vaekit/core';
import { take } from '../take.js';

export interface KlComparison {
  readonly closedForm: Float32Array;
  readonly monteCarlo: Float32Array;
  readonly standardError: Float32Array;
}

/**
 * Per example: the closed-form KL(q(z|x) || p(z)) against the model's own prior, and a Monte-Carlo
 * estimate from `samples` draws with its standard error.
 */
export async function compareKl(
  model: GaussianLatentModel,
  x: tf.Tensor,
  samples: number,
  seed: number,
): Promise<KlComparison> {
  const rng = new SeededRandom(seed);
  const closedForm = await take(tf.tidy(() => tf.sum(model.klPerDimension(x, rng), 1)));
  const [mcMean, mcSe] = tf.tidy(() => {
    const q = model.posterior(x);
    const batch = x.shape[0]!;
    const dims = q.mean.shape[1]!;
    const tiled = new DiagonalGaussian(
      tf.reshape(tf.tile(tf.expandDims(q.mean, 0), [samples, 1, 1]), [samples * batch, dims]),
      tf.reshape(tf.tile(tf.expandDims(q.logVar, 0), [samples, 1, 1]), [samples * batch, dims]),
    );
    const z = tiled.sample(rng.normal([samples * batch, dims]));
    const estimates = tf.reshape(tf.sub(tiled.logProb(z), model.priorLogProb(z)), [samples, batch]);
    const { mean, variance } = tf.moments(estimates, 0);
    return [mean, tf.sqrt(tf.div(tf.mul(variance, samples / (samples - 1)), samples))];
  });
  return { closedForm, monteCarlo: await take(mcMean!), standardError: await take(mcSe!) };
}
