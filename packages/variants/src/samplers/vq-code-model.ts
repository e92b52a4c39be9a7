import type * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '@vaekit/core';

/**
 * What the code prior needs of a model: a sequence of codebook indices per example and the codebook they
 * index, plus log p(x | z) for the likelihood bound. `VqVae` is one.
 */
export interface VqCodeModel extends VaeModel {
  /** int32 [batch, numLatents]: the index of each latent's code. */
  codeIndices(x: tf.Tensor): tf.Tensor2D;
  /** [K, embeddingDim]. */
  readonly codebook: tf.Tensor2D;
  /** log p(x | z) per example. */
  logLikelihood(x: tf.Tensor, z: tf.Tensor): tf.Tensor1D;
}

/** Why the code prior cannot serve this model, or undefined when it can. */
export function codeModelProblem(model: VaeModel): string | undefined {
  const candidate = model as Partial<VqCodeModel>;
  const codebook = candidate.codebook;
  const fits =
    typeof candidate.codeIndices === 'function' &&
    typeof candidate.logLikelihood === 'function' &&
    codebook !== undefined &&
    codebook.shape.length === 2 &&
    model.latentShape.length === 2 &&
    model.latentShape[1] === codebook.shape[1];
  if (fits) return undefined;
  return (
    `the code prior models the sequence of codebook indices a VQ-VAE gives each example (codeIndices and a codebook); ` +
    `${model.className} has no such codes: fit a sampler of continuous codes to it instead`
  );
}

/** Whether the code prior can serve this model: it has code indices, a codebook and log p(x | z). */
export function isVqCodeModel(model: VaeModel): model is VqCodeModel {
  return codeModelProblem(model) === undefined;
}

/** The model as one the code prior serves, or a TypeError saying why it is not. */
export function requireVqCodeModel(model: VaeModel): VqCodeModel {
  const problem = codeModelProblem(model);
  if (problem !== undefined) throw new TypeError(problem);
  return model as VqCodeModel;
}
