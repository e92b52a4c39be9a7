import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable, SeededRandom } from '@vaekit/core';
import { klPerDimensionDiagonal } from './gaussian-kl.js';
import { LadderBase, ladderModelWeights } from './ladder-base.js';
import { LADDER_VAE_SCHEMA, type LadderVaeConfig } from './ladder-config.js';
import type { PlannedWeight } from './layer-plan.js';
import { defineVariant, TINY_NETWORK } from './variant-definition.js';

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
      return tf.concat(layers.map((layer) => klPerDimensionDiagonal(layer.posterior, layer.prior)), 1) as tf.Tensor2D;
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

export const ladderVaeVariant = defineVariant(LADDER_VAE_SCHEMA, LadderVae, {
  description: 'Ladder VAE: bottom-up estimates merged top-down with precision weighting, KL per layer',
  weights: ladderVaeWeights,
  testConfig: { ...TINY_NETWORK, latentDims: [3, 2], deterministicUnits: [8, 6] },
});

export const createLadderVae = ladderVaeVariant.create;
