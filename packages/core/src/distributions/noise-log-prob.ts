import * as tf from '@tensorflow/tfjs-core';
import { LOG_2PI } from './log-2pi.js';
import { sumPerExample } from '../reduce.js';

/**
 * log N(μ + σ ⊙ ε; μ, σ²) per example, from log σ² and the noise ε alone: Σ −½ (log 2π + log σ² + ε²).
 * The same value and gradient as evaluating the density at the draw, without forming z − μ, which
 * rounds to 0 once σ is below float32's resolution of μ and so drops the ε² term.
 */
export function gaussianLogProbFromNoise(logVar: tf.Tensor, epsilon: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => sumPerExample(tf.mul(-0.5, tf.add(tf.add(LOG_2PI, logVar), tf.square(epsilon)))));
}
