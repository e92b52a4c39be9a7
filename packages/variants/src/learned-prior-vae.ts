import * as tf from '@tensorflow/tfjs-core';
import { DiagonalGaussian, type NamedVariable, type SeededRandom } from '@vaekit/core';
import { klPerDimensionDiagonal } from './gaussian-kl.js';
import type { PlannedWeight } from './layer-plan.js';
import type { LatentPrior } from './latent-prior.js';
import { LEARNED_PRIOR_VAE_SCHEMA, type LearnedPriorVaeConfig } from './learned-prior-vae-config.js';
import { defineVariant, TINY_NETWORK } from './variant-definition.js';
import { Vae, vaeWeights } from './vae.js';

/** p(z) = N(μ_p, diag σ_p²) with μ_p and log σ_p² trained with the rest; it starts as N(0, I). */
class LearnedDiagonalPrior implements LatentPrior {
  private readonly mean: tf.Variable;
  private readonly logVar: tf.Variable;

  constructor(private readonly dims: number) {
    this.mean = tf.tidy(() => tf.variable(tf.zeros([dims])));
    this.logVar = tf.tidy(() => tf.variable(tf.zeros([dims])));
  }

  logProb(z: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => this.gaussian().logProb(z));
  }

  klPerDimension(q: DiagonalGaussian): tf.Tensor2D {
    return klPerDimensionDiagonal(q, this.gaussian());
  }

  sample(n: number, rng: SeededRandom): tf.Tensor {
    return tf.tidy(() => this.gaussian().sample(rng.normal([n, this.dims])));
  }

  variables(): NamedVariable[] {
    return [
      { name: 'prior/mean', variable: this.mean, trainable: true },
      { name: 'prior/logVar', variable: this.logVar, trainable: true },
    ];
  }

  dispose(): void {
    tf.dispose([this.mean, this.logVar]);
  }

  private gaussian(): DiagonalGaussian {
    return new DiagonalGaussian(this.mean, this.logVar);
  }
}

/** The learned prior's weights, as its `variables()` lists them. */
function learnedPriorWeights(dims: number): PlannedWeight[] {
  return ['mean', 'logVar'].map((name) => ({ name: `prior/${name}`, shape: [dims], dtype: 'float32', trainable: true }));
}

/**
 * A VAE whose prior is learned: a diagonal Gaussian N(μ_p, σ_p²) over the latent, trained jointly with
 * the encoder and decoder (the empirical-Bayes prior of e.g. Tomczak and Welling 2018's baselines). The KL
 * is taken against it in closed form, samples are drawn from it, and it starts as N(0, I).
 */
export class LearnedPriorVae extends Vae<LearnedPriorVaeConfig> {
  constructor(config: LearnedPriorVaeConfig) {
    super(config, new LearnedDiagonalPrior(config.latentDim));
  }

  protected override exportNotes(): string[] {
    return [
      'LearnedPriorVae: its prior is learned, not N(0, I): to sample, feed the decoder codes drawn from N(prior/mean, exp(prior/logVar)), ' +
        "the model's weights of those names (not part of the export).",
    ];
  }
}

export const learnedPriorVaeVariant = defineVariant(LEARNED_PRIOR_VAE_SCHEMA, LearnedPriorVae, {
  description: 'VAE with a learned diagonal-Gaussian prior (trainable mean and log-variance), closed-form KL against it',
  weights: (config) => vaeWeights(config, learnedPriorWeights(config.latentDim)),
  testConfig: { ...TINY_NETWORK, latentDim: 3 },
});

export const createLearnedPriorVae = learnedPriorVaeVariant.create;
