// Importing the package registers the built-in models: register.ts is the one module with a side effect.
import './register.js';

export { BUILT_IN_VARIANTS } from './register.js';
export { BUILT_IN_SAMPLERS } from './samplers/built-in-samplers.js';
export * from './quality/index.js';
export { GaussianMixtureSampler, type GaussianMixtureSamplerConfig } from './samplers/gaussian-mixture-sampler.js';
export type { GaussianMixture } from './samplers/gaussian-mixture-types.js';
export { VQ_CODE_PRIOR_SAMPLER, VqCodePriorSampler, type VqCodePriorConfig } from './samplers/vq-code-prior.js';
export { vqLearnedPriorBound } from './samplers/vq-code-prior-bound.js';
export { VQ_CODE_PRIOR_DEFAULTS, type VqCodePriorSettings } from './samplers/vq-code-prior-settings.js';
export { isVqCodeModel, type VqCodeModel } from './samplers/vq-code-model.js';
export { TWO_STAGE_SAMPLER, TwoStageSampler, type TwoStageSamplerConfig, type TwoStageSettings } from './samplers/two-stage.js';

// The built-in variants: classes, factories, configs and their schemas.
export { Vae, createVae, vaeVariant } from './vae.js';
export { VAE_DEFAULTS, VAE_SCHEMA, type VaeConfig } from './vae-config.js';
export { BetaVae, betaVaeVariant, createBetaVae } from './beta-vae.js';
export {
  BETA_VAE_DEFAULTS,
  BETA_VAE_SCHEMA,
  DEFAULT_CAPACITY_GAMMA,
  type BetaVaeConfig,
  type BetaVaeConfigInput,
  type CapacityConfig,
} from './beta-vae-config.js';
export { VqVae, createVqVae, vqVaeVariant } from './vq-vae.js';
export { VQ_VAE_DEFAULTS, VQ_VAE_SCHEMA, type VqVaeConfig } from './vq-vae-config.js';
export { LadderVae, createLadderVae, ladderVaeVariant } from './ladder-vae.js';
export { LadderIafVae, createLadderIafVae, ladderIafVaeVariant } from './ladder-iaf-vae.js';
export {
  LADDER_DEFAULTS,
  LADDER_IAF_VAE_SCHEMA,
  LADDER_VAE_SCHEMA,
  type LadderIafVaeConfig,
  type LadderVaeConfig,
} from './ladder-config.js';
export { IafVae, createIafVae, iafVaeVariant } from './iaf-vae.js';
export { PlanarFlowVae, createPlanarFlowVae, planarFlowVaeVariant } from './planar-flow-vae.js';
export {
  IAF_DEFAULTS,
  IAF_SETTINGS_FIELDS,
  IAF_VAE_SCHEMA,
  PLANAR_DEFAULTS,
  PLANAR_FLOW_VAE_SCHEMA,
  type FlowVaeConfig,
  type IafSettings,
  type IafVaeConfig,
  type PlanarFlowVaeConfig,
} from './flow-config.js';
export { LearnedPriorVae, createLearnedPriorVae, learnedPriorVaeVariant } from './learned-prior-vae.js';
export { LEARNED_PRIOR_VAE_SCHEMA, type LearnedPriorVaeConfig } from './learned-prior-vae-config.js';

// The authoring kit: what a new variant builds on (see docs/add-a-variant.md).
export { defineVariant, type Variant, type VariantDefinition } from './variant-definition.js';
export { ModelBase } from './model-base.js';
export { SingleLatentModel, singleLatentWeights } from './single-latent-model.js';
export { standardNormalPrior, type LatentPrior } from './latent-prior.js';
export { vaeWeights } from './vae.js';
export { FlowVae, flowVaeWeights, type FlowDraw, type FlowResult } from './flow-vae.js';
export { LadderBase, ladderModelWeights, type LadderBottomUp, type LadderLayer } from './ladder-base.js';
export { NETWORK_SCHEMA, type NetworkConfig } from './network-config.js';
export { DEFAULT_ARCHITECTURE, type ArchitectureConfig } from './networks.js';
export { EncoderDecoder, encoderDecoderPlans, encoderDecoderWeights, type EncoderDecoderPlans } from './encoder-decoder.js';
export { drawGaussian, type GaussianDraws } from './gaussian-draws.js';
export { klPerDimensionDiagonal } from './gaussian-kl.js';
export type { NetworkPlan, PlannedWeight } from './layer-plan.js';
