import * as tf from '@tensorflow/tfjs-core';
import { hasKlPerDimension, SeededRandom, type AsyncDataset, type VaeModel } from '@vaekit/core';

/**
 * KL(q(z|x) || p(z)) per latent dimension, averaged over the first `limit` examples of `data` (the same
 * examples and noise every call, so epochs compare); null for a model whose KL does not split per
 * dimension (the flows).
 */
export async function klPerDimensionOn(model: VaeModel, data: AsyncDataset, limit: number, seed: number): Promise<Float32Array | null> {
  if (!hasKlPerDimension(model)) return null;
  const count = Math.min(limit, data.size);
  if (count < 1) return null;
  const x = await data.batch(
    Array.from({ length: count }, (_, i) => i),
    seed,
  );
  let means: tf.Tensor1D;
  try {
    means = tf.tidy(() => tf.mean(model.klPerDimension(x, new SeededRandom(seed)), 0) as tf.Tensor1D);
  } finally {
    x.dispose();
  }
  try {
    return (await means.data()) as Float32Array;
  } finally {
    means.dispose();
  }
}
