import * as tf from '@tensorflow/tfjs-core';

/** Keeps 0 / 0 at w = 0 finite (it is then 0, and û = u); negligible against ||w||² in float32 otherwise. */
const NORM_EPSILON = 1e-10;

/**
 * The planar flow's invertibility reparameterization (Rezende and Mohamed 2015, appendix A):
 * û = u + (m(wᵀu) − wᵀu) w / ||w||², m(a) = −1 + softplus(a), so that wᵀû = m(wᵀu) > −1 and
 * f(z) = z + û h(wᵀz + b) with h = tanh is invertible. Rows are examples: u, w [n, D] → û [n, D].
 */
export function planarConstrainedU(u: tf.Tensor, w: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const wu = tf.sum(tf.mul(w, u), -1, true);
    const m = tf.sub(tf.softplus(wu), 1);
    const wNormSq = tf.add(tf.sum(tf.square(w), -1, true), NORM_EPSILON);
    return tf.add(u, tf.mul(tf.div(tf.sub(m, wu), wNormSq), w));
  });
}

/**
 * One planar step f(z) = z + û tanh(wᵀz + b) on rows z [n, D], with per-row (or broadcast [1, D])
 * parameters u, w and b ([n, 1] or [1, 1]); û is derived from u by `planarConstrainedU`.
 * log|det ∂f/∂z| = log|1 + ûᵀ ψ(z)|, ψ(z) = h'(wᵀz + b) w (matrix determinant lemma), per row [n].
 */
export function planarFlowStep(
  z: tf.Tensor,
  u: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
): { z: tf.Tensor; logDet: tf.Tensor1D } {
  return tf.tidy(() => {
    const uHat = planarConstrainedU(u, w);
    const activation = tf.tanh(tf.add(tf.sum(tf.mul(w, z), -1, true), b));
    const next = tf.add(z, tf.mul(uHat, activation));
    const slope = tf.sub(1, tf.square(activation)); // tanh' = 1 − tanh²
    const det = tf.add(1, tf.mul(slope, tf.sum(tf.mul(w, uHat), -1, true)));
    const logDet = tf.reshape(tf.log(tf.abs(det)), [-1]) as tf.Tensor1D;
    return { z: next, logDet };
  });
}
