import * as tf from '@tensorflow/tfjs-core';
import { sumPerExample } from '../reduce.js';
import { LOG_2PI } from './log-2pi.js';

/** log N(z; 0, I), summed over the event dimensions: one value per example. */
export function standardNormalLogProb(z: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => sumPerExample(tf.mul(-0.5, tf.add(tf.square(z), LOG_2PI))));
}
