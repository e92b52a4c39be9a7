import type * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable } from '@vaekit/core';
import { IAF_VAE_SCHEMA, type IafVaeConfig } from './flow-config.js';
import { FlowVae, flowVaeWeights, type FlowResult } from './flow-vae.js';
import { IafStack, iafStackWeights, type IafStackOptions } from './iaf-stack.js';
import type { PlannedWeight } from './layer-plan.js';
import { defineVariant, TINY_NETWORK } from './variant-definition.js';

/** The flow's weights are named `iaf${step}/…`. */
const IAF_PREFIX = 'iaf';

/**
 * VAE with an inverse-autoregressive-flow posterior (Kingma et al. 2016). The encoder emits the base
 * Gaussian and a context vector h; K IAF steps (`IafStack`: MADE networks, gated updates, alternating
 * orderings) transform the base draw.
 */
export class IafVae extends FlowVae<IafVaeConfig> {
  readonly iaf: IafStack;

  constructor(config: IafVaeConfig) {
    super(config, config.contextUnits);
    this.iaf = new IafStack(iafOptions(config));
  }

  flow(z0: tf.Tensor, context: tf.Tensor): FlowResult {
    return this.iaf.apply(z0, context);
  }

  protected override extraVariables(): NamedVariable[] {
    return this.iaf.variables(IAF_PREFIX);
  }

  protected override disposeExtra(): void {
    this.iaf.dispose();
  }
}

/** The flow: K IAF steps over the latent, conditioned on the encoder's context. */
function iafOptions(config: IafVaeConfig): IafStackOptions {
  return {
    dims: config.latentDim,
    steps: config.flowSteps,
    madeHiddenUnits: config.madeHiddenUnits,
    contextUnits: config.contextUnits,
    seed: config.seed * 1000 + 700,
  };
}

/** The weights of an `IafVae` of a resolved config, in `variables()`'s order, without building it. */
export function iafVaeWeights(config: IafVaeConfig): PlannedWeight[] {
  return flowVaeWeights(config, config.contextUnits, iafStackWeights(IAF_PREFIX, iafOptions(config)));
}

export const iafVaeVariant = defineVariant(IAF_VAE_SCHEMA, IafVae, {
  description: 'VAE with an inverse-autoregressive-flow posterior (MADE steps, gated updates, reversed orderings)',
  weights: iafVaeWeights,
  testConfig: { ...TINY_NETWORK, latentDim: 3, flowSteps: 2, madeHiddenUnits: [6], contextUnits: 4 },
});

export const createIafVae = iafVaeVariant.create;
