// Fusing: many tensors travel as ONE collective over one flat buffer, because each collective costs a round
// trip (on loopback, 12 per-layer all-reduces took 30 ms where concat + one all-reduce + split took 20 ms).

import * as tf from '@tensorflow/tfjs-core';

/** The dtypes a collective carries here: TensorFlow's CollectiveReduceV2 supports both. */
export type FusableDType = 'float32' | 'int32';

/** Every tensor flattened and concatenated, in order; all must share a dtype (the error says which differs). */
export function fuse(tensors: readonly tf.Tensor[]): tf.Tensor1D {
  const first = tensors[0];
  if (first === undefined) throw new RangeError('nothing to fuse: the list of tensors is empty');
  const dtype = first.dtype;
  if (dtype !== 'float32' && dtype !== 'int32') {
    throw new TypeError(`collectives carry float32 or int32 tensors; tensor 0 is ${dtype}`);
  }
  tensors.forEach((t, i) => {
    if (t.dtype !== dtype) {
      throw new TypeError(`one collective carries one dtype: tensor 0 is ${dtype}, tensor ${i} is ${t.dtype}`);
    }
  });
  return tf.tidy(() => tf.concat(tensors.map((t) => tf.reshape(t, [-1])) as tf.Tensor1D[], 0));
}

/** The inverse of fuse: pieces of `flat` with the shapes of `like`, in order. */
export function unfuse(flat: tf.Tensor1D, like: readonly tf.Tensor[]): tf.Tensor[] {
  const sizes = like.map((t) => t.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== flat.size) throw new RangeError(`cannot split ${flat.size} values into tensors of ${total}`);
  return tf.tidy(() => tf.split(flat, sizes).map((piece, i) => tf.reshape(piece, like[i]!.shape)));
}
