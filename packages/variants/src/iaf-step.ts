import * as tf from '@tensorflow/tfjs-core';

/**
 * The numerically stable IAF update (Kingma et al. 2016): σ = sigmoid(s), z' = σ ⊙ z + (1 − σ) ⊙ m,
 * with m and s from an autoregressive network of z. Its Jacobian is triangular under the ordering with
 * diagonal σ, so log|det| = Σ log σ, computed as Σ −softplus(−s). Rows are examples; logDet is [n].
 */
export function iafGatedUpdate(z: tf.Tensor, m: tf.Tensor, s: tf.Tensor): { z: tf.Tensor; logDet: tf.Tensor1D } {
  return tf.tidy(() => {
    const gate = tf.sigmoid(s);
    const next = tf.add(tf.mul(gate, z), tf.mul(tf.sub(1, gate), m));
    const logDet = tf.sum(tf.neg(tf.softplus(tf.neg(s))), -1) as tf.Tensor1D;
    return { z: next, logDet };
  });
}
