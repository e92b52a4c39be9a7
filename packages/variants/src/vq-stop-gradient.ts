import * as tf from '@tensorflow/tfjs-core';

/**
 * The identity whose gradient is zero: sg(x) in the VQ-VAE's losses and straight-through estimator.
 * tfjs has no stop-gradient op, so this is a custom gradient that passes the value through unchanged
 * and sends back zeros of the input's shape.
 */
const stopGradientOp = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => ({
  value: tf.clone(inputs[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor),
}));

export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}

/**
 * The straight-through estimator (Bengio et al. 2013; van den Oord et al. 2017): the forward value is
 * `quantized`, the gradient reaches `continuous` as if the quantization were the identity, and none
 * reaches `quantized`: continuous + sg(quantized - continuous).
 */
export function straightThrough<T extends tf.Tensor>(continuous: T, quantized: tf.Tensor): T {
  return tf.tidy(() => tf.add(continuous, stopGradient(tf.sub(quantized, continuous)))) as T;
}
