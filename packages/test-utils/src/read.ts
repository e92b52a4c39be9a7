import type * as tf from '@tensorflow/tfjs-core';

/** A tensor's values as plain numbers; the tensor is disposed, so a test can read an op's result inline. */
export function read(t: tf.Tensor): number[] {
  const values = Array.from(t.dataSync());
  t.dispose();
  return values;
}
