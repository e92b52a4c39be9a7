import { extendSchema } from '@vaekit/core';
import { VAE_SCHEMA, type VaeConfig } from './vae-config.js';

/** The VAE's fields: the learned prior adds weights, not settings. */
export type LearnedPriorVaeConfig = VaeConfig;

export const LEARNED_PRIOR_VAE_SCHEMA = extendSchema<VaeConfig, LearnedPriorVaeConfig>(VAE_SCHEMA, {
  className: 'LearnedPriorVae',
  fields: {},
});
