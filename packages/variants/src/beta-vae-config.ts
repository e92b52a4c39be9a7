import { checkFinite, checkWhole, extendSchema, schemaDefaults, withDefault, type ConfigField } from '@vaekit/core';
import { VAE_SCHEMA, type VaeConfig } from './vae-config.js';

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

export const DEFAULT_CAPACITY_GAMMA = 1000;

export type BetaVaeConfigInput = Partial<Omit<BetaVaeConfig, 'capacity'>> & {
  capacity?: (Partial<CapacityConfig> & Pick<CapacityConfig, 'maxNats' | 'annealSteps'>) | null;
};

const capacity: ConfigField<CapacityConfig | null> = {
  default: null,
  check: (value, fail) => {
    if (value === null) return null;
    if (typeof value !== 'object') return fail(`must be { maxNats, annealSteps, gamma? } or null, got ${JSON.stringify(value)}`);
    const given = value as Partial<CapacityConfig>;
    return {
      maxNats: checkFinite(given.maxNats, { min: 0, note: ' (nats)' }, fail, '.maxNats'),
      annealSteps: checkWhole(given.annealSteps, 0, fail, '', '.annealSteps'),
      gamma: checkFinite(given.gamma ?? DEFAULT_CAPACITY_GAMMA, { min: 0 }, fail, '.gamma'),
    };
  },
};

/** β defaults to 4 (Higgins et al. 2017 use values above 1 to favour disentangled factors). */
export const BETA_VAE_SCHEMA = extendSchema<VaeConfig, BetaVaeConfig>(VAE_SCHEMA, {
  className: 'BetaVae',
  fields: { beta: withDefault(VAE_SCHEMA.fields.beta, 4), capacity },
});

export const BETA_VAE_DEFAULTS = schemaDefaults(BETA_VAE_SCHEMA);
