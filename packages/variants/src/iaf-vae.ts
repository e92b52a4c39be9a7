import type * as tf from '@tensorflow/tfjs-core';
import { registerModel, type NamedVariable } from '@vaekit/core';
import { resolveIafConfig, type IafVaeConfig } from './flow-config.js';
import { FlowVae, type FlowResult } from './flow-vae.js';
import { IafStack } from './iaf-stack.js';

/**
 * VAE with an inverse-autoregressive-flow posterior (Kingma et al. 2016). The encoder emits the base
 * Gaussian and a context vector h; K IAF steps (`IafStack`: MADE networks, gated updates, alternating
 * orderings) transform the base draw.
 */
export class IafVae extends FlowVae<IafVaeConfig> {
  readonly iaf: IafStack;

  constructor(config: IafVaeConfig) {
    super(config, config.contextUnits);
    this.iaf = new IafStack({
      dims: config.latentDim,
      steps: config.flowSteps,
      madeHiddenUnits: config.madeHiddenUnits,
      contextUnits: config.contextUnits,
      seed: config.seed * 1000 + 700,
    });
  }

  flow(z0: tf.Tensor, context: tf.Tensor): FlowResult {
    return this.iaf.apply(z0, context);
  }

  protected override extraVariables(): NamedVariable[] {
    return this.iaf.variables('iaf');
  }

  protected disposeFlow(): void {
    this.iaf.dispose();
  }
}

export function createIafVae(config: Partial<IafVaeConfig> = {}): IafVae {
  return new IafVae(resolveIafConfig(config));
}

registerModel(
  {
    className: 'IAFVAE',
    description: 'VAE with an inverse-autoregressive-flow posterior (MADE steps, gated updates, reversed orderings)',
    create: (config) => createIafVae(config as Partial<IafVaeConfig>),
    testConfig: {
      inputShape: [12],
      latentDim: 3,
      flowSteps: 2,
      madeHiddenUnits: [6],
      contextUnits: 4,
      architecture: { type: 'mlp', hiddenUnits: [10] },
    },
  },
  { replace: true },
);
