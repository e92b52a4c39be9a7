import * as tf from '@tensorflow/tfjs-core';
import { createSchedule, elbo, registerModel, type LossContext, type LossTerms, type Schedule } from '@vaekit/core';
import { asWeightSpecs } from './layer-plan.js';
import { Vae, vaeWeights } from './vae.js';
import { resolveVaeConfig, type VaeConfig } from './vae-config.js';

/**
 * The capacity-annealed objective of Burgess et al. (2018), "Understanding disentangling in β-VAE":
 * reconstruction + gamma * |KL - C(step)|, where the target capacity C grows linearly from 0 to
 * `maxNats` over `annealSteps` training steps and is then held.
 */
export interface CapacityConfig {
  /** The KL (nats per example) the encoder is finally allowed to spend. */
  readonly maxNats: number;
  /** Steps over which C rises from 0 to `maxNats` (0: C is `maxNats` from the start). */
  readonly annealSteps: number;
  /** Weight on |KL - C|. Default 1000, the value Burgess et al. use. */
  readonly gamma: number;
}

export interface BetaVaeConfig extends VaeConfig {
  /**
   * The capacity form of the objective; `null` (the default) trains on the β-weighted ELBO,
   * reconstruction + beta * KL. When it is on, `beta` is not used: gamma weighs the KL instead.
   */
  readonly capacity: CapacityConfig | null;
}

/** β defaults to 4 (Higgins et al. 2017 use values above 1 to favour disentangled factors). */
export const BETA_VAE_DEFAULTS = { beta: 4, capacity: null } as const;
export const DEFAULT_CAPACITY_GAMMA = 1000;

export type BetaVaeConfigInput = Partial<Omit<BetaVaeConfig, 'capacity'>> & {
  capacity?: (Partial<CapacityConfig> & Pick<CapacityConfig, 'maxNats' | 'annealSteps'>) | null;
};

/** Fills the β-VAE defaults on top of the plain VAE's and checks the capacity settings. */
export function resolveBetaVaeConfig(partial: BetaVaeConfigInput = {}): BetaVaeConfig {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const base = resolveVaeConfig('BetaVAE', { ...BETA_VAE_DEFAULTS, ...defined } as Partial<VaeConfig>, ['capacity']);
  const given = (base as Partial<BetaVaeConfig>).capacity ?? null;
  if (given === null) return { ...base, capacity: null };
  if (typeof given !== 'object') {
    throw new RangeError(`BetaVAE: capacity must be { maxNats, annealSteps, gamma? } or null, got ${JSON.stringify(given)}`);
  }
  const capacity: CapacityConfig = {
    maxNats: given.maxNats,
    annealSteps: given.annealSteps,
    gamma: given.gamma ?? DEFAULT_CAPACITY_GAMMA,
  };
  if (!(capacity.maxNats >= 0) || !Number.isFinite(capacity.maxNats)) {
    throw new RangeError(`BetaVAE: capacity.maxNats must be a finite number >= 0 (nats), got ${capacity.maxNats}`);
  }
  if (!Number.isInteger(capacity.annealSteps) || capacity.annealSteps < 0) {
    throw new RangeError(`BetaVAE: capacity.annealSteps must be a whole number >= 0, got ${capacity.annealSteps}`);
  }
  if (!(capacity.gamma >= 0) || !Number.isFinite(capacity.gamma)) {
    throw new RangeError(`BetaVAE: capacity.gamma must be a finite number >= 0, got ${capacity.gamma}`);
  }
  return { ...base, capacity };
}

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

export function createBetaVae(config: BetaVaeConfigInput = {}): BetaVae {
  return new BetaVae(resolveBetaVaeConfig(config));
}

registerModel(
  {
    className: 'BetaVAE',
    description: 'β-VAE: β-weighted KL (Higgins et al. 2017), or capacity-annealed |KL - C| (Burgess et al. 2018)',
    create: (config) => createBetaVae(config as BetaVaeConfigInput),
    expectedWeights: (config) => asWeightSpecs(vaeWeights(resolveBetaVaeConfig(config as BetaVaeConfigInput))),
    testConfig: {
      inputShape: [12],
      latentDim: 3,
      architecture: { type: 'mlp', hiddenUnits: [10] },
      beta: 4,
      capacity: { maxNats: 1.5, annealSteps: 20, gamma: 1 },
    },
  },
  { replace: true },
);
