export { defineConformanceSuite, type ConformanceOptions } from './suite.js';
export { registeredVariantCases, type VariantCase } from './cases.js';
export {
  DEFAULT_LIKELIHOOD_MODELS,
  EXTRA_LIKELIHOOD_CONFIGS,
  likelihoodCases,
  likelihoodLabel,
  type LikelihoodCaseOptions,
} from './likelihood-cases.js';
export { supportDataset } from './support-data.js';
export { declaredLikelihood, UNDECLARED_LIKELIHOOD } from './declared-likelihood.js';
export { directionalDerivatives, type DirectionalCheck } from './checks/gradients.js';
export { compareKl, type KlComparison } from './checks/kl.js';
