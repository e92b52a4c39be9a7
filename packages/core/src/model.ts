import type * as tf from '@tensorflow/tfjs-core';
import type { DiagonalGaussian } from './distributions/diagonal-gaussian.js';
import type { LikelihoodDescription } from './likelihood/types.js';
import type { SeededRandom } from './random.js';

/**
 * Every model config names its registered class, so a saved config recreates the right model. A
 * variant's config extends it with its own fields and no index signature, so a misspelt field in a
 * typed config is a compile error.
 */
export interface ModelConfig {
  readonly className: string;
}

/** What one training step needs besides the batch. */
export interface LossContext {
  /** Noise for the reparameterized draw(s). */
  rng: SeededRandom;
  /** Global step, 0-based (schedules inside a variant, e.g. capacity, read it). */
  step: number;
  /** Weight on the KL term from the training loop's KL schedule (1 when there is none). */
  klWeight: number;
  /** Free-bits floor in nats per latent dimension (0: off). */
  freeBits: number;
  /**
   * True in a training step, false everywhere else (evaluation, checks). Batch normalization uses the
   * batch's statistics and moves its averages only in training. State that training moves outside the
   * optimizer is not moved by `loss` at all: see `ModelWithStepState`.
   */
  training: boolean;
}

/**
 * Named scalar loss terms, batch means, in nats. `total` is what the optimizer minimizes;
 * `reconstruction` is -log p(x|z) and `kl` the unweighted KL; variants add their own (`commitment`, …).
 */
export interface LossTerms {
  total: tf.Scalar;
  reconstruction: tf.Scalar;
  kl: tf.Scalar;
  [term: string]: tf.Scalar;
}

/** A weight a model owns, under a name that is stable across instances of the same config. */
export interface NamedVariable {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly trainable: boolean;
}

/**
 * The contract every vaekit model implements. All tensors returned are owned by the caller.
 * Methods are synchronous and may be called inside `tf.tidy` or a gradient tape.
 */
export interface VaeModel<C extends ModelConfig = ModelConfig> {
  readonly className: string;
  /** Shape of one input example, without the batch dimension. */
  readonly inputShape: readonly number[];
  /** Shape of one latent code, without the batch dimension. */
  readonly latentShape: readonly number[];
  /**
   * What data the model models: its likelihood p(x | z), with the support data must lie in and the
   * parameters `decode` emits per value. Every built-in model declares its `Likelihood` (which also
   * draws samples). Absent means binary data under a Bernoulli with one logit per value, so a model
   * written before likelihoods were declared keeps its meaning.
   */
  readonly likelihood?: LikelihoodDescription;
  getConfig(): C;

  /** Deterministic latent code per example: the posterior mean, or the quantized code for VQ-VAE. */
  encode(x: tf.Tensor): tf.Tensor;
  /**
   * The parameters of p(x | z) for latent codes, as the decoder emits them (logits for a Bernoulli,
   * locations for a fixed-scale Gaussian): [batch, ...inputShape] when the likelihood takes one
   * parameter per value, [batch, ...inputShape, k] when it takes k, stacked on the last axis (a location
   * and a log-scale for a learned-per-pixel scale). What a likelihood's `logProb` reads, not what a
   * picture shows: `decodeMean` gives the mean.
   */
  decode(z: tf.Tensor): tf.Tensor;
  /** The likelihood's mean E[x | z] for latent codes (probabilities for Bernoulli): what a picture of a code shows. */
  decodeMean(z: tf.Tensor): tf.Tensor;
  /** `decodeMean` of the encoding of x: what a reconstruction shows. */
  reconstruct(x: tf.Tensor): tf.Tensor;
  /** `decodeMean` of n codes drawn from the prior. */
  sample(n: number, rng: SeededRandom): tf.Tensor;

  /** Training loss terms for a batch. */
  loss(x: tf.Tensor, context: LossContext): LossTerms;
  /**
   * Importance log-weights log p(x, z_i) - log q(z_i | x) for k draws per example, shape [k, batch].
   * Their log-mean-exp over k is the IWAE bound.
   */
  logWeights(x: tf.Tensor, k: number, rng: SeededRandom): tf.Tensor2D;

  /** Every weight, in a stable order with stable names: what saving, loading and optimizers use. */
  variables(): NamedVariable[];
  /** Releases every tensor and variable the model owns. */
  dispose(): void;
}

/**
 * Models with a diagonal-Gaussian posterior expose it, for KL diagnostics and estimator comparisons.
 * Their `klPerDimension` is KL(q(z|x) || p(z)) per example and latent dimension, against the model's
 * prior: N(0, I) unless the model learns its prior (which then starts as N(0, I)).
 */
export interface GaussianLatentModel<C extends ModelConfig = ModelConfig> extends VaeModel<C>, ModelWithKlPerDimension {
  /** q(z | x); the caller disposes its mean and logVar. */
  posterior(x: tf.Tensor): DiagonalGaussian;
  /** log p(x | z) per example, for a batch x and codes z of the same batch size. */
  logLikelihood(x: tf.Tensor, z: tf.Tensor): tf.Tensor1D;
  /** log p(z) per example under the model's prior, the one `klPerDimension` is taken against. */
  priorLogProb(z: tf.Tensor): tf.Tensor1D;
  /** Variables of the encoder alone: the parameters the two gradient estimators are compared on. */
  encoderVariables(): tf.Variable[];
}

