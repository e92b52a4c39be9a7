import * as tf from '@tensorflow/tfjs-core';
import { registerModel, type NamedVariable, type SeededRandom } from '@vaekit/core';
import { LadderBase, ladderModelWeights, layerKlPerDimension } from './ladder-base.js';
import { resolveLadderConfig, type LadderVaeConfig } from './ladder-config.js';
import { asWeightSpecs, type PlannedWeight } from './layer-plan.js';

export type { LadderBottomUp, LadderLayer } from './ladder-base.js';

/**
 * Ladder VAE (Sønderby et al. 2016): the shared ladder (`LadderBase`) with diagonal Gaussian posteriors.
 * The KL is taken per layer in closed form (top layer vs N(0, I), lower layers vs their top-down prior)
 * and reported as `kl_layer0` (bottom) … `kl_layer{L-1}` (top); it splits per dimension, which
 * `evaluate` uses to count active units.
 */
export class LadderVae extends LadderBase<LadderVaeConfig> {
  constructor(config: LadderVaeConfig) {
    super(config);
  }

  /**
   * KL per example and latent dimension, [batch, Σ latentDims], layers bottom to top as in `encode`: the
   * top layer's against N(0, I), each lower layer's against its prior given the drawn layer above (one
   * top-down pass with draws, as in `loss`). Row sums are the model's KL; `evaluate` counts active units
   * from it.
   */
  klPerDimension(x: tf.Tensor, rng: SeededRandom): tf.Tensor2D {
    return tf.tidy(() => {
      const layers = this.topDown(this.bottomUp(x), (shape) => rng.normal(shape));
      return tf.concat(layers.map((layer) => layerKlPerDimension(layer.posterior, layer.prior)), 1) as tf.Tensor2D;
    });
  }

  protected transformDraw(_layer: number, draw: { readonly z0: tf.Tensor }): { z: tf.Tensor; logDet: null } {
    // The Gaussian is the posterior: no flow.
    return { z: draw.z0, logDet: null };
  }

  protected extraVariables(): NamedVariable[] {
    return [];
  }

  protected disposeExtra(): void {}
}

/** The weights of a `LadderVae` of a resolved config, in `variables()`'s order, without building it. */
export function ladderVaeWeights(config: LadderVaeConfig): PlannedWeight[] {
  return ladderModelWeights(config, 0, []);
}

export function createLadderVae(config: Partial<LadderVaeConfig> = {}): LadderVae {
  return new LadderVae(resolveLadderConfig(config));
}

registerModel(
  {
    className: 'LadderVAE',
    description: 'Ladder VAE: bottom-up estimates merged top-down with precision weighting, KL per layer',
    create: (config) => createLadderVae(config as Partial<LadderVaeConfig>),
    expectedWeights: (config) => asWeightSpecs(ladderVaeWeights(resolveLadderConfig(config as Partial<LadderVaeConfig>))),
    testConfig: { inputShape: [12], latentDims: [3, 2], hiddenUnits: [8, 6], architecture: { type: 'mlp', hiddenUnits: [10] } },
    // Ladders saved before `batchNorm` existed (0.1) had none; the default is now on.
    upgradeSavedConfig: (saved) => ('batchNorm' in saved ? saved : { ...saved, batchNorm: false }),
  },
  { replace: true },
);
