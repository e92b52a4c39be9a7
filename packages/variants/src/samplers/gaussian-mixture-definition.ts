import type { SamplerDefinition } from '@vaekit/core';
import { fitGaussianMixtureSampler } from './gaussian-mixture-fit.js';
import { GaussianMixtureSampler } from './gaussian-mixture-sampler.js';
import { gaussianMixtureUnsupportedReason } from './gaussian-mixture-support.js';

/** The Gaussian-mixture sampler ('gmm'): full-covariance EM on the posterior means, k by held-out likelihood. */
export const GAUSSIAN_MIXTURE_SAMPLER: SamplerDefinition = {
  className: 'GaussianMixtureSampler',
  name: 'gmm',
  description: 'a Gaussian mixture with full covariances fitted by EM to the posterior means, its number of components chosen by held-out likelihood',
  unsupportedReason: gaussianMixtureUnsupportedReason,
  fit: fitGaussianMixtureSampler,
  testSettings: { components: [1, 2], maxIterations: 10 },
  create: (config) => new GaussianMixtureSampler(config),
};