export function isGaussianLatentModel(model: VaeModel): model is GaussianLatentModel {
  const candidate = model as Partial<GaussianLatentModel>;
  return (
    typeof candidate.posterior === 'function' &&
    typeof candidate.logLikelihood === 'function' &&
    typeof candidate.priorLogProb === 'function' &&
    typeof candidate.klPerDimension === 'function'
  );
}

/**
 * One differentiable objective a gradient check can difference: the training gradient of `loss().total`
 * with respect to `variables` must equal the exact gradient of `objective` with respect to them.
 */
export interface GradientCheckTarget {
  readonly name: string;
  readonly variables: tf.Variable[];
  /** Computed from the variables' current values; whatever the estimator holds fixed is frozen inside. */
  objective(): tf.Scalar;
}

/**
 * Models whose training gradient is not the derivative of the loss value — a straight-through estimator
 * passes the decoder's gradient across a quantizer whose output is piecewise constant — say which exact
 * derivatives their gradient is made of, so a finite-difference check can still verify every part.
 * Models without it are checked against `loss().total` over all trainable weights.
 */
export interface ModelWithGradientCheckTargets {
  /** Targets at the current weights for batch x; `dispose` releases what they froze. */
  gradientCheckTargets(x: tf.Tensor, context: LossContext): { targets: GradientCheckTarget[]; dispose(): void };
}

export function hasGradientCheckTargets(model: VaeModel): model is VaeModel & ModelWithGradientCheckTargets {
  return typeof (model as Partial<ModelWithGradientCheckTargets>).gradientCheckTargets === 'function';
}

/**
 * A model whose KL is a sum over latent dimensions, so active units (Burda et al. 2016: KL per dimension
 * above a threshold) can be counted. Gaussian-latent models have it; so does a hierarchy of Gaussian
 * layers (each layer's KL against its prior splits per dimension). A flow posterior's does not.
 */
export interface ModelWithKlPerDimension {
  /** KL per example and latent dimension, [batch, dims]; its row sums are the model's KL. */
  klPerDimension(x: tf.Tensor, rng: SeededRandom): tf.Tensor2D;
}

export function hasKlPerDimension(model: VaeModel): model is VaeModel & ModelWithKlPerDimension {
  return typeof (model as Partial<ModelWithKlPerDimension>).klPerDimension === 'function';
}

/**
 * A model that can estimate its posterior mean E_q(z|x)[z] (by Monte Carlo if need be). For posteriors
 * whose KL does not split per dimension (flows), active units are then counted by Burda et al.'s
 * original criterion: the variance over the data of each dimension's posterior mean.
 */
export interface ModelWithPosteriorMean {
  /** E_q(z|x)[z] per example, [batch, dims]. */
  posteriorMean(x: tf.Tensor, rng: SeededRandom): tf.Tensor2D;
}

export function hasPosteriorMean(model: VaeModel): model is VaeModel & ModelWithPosteriorMean {
  return typeof (model as Partial<ModelWithPosteriorMean>).posteriorMean === 'function';
}

/**
 * A model with state that training moves outside the optimizer (VQ-VAE's EMA codebook, its per-code idle
 * counters and dead-code restarts). The trainer calls `trainingStep` once per training step, before the
 * loss and its gradients, inside the function a compiled step records; `loss` itself changes nothing.
 */
export interface ModelWithStepState {
  /** Moves the state with batch x; draws any noise it needs from `context.rng`, before the loss does. */
  trainingStep(x: tf.Tensor, context: LossContext): void;
}

export function hasStepState(model: VaeModel): model is VaeModel & ModelWithStepState {
  return typeof (model as Partial<ModelWithStepState>).trainingStep === 'function';
}

/**
 * Variant-specific evaluation figures (e.g. VQ-VAE's codebook perplexity) a model may add to `eval`.
 * Asynchronous, so a backend that cannot read GPU memory synchronously (WebGPU) can run it.
 */
export interface ModelWithMetrics {
  metrics(x: tf.Tensor): Promise<Record<string, number>>;
}

export function hasMetrics(model: VaeModel): model is VaeModel & ModelWithMetrics {
  return typeof (model as Partial<ModelWithMetrics>).metrics === 'function';
}

/**
 * A model whose prior can be drawn from as codes, before decoding: what `sample` decodes. Post-hoc
 * samplers stand in for it; the prior sampler draws from it.
 */
export interface ModelWithPriorCodes {
  /** n codes from the model's prior, [n, ...latentShape]. */
  samplePrior(n: number, rng: SeededRandom): tf.Tensor;
}

export function hasPriorCodes(model: VaeModel): model is VaeModel & ModelWithPriorCodes {
  return typeof (model as Partial<ModelWithPriorCodes>).samplePrior === 'function';
}
