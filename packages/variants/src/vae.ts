import * as tf from '@tensorflow/tfjs-core';
import {
  applyFreeBits,
  DiagonalGaussian,
  elbo,
  klMonteCarlo,
  klStandardNormalPerDim,
  registerModel,
  standardNormalLogProb,
  sumPerExample,
  type GaussianLatentModel,
  type LossContext,
  type LossTerms,
  type SeededRandom,
} from '@vaekit/core';
import { namedLayerVariables } from './networks.js';
import { asWeightSpecs, type PlannedWeight } from './layer-plan.js';
import { latentModelWeights, StandardNormalLatentModel } from './standard-normal-latent-model.js';
import { isTrainingCall } from './training-call.js';
import { resolveVaeConfig, type VaeConfig } from './vae-config.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The variational autoencoder (Kingma and Welling 2013): a diagonal-Gaussian encoder q(z|x), a
 * standard-normal prior and a decoder p(x|z), trained on the β-weighted ELBO. The other Gaussian-latent
 * variants extend it and override only what differs (`klTerms`, `objective`).
 */
export class Vae<C extends VaeConfig = VaeConfig> extends StandardNormalLatentModel<C> implements GaussianLatentModel<C> {
  constructor(config: C) {
    super(config, posteriorUnits(config));
  }

  /** q(z | x). `training` is for batch normalization: true only inside a training step. */
  posterior(x: tf.Tensor, training = false): DiagonalGaussian {
    const [mean, logVar] = tf.tidy(() => tf.split(this.encoderOutput(x, training), 2, 1));
    return new DiagonalGaussian(mean!, logVar!);
  }

  encode(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.posterior(x).mean);
  }

  klPerDimension(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const q = this.posterior(x);
      return klStandardNormalPerDim(q.mean, q.logVar) as tf.Tensor2D;
    });
  }

  loss(x: tf.Tensor, context: LossContext): LossTerms {
    return tf.tidy(() => {
      const q = this.posterior(x, isTrainingCall(context));
      const z = q.sample(context.rng.normal(q.mean.shape));
      const logLikelihood = this.logLikelihood(x, z);
      const { kl, klForLoss } = this.klTerms(q, z, context);
      return this.objective(logLikelihood, kl, klForLoss, context);
    });
  }

  /** The KL that is reported, and the one that enters the loss (after free bits). */
  protected klTerms(q: DiagonalGaussian, z: tf.Tensor, context: LossContext): { kl: tf.Tensor1D; klForLoss: tf.Tensor1D } {
    if (this.config.klEstimator === 'monte-carlo') {
      const kl = klMonteCarlo(q.logProb(z), standardNormalLogProb(z));
      return { kl, klForLoss: kl };
    }
    const perDim = klStandardNormalPerDim(q.mean, q.logVar);
    const kl = sumPerExample(perDim);
    return { kl, klForLoss: context.freeBits > 0 ? applyFreeBits(perDim, context.freeBits) : kl };
  }

  /** Negative β-weighted ELBO; the β-VAE's capacity form overrides this. */
  protected objective(logLikelihood: tf.Tensor1D, kl: tf.Tensor1D, klForLoss: tf.Tensor1D, context: LossContext): LossTerms {
    const terms = elbo(logLikelihood, kl, { beta: this.config.beta, klWeight: context.klWeight, klForLoss });
    return { total: terms.loss, reconstruction: terms.reconstruction, kl: terms.kl };
  }

  logWeights(x: tf.Tensor, k: number, rng: SeededRandom): tf.Tensor2D {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number >= 1, got ${k}`);
    return tf.tidy(() => {
      const q = this.posterior(x);
      const batch = x.shape[0]!;
      const dims = this.config.latentDim;
      const eps = rng.normal([k, batch, dims]);
      const z = tf.reshape(tf.add(q.mean, tf.mul(tf.exp(tf.mul(0.5, q.logVar)), eps)), [k * batch, dims]);
      // (z - mu)^2 / sigma^2 is eps^2: log q(z|x) needs no division.
      const logQ = tf.reshape(
        tf.sum(tf.mul(-0.5, tf.add(tf.add(LOG_2PI, q.logVar), tf.square(eps))), 2),
        [k * batch],
      );
      const xTiled = tf.tile(x, [k, ...x.shape.slice(1).map(() => 1)]);
      const logPxz = this.logLikelihood(xTiled, z);
      return tf.reshape(tf.sub(tf.add(logPxz, standardNormalLogProb(z)), logQ), [k, batch]) as tf.Tensor2D;
    });
  }

  encoderVariables(): tf.Variable[] {
    return namedLayerVariables('encoder', this.encoderNet).map((v) => v.variable);
  }
}

/** The encoder emits the posterior's mean and log-variance. */
function posteriorUnits(config: VaeConfig): number {
  return 2 * config.latentDim;
}

/** The weights of a `Vae` (or a subclass adding none) of a resolved config, in `variables()`'s order, without building it. */
export function vaeWeights(config: VaeConfig): PlannedWeight[] {
  return latentModelWeights(config, posteriorUnits(config));
}

export function createVae(config: Partial<VaeConfig> = {}): Vae {
  return new Vae(resolveVaeConfig('VAE', config));
}

registerModel(
  {
    className: 'VAE',
    description: 'Variational autoencoder: diagonal-Gaussian encoder, N(0, I) prior, ELBO',
    create: (config) => createVae(config as Partial<VaeConfig>),
    expectedWeights: (config) => asWeightSpecs(vaeWeights(resolveVaeConfig('VAE', config as Partial<VaeConfig>))),
    testConfig: { inputShape: [12], latentDim: 3, architecture: { type: 'mlp', hiddenUnits: [10] } },
  },
  { replace: true },
);
