import * as tf from '@tensorflow/tfjs-core';

/**
 * The decoder's parameters split into `count` tensors shaped like the data. With one parameter per value
 * the tensor itself (a clone, so the caller can dispose every part alike); with more, the last axis,
 * which must have exactly `count` entries.
 */
export function splitParams(params: tf.Tensor, count: number, type: string): tf.Tensor[] {
  if (count === 1) return [params.clone()];
  const last = params.shape[params.rank - 1];
  if (last !== count) {
    throw new RangeError(`likelihood '${type}' expects parameters with ${count} entries on the last axis, got shape [${params.shape}]`);
  }
  return tf.unstack(params, params.rank - 1);
}
