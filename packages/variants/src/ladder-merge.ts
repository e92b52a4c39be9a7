import * as tf from '@tensorflow/tfjs-core';
import { DiagonalGaussian } from '@vaekit/core';

/**
 * The ladder VAE's posterior for a lower layer: the product of the bottom-up estimate N(μ̂, σ̂²) and the
 * top-down prior N(μ_p, σ_p²), renormalized — a precision-weighted average:
 *   σ_q² = 1 / (σ̂⁻² + σ_p⁻²),   μ_q = (μ̂ σ̂⁻² + μ_p σ_p⁻²) σ_q².
 * Computed in log-variance space: log σ_q² = −logsumexp(−log σ̂², −log σ_p²), and each mean is weighted
 * by exp(log σ_q² − log σ²) ∈ (0, 1), so neither tiny nor huge variances overflow.
 * The caller owns (and disposes) the returned tensors.
 */
export function precisionWeightedMerge(bottomUp: DiagonalGaussian, topDown: DiagonalGaussian): DiagonalGaussian {
  const [mean, logVar] = tf.tidy(() => {
    const logVarQ = tf.neg(tf.logSumExp(tf.stack([tf.neg(bottomUp.logVar), tf.neg(topDown.logVar)]), 0));
    const weightUp = tf.exp(tf.sub(logVarQ, bottomUp.logVar));
    const weightDown = tf.exp(tf.sub(logVarQ, topDown.logVar));
    const meanQ = tf.add(tf.mul(bottomUp.mean, weightUp), tf.mul(topDown.mean, weightDown));
    return [meanQ, logVarQ];
  });
  return new DiagonalGaussian(mean!, logVar!);
}
