export { defineConformanceSuite, type ConformanceOptions } from './suite.js';
export { registeredVariantCases, type VariantCase } from './cases.js';
export { directionalDerivatives, type DirectionalCheck } from './checks/gradients.js';
export { compareKl, type KlComparison } from './checks/kl.js';
