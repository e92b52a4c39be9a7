import type { LikelihoodConfig } from '@vaekit/core';

/**
 * How pixel intensities become the {0, 1} values a Bernoulli likelihood models.
 * - `dynamic`: each intensity p in [0, 1] is a fresh Bernoulli(p) draw in every batch (the standard
 *   "dynamically binarized MNIST" of the VAE literature; it also acts as a regularizer).
 * - `static`: drawn once, when the dataset is built, then fixed.
 * - `none`: intensities passed through (uint8 scaled by 1/255).
 */
export type Binarization = 'dynamic' | 'static' | 'none';

/**
 * The likelihood a model puts on the data, which decides the values the data may hold: a registered
 * type ('bernoulli', 'gaussian', 'discretized-logistic', …) or a full likelihood config. See
 * @vaekit/core's likelihood registry.
 */
export type LikelihoodChoice = string | LikelihoodConfig;

/** Examples loaded from a user's file, stacked row-major: `data.length === count * prod(exampleShape)`. */
export interface LoadedData {
  data: Float32Array;
  count: number;
  exampleShape: number[];
}
