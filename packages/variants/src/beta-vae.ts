import * as tf from '@tensorflow/tfjs-core';
import { createSchedule, elbo, type LossContext, type LossTerms, type Schedule } from '@vaekit/core';
import { BETA_VAE_SCHEMA, type BetaVaeConfig, type BetaVaeConfigInput } from './beta-vae-config.js';
import { defineVariant, TINY_NETWORK } from './variant-definition.js';
import { Vae, vaeWeights } from './vae.js';

/**
 * β-VAE (Higgins et al. 2017): the VAE with the KL term weighted by β, or, with `capacity` set, the
 * capacity-annealed objective of Burgess et al. (2018). Only the objective differs from the plain
 * VAE; the KL and the ELBO come from the base class and @vaekit/core. The reported `kl` is always the
 * unweighted KL, so evaluation (ELBO, IWAE) is the same as for the plain VAE.
 */
export class BetaVae extends Vae<BetaVaeConfig> {
  private readonly capacityAt: Schedule | null;

  constructor(config: BetaVaeConfig) {
    super(config);
    const capacity = config.capacity;
    this.capacityAt = capacity
      ? createSchedule({ type: 'linear', from: 0, to: capacity.maxNats, steps: capacity.annealSteps })
      : null;
  }

  /** The target capacity C (nats) at a training step; 0 when the capacity form is off. */
  capacityAtStep(step: number): number {
    return this.capacityAt ? this.capacityAt(step) : 0;
  }

  /**
   * Without capacity: the β-weighted negative ELBO of the base class (β times the trainer's KL weight).
   * With capacity: reconstruction + gamma * klWeight * |mean KL - C(step)|, where the KL is the one that
   * enters the loss (after free bits, when they are on); the terms gain `capacity`, the current C.
   */
  protected override objective(
    logLikelihood: tf.Tensor1D,
    kl: tf.Tensor1D,
    klForLoss: tf.Tensor1D,
    context: LossContext,
  ): LossTerms {
    const capacity = this.config.capacity;
    if (!capacity || !this.capacityAt) return super.objective(logLikelihood, kl, klForLoss, context);
    return tf.tidy(() => {
      // C(step) and the weights are tensor ops on the step's numbers, not JavaScript arithmetic, so a
      // compiled step takes them as inputs.
      const step = tf.scalar(context.step);
      const target = capacity.annealSteps > 0
        ? (tf.minimum(capacity.maxNats, tf.mul(tf.maximum(step, 0), capacity.maxNats / capacity.annealSteps)) as tf.Scalar)
        : tf.scalar(capacity.maxNats);
      // beta 0: elbo's terms give the reconstruction and the reported KL; the KL weight is gamma's.
      const terms = elbo(logLikelihood, kl, { beta: 0, klForLoss });
      const gap = tf.abs(tf.sub(tf.mean(klForLoss), target));
      const total = tf.add(terms.reconstruction, tf.mul(context.klWeight, tf.mul(capacity.gamma, gap))) as tf.Scalar;
      return { total, reconstruction: terms.reconstruction, kl: terms.kl, capacity: target };
    });
  }
}

export const betaVaeVariant = defineVariant<BetaVaeConfig, BetaVae, BetaVaeConfigInput>(BETA_VAE_SCHEMA, BetaVae, {
  description: 'β-VAE: β-weighted KL (Higgins et al. 2017), or capacity-annealed |KL - C| (Burgess et al. 2018)',
  weights: (config) => vaeWeights(config),
  testConfig: { ...TINY_NETWORK, latentDim: 3, beta: 4, capacity: { maxNats: 1.5, annealSteps: 20, gamma: 1 } },
});

export const createBetaVae = betaVaeVariant.create;
