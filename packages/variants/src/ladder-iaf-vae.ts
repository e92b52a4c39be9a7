import * as tf from '@tensorflow/tfjs-core';
import { reparameterize, type DiagonalGaussian, type NamedVariable, type SeededRandom } from '@vaekit/core';
import { POSTERIOR_MEAN_DRAWS } from './flow-vae.js';
import { IafStack, iafStackWeights, type IafStackOptions } from './iaf-stack.js';
import { LadderBase, ladderModelWeights } from './ladder-base.js';
import { LADDER_IAF_VAE_SCHEMA, type LadderIafVaeConfig } from './ladder-config.js';
import type { PlannedWeight } from './layer-plan.js';
import { defineVariant, TINY_NETWORK } from './variant-definition.js';

/**
 * The ladder VAE with an inverse-autoregressive-flow posterior at every stochastic layer: Kingma et al.
 * 2016's combination of IAF with a top-down hierarchical model (their best MNIST and CIFAR-10 models are
 * of this kind; ours keeps Sønderby et al.'s precision-weighted merge for the Gaussian part).
 *
 * Top-down, layer i's Gaussian posterior N(μ_i, σ_i²) (the merge of its bottom-up estimate with
 * p(z_i | z_{i+1})) gives a draw z0_i = μ_i + σ_i ⊙ ε; the layer's own IAF steps transform the
 * standardized ε, conditioned on a context h_i that the layer's bottom-up head emits besides its
 * estimate, and z_i = μ_i + σ_i ⊙ IAF(ε). The layer below and the decoder read z_i, and
 *   log q(z_i | ·) = log N(z0_i; μ_i, σ_i²) − Σ_k log σ_gate,k.
 * The generative model (priors, decoder, `sample`) is the plain ladder's. Each layer's KL is the
 * Monte-Carlo estimate log q(z_i | ·) − log p(z_i | z_{i+1}) (`kl_layer{i}` in the loss terms, with
 * `logDet` the batch-mean total log-determinant); it does not split per dimension, so active units use
 * the variance over the data of the posterior mean (`posteriorMean`), as for the flat flow VAEs.
 */
export class LadderIafVae extends LadderBase<LadderIafVaeConfig> {
  /** One IAF stack per stochastic layer, bottom to top. */
  readonly flows: readonly IafStack[];

  constructor(config: LadderIafVaeConfig) {
    super(config, config.contextUnits);
    this.flows = config.latentDims.map((_, i) => new IafStack(layerFlowOptions(config, i)));
  }

  /**
   * The flow acts on the standardized draw: the draw's own noise ε (0 for the mean), ε' = IAF(ε; h),
   * z = μ + σ ⊙ ε'. The affine map is the merged Gaussian's own, so log|det ∂z/∂z0| is the IAF's alone.
   * Acting in this space keeps the flow's moves on the scale of the posterior: applied to z0 directly, a
   * fresh flow's shifts (1 − σ_gate) m are O(1) whatever the posterior's width, they land far out in a
   * narrow top-down prior p(z_i | z_{i+1}), and the Monte-Carlo KL spikes (10 epochs on MNIST trained 15
   * nats worse that way). ε is taken as drawn, not recovered as (z0 − μ) / σ: that division's gradient
   * divides by σ², which underflows to 0 once log σ² < −87 (the precision-weighted merge only lowers a
   * layer's log σ²), and the gradient turns NaN under a finite loss.
   */
  protected transformDraw(
    layer: number,
    draw: { readonly z0: tf.Tensor; readonly epsilon: tf.Tensor | null },
    posterior: DiagonalGaussian,
    context: tf.Tensor | undefined,
  ): { z: tf.Tensor; logDet: tf.Tensor1D } {
    if (!context) throw new Error(`${this.className}: layer ${layer} has no flow context (pass bottomUpPass's contexts to topDown)`);
    return tf.tidy(() => {
      const epsilon = draw.epsilon ?? tf.zerosLike(posterior.mean);
      const { z, logDet } = this.flows[layer]!.apply(epsilon, context);
      return { z: reparameterize(posterior.mean, posterior.logVar, z), logDet };
    });
  }

  /**
   * E_q[z] per example, every layer concatenated bottom to top as in `encode`, estimated from
   * POSTERIOR_MEAN_DRAWS top-down draws: a flow's mean has no closed form. `evaluate` counts active units
   * from its variance over the data.
   */
  posteriorMean(x: tf.Tensor, rng: SeededRandom): tf.Tensor2D {
    return tf.tidy(() => {
      const z = tf.concat(this.drawLayers(x, POSTERIOR_MEAN_DRAWS, rng).map((layer) => layer.z), 1);
      return tf.mean(tf.reshape(z, [POSTERIOR_MEAN_DRAWS, x.shape[0]!, this.config.latentDim]), 0) as tf.Tensor2D;
    });
  }

  protected extraVariables(): NamedVariable[] {
    return this.flows.flatMap((flow, i) => flow.variables(layerFlowPrefix(i)));
  }

  protected disposeExtra(): void {
    for (const flow of this.flows) flow.dispose();
  }
}

/** Layer i's IAF steps, over its latentDims[i] units. */
function layerFlowOptions(config: LadderIafVaeConfig, layer: number): IafStackOptions {
  return {
    dims: config.latentDims[layer]!,
    steps: config.flowSteps,
    madeHiddenUnits: config.madeHiddenUnits,
    contextUnits: config.contextUnits,
    seed: config.seed * 1000 + 700 + 100 * layer,
  };
}

/** Layer i's flow weights are named `layer${i}/iaf${step}/…`. */
function layerFlowPrefix(layer: number): string {
  return `layer${layer}/iaf`;
}

/** The weights of a `LadderIafVae` of a resolved config, in `variables()`'s order, without building it. */
export function ladderIafVaeWeights(config: LadderIafVaeConfig): PlannedWeight[] {
  const flows = config.latentDims.flatMap((_, i) => iafStackWeights(layerFlowPrefix(i), layerFlowOptions(config, i)));
  return ladderModelWeights(config, config.contextUnits, flows);
}

export const ladderIafVaeVariant = defineVariant(LADDER_IAF_VAE_SCHEMA, LadderIafVae, {
  description: 'Ladder VAE with an IAF posterior at every stochastic layer (Kingma et al. 2016 on a top-down hierarchy)',
  weights: ladderIafVaeWeights,
  testConfig: {
    ...TINY_NETWORK,
    latentDims: [3, 2],
    deterministicUnits: [8, 6],
    flowSteps: 2,
    madeHiddenUnits: [6],
    contextUnits: 4,
  },
});

export const createLadderIafVae = ladderIafVaeVariant.create;
