import * as tf from '@tensorflow/tfjs-core';
import {
  applyFreeBits,
  DiagonalGaussian,
  elbo,
  klMonteCarlo,
  sumPerExample,
  tileDraws,
  type ExportableNetworks,
  type GaussianLatentModel,
  type ModelWithExport,
  type LossContext,
  type LossTerms,
  type SeededRandom,
} from '@vaekit/core';
import { drawGaussian, type GaussianDraws } from './gaussian-draws.js';
import type { PlannedWeight } from './layer-plan.js';
import type { LatentPrior } from './latent-prior.js';
import { singleLatentWeights, SingleLatentModel } from './single-latent-model.js';
import { VAE_SCHEMA, type VaeConfig } from './vae-config.js';
import { defineVariant, TINY_NETWORK } from './variant-definition.js';

/**
 * The variational autoencoder (Kingma and Welling 2013): a diagonal-Gaussian encoder q(z|x), a prior
 * (N(0, I) unless a subclass passes another) and a decoder p(x|z), trained on the β-weighted ELBO. The
 * other Gaussian-latent variants extend it and override only what differs (the prior, `objective`).
 */
export class Vae<C extends VaeConfig = VaeConfig> extends SingleLatentModel<C> implements GaussianLatentModel<C>, ModelWithExport {
  constructor(config: C, prior?: LatentPrior) {
    super(config, posteriorUnits(config), prior);
  }

  /** q(z | x). `training` is for batch normalization: true only inside a training step. */
  posterior(x: tf.Tensor, training = false): DiagonalGaussian {
    const [mean, logVar] = tf.tidy(() => tf.split(this.encoderOutput(x, training), 2, 1));
    return new DiagonalGaussian(mean!, logVar!);
  }

  encode(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.posterior(x).mean);
  }

  /** The encoder emits the posterior's mean then log-variance; the decoder is a plain network. */
  exportableNetworks(): ExportableNetworks {
    return {
      encoder: this.nets.encoder,
      decoder: this.nets.decoder,
      encoderOutput: { kind: 'gaussian', latentDim: this.config.latentDim },
      notes: this.exportNotes(),
    };
  }

  /** What a deployment of the exported networks must know about this model beyond a plain VAE's. */
  protected exportNotes(): string[] {
    return [];
  }

  klPerDimension(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.prior.klPerDimension(this.posterior(x)));
  }

  priorLogProb(z: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => this.prior.logProb(z));
  }

  loss(x: tf.Tensor, context: LossContext): LossTerms {
    return tf.tidy(() => {
      const q = this.posterior(x, context.training);
      const draw = drawGaussian(q, 1, context.rng);
      const logLikelihood = this.logLikelihood(x, draw.z);
      const { kl, klForLoss } = this.klTerms(q, draw, context);
      return this.objective(logLikelihood, kl, klForLoss, context);
    });
  }

  /** The KL that is reported, and the one that enters the loss (after free bits). */
  protected klTerms(q: DiagonalGaussian, draw: GaussianDraws, context: LossContext): { kl: tf.Tensor1D; klForLoss: tf.Tensor1D } {
    if (this.config.klEstimator === 'monte-carlo') {
      const kl = klMonteCarlo(draw.logQ, this.prior.logProb(draw.z));
      return { kl, klForLoss: kl };
    }
    const perDim = this.prior.klPerDimension(q);
    const kl = sumPerExample(perDim);
    return { kl, klForLoss: context.freeBits > 0 ? applyFreeBits(perDim, context.freeBits) : kl };
  }

  /** Negative β-weighted ELBO; the β-VAE's capacity form overrides this. */
  protected objective(logLikelihood: tf.Tensor1D, kl: tf.Tensor1D, klForLoss: tf.Tensor1D, context: LossContext): LossTerms {
    const terms = elbo(logLikelihood, kl, { beta: this.config.beta, klWeight: context.klWeight, klForLoss });
    return { total: terms.loss, reconstruction: terms.reconstruction, kl: terms.kl };
  }

  protected drawLogWeights(x: tf.Tensor, k: number, rng: SeededRandom): tf.Tensor1D {
    const { z, logQ } = drawGaussian(this.posterior(x), k, rng);
    return tf.sub(tf.add(this.logLikelihood(tileDraws(x, k), z), this.prior.logProb(z)), logQ) as tf.Tensor1D;
  }
}

/** The encoder emits the posterior's mean and log-variance. */
function posteriorUnits(config: VaeConfig): number {
  return 2 * config.latentDim;
}

/**
 * The weights of a `Vae` (or a subclass) of a resolved config, in `variables()`'s order, without building
 * it; `priorWeights` are its prior's (none for N(0, I)).
 */
export function vaeWeights(config: VaeConfig, priorWeights: readonly PlannedWeight[] = []): PlannedWeight[] {
  return singleLatentWeights(config, posteriorUnits(config), priorWeights);
}

export const vaeVariant = defineVariant(VAE_SCHEMA, Vae, {
  description: 'Variational autoencoder: diagonal-Gaussian encoder, N(0, I) prior, ELBO',
  weights: (config) => vaeWeights(config),
  testConfig: { ...TINY_NETWORK, latentDim: 3 },
});

export const createVae = vaeVariant.create;
