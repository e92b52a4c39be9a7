import * as tf from '@tensorflow/tfjs-core';

/**
 * A batch repeated k times along the first axis, draw-major: row d · batch + i is example i of draw d,
 * the row order of importance-weighted draws ([k · batch], reshaped to [k, batch] for the log-weights).
 * For k = 1 it returns `t` itself, so call it where the caller's tidy owns the result.
 */
export function tileDraws(t: tf.Tensor, k: number): tf.Tensor {
  return k === 1 ? t : tf.tile(t, [k, ...t.shape.slice(1).map(() => 1)]);
}
