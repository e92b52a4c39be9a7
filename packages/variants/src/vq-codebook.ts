import * as tf from '@tensorflow/tfjs-core';

/**
 * Codebook arithmetic for vector quantization, as functions of plain tensors: nearest-code search,
 * code usage and its perplexity, the exponential-moving-average (EMA) codebook step and dead-code
 * restarts. The VQ-VAE model holds the state; these functions compute the next state.
 */

/**
 * One-hot rows as float32, made as int32 and cast: the wasm backend's OneHot kernel (tfjs 4.22) ignores a
 * float32 dtype and writes integer bit patterns into a float32 tensor (1 reads as 1.4e-45).
 */
export function oneHotFloat(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(indices, depth), 'float32') as tf.Tensor2D);
}

/** Squared Euclidean distances between each row of `vectors` [n, d] and each code of `codebook` [k, d]: [n, k]. */
export function squaredDistances(vectors: tf.Tensor2D, codebook: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const vectorNorms = tf.sum(tf.square(vectors), 1, true);
    const codeNorms = tf.reshape(tf.sum(tf.square(codebook), 1), [1, -1]);
    const cross = tf.matMul(vectors, codebook, false, true);
    // |v|^2 - 2 v.e + |e|^2, clipped at 0 against rounding.
    return tf.relu(tf.add(tf.sub(vectorNorms, tf.mul(2, cross)), codeNorms)) as tf.Tensor2D;
  });
}

/** Index of the nearest code for each row of `vectors` (the first one on a tie): int32 [n]. */
export function nearestCodes(vectors: tf.Tensor2D, codebook: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.argMin(squaredDistances(vectors, codebook), 1) as tf.Tensor1D);
}

/**
 * The codes at `indices` (any shape, int32), as a one-hot product rather than a gather: under a gradient
 * tape the indices derive from the trainable weights (through the nearest-code search), and tfjs's
 * gather gradient would then emit an int32 gradient for them and fail; the one-hot's gradient is a
 * float zero. The gradient with respect to the codebook is the same as a gather's.
 */
export function lookupCodes(indices: tf.Tensor, codebook: tf.Tensor2D): tf.Tensor {
  return tf.tidy(() => {
    const [k, d] = codebook.shape;
    const oneHot = oneHotFloat(tf.reshape(indices, [-1]) as tf.Tensor1D, k);
    return tf.reshape(tf.matMul(oneHot, codebook), [...indices.shape, d]);
  });
}

/** How many rows each of the k codes was assigned: float32 [k]. */
export function codeCounts(indices: tf.Tensor1D, codebookSize: number): tf.Tensor1D {
  return tf.tidy(() => tf.sum(oneHotFloat(indices, codebookSize), 0) as tf.Tensor1D);
}

/**
 * Perplexity of code usage: exp of the entropy (nats) of the empirical distribution of codes. It is K
 * when all K codes are used equally often and 1 when a single code is used.
 */
export function perplexityFromCounts(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (!(total > 0)) throw new RangeError('perplexity needs at least one assignment');
  let entropy = 0;
  for (let i = 0; i < counts.length; i++) {
    const p = counts[i]! / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}

export interface EmaState {
  /** EMA of how many vectors each code was assigned per step, [k]. */
  readonly counts: tf.Tensor1D;
  /** EMA of the sum of the vectors assigned to each code, [k, d]. */
  readonly sums: tf.Tensor2D;
}

export interface EmaStep extends EmaState {
  /** The codebook the statistics define: sums / Laplace-smoothed counts. */
  readonly codebook: tf.Tensor2D;
}

/**
 * One EMA codebook step (van den Oord et al. 2017, appendix; Razavi et al. 2019):
 *   N_i <- decay N_i + (1 - decay) n_i,   m_i <- decay m_i + (1 - decay) sum_{j: code(j) = i} z_j,
 *   e_i = m_i / N~_i  with  N~_i = (N_i + eps) / (sum N + k eps) * sum N   (Laplace smoothing),
 * so a code drifts toward the mean of the vectors assigned to it and a rarely used code never divides by 0.
 */
export function emaStep(state: EmaState, vectors: tf.Tensor2D, indices: tf.Tensor1D, decay: number, epsilon: number): EmaStep {
  return tf.tidy(() => {
    const k = state.counts.shape[0];
    // One-hot products rather than unsortedSegmentSum, which the wasm backend lacks; the explicit
    // transpose avoids wasm's slow transposed matMul.
    const assignments = oneHotFloat(indices, k);
    const batchCounts = tf.sum(assignments, 0) as tf.Tensor1D;
    const batchSums = tf.matMul(tf.transpose(assignments), vectors);
    const counts = tf.add(tf.mul(decay, state.counts), tf.mul(1 - decay, batchCounts)) as tf.Tensor1D;
    const sums = tf.add(tf.mul(decay, state.sums), tf.mul(1 - decay, batchSums)) as tf.Tensor2D;
    const total = tf.sum(counts);
    const smoothed = tf.mul(tf.div(tf.add(counts, epsilon), tf.add(total, k * epsilon)), total);
    const codebook = tf.div(sums, tf.expandDims(smoothed, 1)) as tf.Tensor2D;
    return { counts, sums, codebook };
  });
}

/**
 * Dead-code restarts: a code unused for `afterSteps` consecutive training steps takes the value of a
 * vector drawn uniformly from the current batch (`uniform` [k] in [0, 1) picks the row per code, so the
 * choice is seeded), and its idle counter resets. Returns the next idle counters, the restart mask and
 * each code's replacement candidate.
 */
export function deadCodeRestarts(
  idleSteps: tf.Tensor1D,
  batchCounts: tf.Tensor1D,
  vectors: tf.Tensor2D,
  uniform: tf.Tensor1D,
  afterSteps: number,
): { idleSteps: tf.Tensor1D; restart: tf.Tensor1D; candidates: tf.Tensor2D } {
  return tf.tidy(() => {
    const used = tf.greater(batchCounts, 0);
    const idle = tf.where(used, tf.zerosLike(idleSteps), tf.add(idleSteps, 1)) as tf.Tensor1D;
    const restart = tf.greaterEqual(idle, afterSteps) as tf.Tensor1D;
    const rows = vectors.shape[0];
    const picks = tf.cast(tf.clipByValue(tf.floor(tf.mul(uniform, rows)), 0, rows - 1), 'int32');
    const candidates = tf.gather(vectors, picks) as tf.Tensor2D;
    return { idleSteps: tf.where(restart, tf.zerosLike(idle), idle) as tf.Tensor1D, restart, candidates };
  });
}
