import { registerModel } from '@vaekit/core';
import { betaVaeVariant } from './beta-vae.js';
import { iafVaeVariant } from './iaf-vae.js';
import { ladderIafVaeVariant } from './ladder-iaf-vae.js';
import { ladderVaeVariant } from './ladder-vae.js';
import { learnedPriorVaeVariant } from './learned-prior-vae.js';
import { planarFlowVaeVariant } from './planar-flow-vae.js';
import { vaeVariant } from './vae.js';
import { vqVaeVariant } from './vq-vae.js';

/** Every built-in variant; registering one adds its line here. */
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
