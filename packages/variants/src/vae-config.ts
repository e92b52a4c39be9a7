import { extendSchema, finiteNumber, flag, oneOf, schemaDefaults, wholeNumber } from '@vaekit/core';
import { NETWORK_SCHEMA, type NetworkConfig } from './network-config.js';

export interface VaeConfig extends NetworkConfig {
  readonly latentDim: number;
  /** Weight on the KL term (1 for the plain VAE). */
  readonly beta: number;
  /** `closed-form` KL, or a one-sample `monte-carlo` estimate (log q(z|x) - log p(z)). */
  readonly klEstimator: 'closed-form' | 'monte-carlo';
  /**
   * Batch-normalize the pre-activations of the inference network's hidden layers (Ioffe and Szegedy
   * 2015; the ladder also normalizes its top-down blocks). Training normalizes by the batch's statistics
   * and moves running averages, which evaluation, encoding and sampling use; they are saved with the
   * model. The decoder is never normalized: p(x | z) must not depend on the other examples in a batch.
   */
  readonly batchNorm: boolean;
}

export const VAE_SCHEMA = extendSchema<NetworkConfig, VaeConfig>(NETWORK_SCHEMA, {
  className: 'Vae',
  fields: {
    latentDim: wholeNumber(32),
    beta: finiteNumber(1, { min: 0 }),
    klEstimator: oneOf<VaeConfig['klEstimator']>('closed-form', ['closed-form', 'monte-carlo']),
    batchNorm: flag(false),
  },
});

export const VAE_DEFAULTS = schemaDefaults(VAE_SCHEMA);
