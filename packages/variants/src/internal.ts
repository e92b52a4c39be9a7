// Building blocks of the built-in variants, for this repository's tests and tools: no stability promise.
export { precisionWeightedMerge } from './ladder-merge.js';
export { planarConstrainedU, planarFlowStep } from './planar-flow.js';
export { buildMadeMasks, madeHiddenDegrees, madeOrdering, type MadeMasks } from './made-masks.js';
export { MADE_GATE_BIAS_INIT, MadeNetwork, type MadeOptions } from './made-network.js';
export { iafGatedUpdate } from './iaf-step.js';
export { IafStack, type IafStackOptions } from './iaf-stack.js';
export {
  codeCounts,
  deadCodeRestarts,
  emaStep,
  lookupCodes,
  nearestCodes,
  perplexityFromCounts,
  squaredDistances,
  type EmaState,
  type EmaStep,
} from './vq-codebook.js';
export { stopGradient, straightThrough } from './vq-stop-gradient.js';
export { buildNetwork, planWeights } from './layer-plan.js';
