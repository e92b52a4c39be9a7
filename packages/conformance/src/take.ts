import type * as tf from '@tensorflow/tfjs-core';

/** Reads a tensor's values and disposes it. */
export async function take(t: tf.Tensor): Promise<Float32Array> {
  try {
    return Float32Array.from(await t.data());
  } finally {
    t.dispose();
  }
}
