import { extendSchema, finiteNumber, oneOf, schemaDefaults, wholeNumber } from '@vaekit/core';
import { NETWORK_SCHEMA, type NetworkConfig } from './network-config.js';

export interface VqVaeConfig extends NetworkConfig {
  /** Discrete latents per example: the encoder emits this many vectors, each quantized on its own. */
  readonly numLatents: number;
  /** Size of each latent vector and of each code. */
  readonly embeddingDim: number;
  /** K, the number of codes. */
  readonly codebookSize: number;
  /** beta_c, the weight on the commitment loss ||z_e - sg(e)||^2. */
  readonly commitmentCost: number;
  /**
   * How the codebook learns: `loss` — by gradient on the codebook loss ||sg(z_e) - e||^2 (the codebook is
   * trainable); `ema` — by exponential moving averages of the assigned encoder outputs (not trainable).
   */
  readonly codebook: 'loss' | 'ema';
  /** EMA decay (gamma in the paper's appendix). */
  readonly emaDecay: number;
  /** Laplace smoothing of the EMA counts. */
  readonly emaEpsilon: number;
  /** A code unused for this many consecutive training steps restarts at a batch vector; 0 turns restarts off. */
  readonly deadCodeRestartSteps: number;
  /** Codes start uniform in [-codebookInitScale, codebookInitScale] per dimension (seeded). */
  readonly codebookInitScale: number;
}

/** The encoder's last dense layer emits numLatents * embeddingDim numbers; it is never batch-normalized. */
export const VQ_VAE_SCHEMA = extendSchema<NetworkConfig, VqVaeConfig>(NETWORK_SCHEMA, {
  className: 'VqVae',
  fields: {
    numLatents: wholeNumber(16),
    embeddingDim: wholeNumber(8),
    codebookSize: wholeNumber(64, 2),
    commitmentCost: finiteNumber(0.25, { min: 0 }),
    codebook: oneOf<VqVaeConfig['codebook']>('loss', ['loss', 'ema']),
    emaDecay: finiteNumber(0.99, { min: 0, below: 1 }),
    emaEpsilon: finiteNumber(1e-5, { min: 0, minExclusive: true }),
    deadCodeRestartSteps: wholeNumber(100, 0, ' (0: off)'),
    codebookInitScale: finiteNumber(1, { min: 0, minExclusive: true }),
  },
});

export const VQ_VAE_DEFAULTS = schemaDefaults(VQ_VAE_SCHEMA);
