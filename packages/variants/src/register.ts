import { registerModel, registerSampler } from '@vaekit/core';
import { BUILT_IN_SAMPLERS } from './samplers/built-in-samplers.js';
import { betaVaeVariant } from './beta-vae.js';
import { iafVaeVariant } from './iaf-vae.js';
import { ladderIafVaeVariant } from './ladder-iaf-vae.js';
import { ladderVaeVariant } from './ladder-vae.js';
import { learnedPriorVaeVariant } from './learned-prior-vae.js';
import { planarFlowVaeVariant } from './planar-flow-vae.js';
import { vaeVariant } from './vae.js';
import { vqVaeVariant } from './vq-vae.js';
import type { BetaVaeConfigInput } from './beta-vae-config.js';
import type { IafVaeConfig, PlanarFlowVaeConfig } from './flow-config.js';
import type { LadderIafVaeConfig, LadderVaeConfig } from './ladder-config.js';
import type { LearnedPriorVaeConfig } from './learned-prior-vae-config.js';
import type { VaeConfig } from './vae-config.js';
import type { VqVaeConfig } from './vq-vae-config.js';

declare module '@vaekit/core' {
  /** The built-ins' configs by className, so `createModel` type-checks their fields as their `create…` functions do. */
  interface ModelConfigMap {
    Vae: Partial<VaeConfig>;
    BetaVae: BetaVaeConfigInput;
    VqVae: Partial<VqVaeConfig>;
    LadderVae: Partial<LadderVaeConfig>;
    LadderIafVae: Partial<LadderIafVaeConfig>;
    IafVae: Partial<IafVaeConfig>;
    PlanarFlowVae: Partial<PlanarFlowVaeConfig>;
    LearnedPriorVae: Partial<LearnedPriorVaeConfig>;
  }
}

/** Every built-in variant; registering one adds its line here and its config to `ModelConfigMap` above. */
export const BUILT_IN_VARIANTS = [
  vaeVariant,
  betaVaeVariant,
  vqVaeVariant,
  ladderVaeVariant,
  ladderIafVaeVariant,
  iafVaeVariant,
  planarFlowVaeVariant,
  learnedPriorVaeVariant,
] as const;

// The module's one side effect: importing it (the package entry does) registers the built-ins. Built-ins
// never replace another's entry: a model of the same name registered first by someone else is an error.
// A second copy of this package registers under the same source, which the registry ignores.
for (const variant of BUILT_IN_VARIANTS) registerModel({ ...variant.entry, source: '@vaekit/variants' });
for (const sampler of BUILT_IN_SAMPLERS) registerSampler({ ...sampler, source: '@vaekit/variants' });
