export { Vae, createVae } from './vae.js';
export { StandardNormalLatentModel } from './standard-normal-latent-model.js';
export { VAE_DEFAULTS, resolveVaeConfig, type VaeConfig } from './vae-config.js';
export { DEFAULT_ARCHITECTURE, type ArchitectureConfig } from './networks.js';
export { LadderVae, createLadderVae, type LadderBottomUp, type LadderLayer } from './ladder-vae.js';
export { LadderBase, layerKlPerDimension } from './ladder-base.js';
export { LadderIafVae, createLadderIafVae } from './ladder-iaf-vae.js';
export { resolveLadderIafConfig, type LadderIafVaeConfig } from './ladder-iaf-config.js';
export { LADDER_DEFAULTS, resolveLadderConfig, type LadderVaeConfig } from './ladder-config.js';
export { precisionWeightedMerge } from './ladder-merge.js';
export { FlowVae, type FlowDraw, type FlowResult } from './flow-vae.js';
export {
  IAF_DEFAULTS,
  IAF_FIELDS,
  resolveIafFields,
  PLANAR_DEFAULTS,
  resolveIafConfig,
  resolvePlanarFlowConfig,
  type FlowVaeConfig,
  type IafVaeConfig,
  type PlanarFlowVaeConfig,
} from './flow-config.js';
export { planarConstrainedU, planarFlowStep } from './planar-flow.js';
export { PlanarFlowVae, createPlanarFlowVae } from './planar-flow-vae.js';
export { buildMadeMasks, madeHiddenDegrees, madeOrdering, type MadeMasks } from './made-masks.js';
export { MADE_GATE_BIAS_INIT, MadeNetwork, type MadeOptions } from './made-network.js';
export { iafGatedUpdate } from './iaf-step.js';
export { IafStack, type IafStackOptions } from './iaf-stack.js';
export { IafVae, createIafVae } from './iaf-vae.js';
export {
  BETA_VAE_DEFAULTS,
  BetaVae,
  DEFAULT_CAPACITY_GAMMA,
  createBetaVae,
  resolveBetaVaeConfig,
  type BetaVaeConfig,
  type BetaVaeConfigInput,
  type CapacityConfig,
} from './beta-vae.js';
export { VqVae, createVqVae } from './vq-vae.js';
export { isTrainingCall } from './training-call.js';
export { VQ_VAE_DEFAULTS, resolveVqVaeConfig, type VqVaeConfig } from './vq-vae-config.js';
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
