import type { LikelihoodConfig } from '@vaekit/core';
import { likelihoodCases, registeredVariantCases, type VariantCase } from '../../src/index.js';

/**
 * What the conformance files certify on every backend: every registered model with its test config, then
 * `likelihoodCases()` (Vae and VqVae with each registered likelihood and scale mode). Bernoulli is every
 * test config's own likelihood, so its pairs are already among the first and are not repeated.
 */
export function conformanceCases(): VariantCase[] {
  const byLikelihood = likelihoodCases().filter((c) => (c.config['likelihood'] as LikelihoodConfig).type !== 'bernoulli');
  return [...registeredVariantCases(), ...byLikelihood];
}
