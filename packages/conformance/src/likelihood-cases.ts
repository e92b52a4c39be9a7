import { getRegisteredModel, listLikelihoods, resolveLikelihoodConfig, type LikelihoodConfig } from '@vaekit/core';
import type { VariantCase } from './cases.js';

/**
 * Scale modes beyond the built-in likelihoods' defaults: each changes what a model owns (one learned
 * global scale) or what its decoder emits (a log-scale per value beside the location).
 */
export const EXTRA_LIKELIHOOD_CONFIGS: readonly LikelihoodConfig[] = [
  { type: 'gaussian', variance: 'learned-global' },
  { type: 'gaussian', variance: 'learned-per-pixel' },
  { type: 'laplace', scale: 'learned-global' },
  { type: 'discretized-logistic', scale: 'learned-per-pixel' },
];

/** A single-latent VAE and a vector-quantized one: a Gaussian posterior and a discrete code, one decoder each. */
export const DEFAULT_LIKELIHOOD_MODELS: readonly string[] = ['Vae', 'VqVae'];

export interface LikelihoodCaseOptions {
  /** Registered models to certify each likelihood with, by className. Default: `DEFAULT_LIKELIHOOD_MODELS`. */
  readonly classNames?: readonly string[];
  /**
   * Likelihood configs (`{ type, ...fields }`). Default: every registered likelihood with its default
   * fields, then those of `EXTRA_LIKELIHOOD_CONFIGS` whose type is registered.
   */
  readonly likelihoods?: readonly LikelihoodConfig[];
}

/**
 * One case per model and likelihood: the model's registered tiny test config with `likelihood` set. The
 * suite then draws each case's data from its likelihood's support and checks its outputs against it, so
 * a likelihood registered with `registerLikelihood` is certified by the same checks as the built-ins.
 */
export function likelihoodCases(options: LikelihoodCaseOptions = {}): VariantCase[] {
  const likelihoods = options.likelihoods ?? defaultLikelihoodConfigs();
  // Refuses a bad or unregistered config now, naming it, rather than in every case's build.
  for (const config of likelihoods) resolveLikelihoodConfig(config);
  return (options.classNames ?? DEFAULT_LIKELIHOOD_MODELS).flatMap((className) => {
    const { testConfig } = getRegisteredModel(className);
    return likelihoods.map((likelihood) => ({
      name: `${className} × ${likelihoodLabel(likelihood)}`,
      config: { ...testConfig, className, likelihood },
    }));
  });
}

function defaultLikelihoodConfigs(): LikelihoodConfig[] {
  const registered = listLikelihoods().map((definition) => definition.type);
  return [...registered.map((type) => ({ type })), ...EXTRA_LIKELIHOOD_CONFIGS.filter((config) => registered.includes(config.type))];
}

/** `gaussian`, or `gaussian (variance learned-global)` for a config with fields. */
export function likelihoodLabel(config: LikelihoodConfig): string {
  const fields = Object.entries(config)
    .filter(([key]) => key !== 'type')
    .map(([key, value]) => `${key} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return fields.length ? `${config.type} (${fields.join(', ')})` : config.type;
}
