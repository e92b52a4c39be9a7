import * as tf from '@tensorflow/tfjs-core';
import { registerModel, type NamedVariable } from '@vaekit/core';
import { resolveIafConfig, type IafVaeConfig } from './flow-config.js';
import { FlowVae, type FlowResult } from './flow-vae.js';
import { iafGatedUpdate } from './iaf-step.js';
import { madeOrdering } from './made-masks.js';
import { MadeNetwork } from './made-network.js';

/**
 * VAE with an inverse-autoregressive-flow posterior (Kingma et al. 2016). The encoder emits the base
 * Gaussian and a context vector h; each of the K steps runs its own MADE network [m, s] = MADE_k(z, h)
 * and applies the gated update z ← σ ⊙ z + (1 − σ) ⊙ m (log-det Σ log σ). The variable ordering is
 * reversed from one step to the next (step k uses the natural order for even k, the reverse for odd k),
 * which is done by the MADE degrees rather than by permuting z. The MADE weights are global; the flow is
 * conditioned on x through h.
 */
export class IafVae extends FlowVae<IafVaeConfig> {
  readonly steps: readonly MadeNetwork[];

  constructor(config: IafVaeConfig) {
    super(config, config.contextUnits);
    this.steps = Array.from(
      { length: config.flowSteps },
      (_, k) =>
        new MadeNetwork({
          dims: config.latentDim,
          contextUnits: config.contextUnits,
          hiddenUnits: config.madeHiddenUnits,
          inputDegrees: madeOrdering(config.latentDim, k % 2 === 1),
          seed: config.seed * 1000 + 700 + 20 * k,
        }),
    );
  }

  flow(z0: tf.Tensor, context: tf.Tensor): FlowResult {
    return tf.tidy(() => {
      let z = z0;
      const logDets: tf.Tensor[] = [];
      for (const made of this.steps) {
        const { m, s } = made.apply(z, context);
        const step = iafGatedUpdate(z, m, s);
        z = step.z;
        logDets.push(step.logDet);
      }
      return { z, logDet: tf.addN(logDets) as tf.Tensor1D };
    });
  }

  protected override extraVariables(): NamedVariable[] {
    return this.steps.flatMap((made, k) => made.variables(`iaf${k}`));
  }

  protected disposeFlow(): void {
    for (const made of this.steps) made.dispose();
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
