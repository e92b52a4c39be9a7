import * as tf from '@tensorflow/tfjs-core';

/** Sums over every axis but the first: one value per example. */
export function sumPerExample(t: tf.Tensor): tf.Tensor1D {
  if (t.rank === 0) throw new RangeError('sumPerExample needs a batch dimension, got a scalar');
  if (t.rank === 1) return t as tf.Tensor1D;
  const axes = Array.from({ length: t.rank - 1 }, (_, i) => i + 1);
  return tf.sum(t, axes);
}

/** log(mean(exp(x))) along `axis`, computed stably. */
export function logMeanExp(x: tf.Tensor, axis: number): tf.Tensor {
  return tf.tidy(() => {
    const n = x.shape[axis];
    if (n === undefined || n === 0) throw new RangeError(`logMeanExp: axis ${axis} is empty`);
    return tf.sub(tf.logSumExp(x, axis), Math.log(n));
  });
}
