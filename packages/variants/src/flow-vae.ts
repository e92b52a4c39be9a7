import * as tf from '@tensorflow/tfjs-core';
import {
  applyFreeBits,
  DiagonalGaussian,
  elbo,
  klMonteCarlo,
  tileDraws,
  type LossContext,
  type ExportableNetworks,
  type LossTerms,
  type ModelWithExport,
  type NamedVariable,
  type SeededRandom,
} from '@vaekit/core';
import type { FlowVaeConfig } from './flow-config.js';
import { drawGaussian } from './gaussian-draws.js';
import type { PlannedWeight } from './layer-plan.js';
import { singleLatentWeights, SingleLatentModel } from './single-latent-model.js';

/**
 * Draws per example behind `posteriorMean`. The active-unit statistic is a variance over thousands of
 * examples, so the Monte-Carlo error of each mean (σ_q/4 per dimension) mostly averages out; an inactive
 * unit's mean is the prior's 0 whatever the draws.
 */
export const POSTERIOR_MEAN_DRAWS = 16;

/** The encoder emits the base Gaussian's mean and log-variance, then the flow's input. */
function flowEncoderUnits(config: FlowVaeConfig, flowInputUnits: number): number {
  return 2 * config.latentDim + flowInputUnits;
}

/**
 * The weights of a `FlowVae` of a resolved config, in `variables()`'s order, without building it;
 * `flowWeights` are the subclass's own (what its `extraVariables` lists).
 */
export function flowVaeWeights(config: FlowVaeConfig, flowInputUnits: number, flowWeights: readonly PlannedWeight[]): PlannedWeight[] {
  return singleLatentWeights(config, flowEncoderUnits(config, flowInputUnits), flowWeights);
}

/** The flow's output for a batch of base draws: z_K, and Σ_k log|det ∂f_k/∂z_{k-1}| per row. */
export interface FlowResult {
  readonly z: tf.Tensor;
  readonly logDet: tf.Tensor1D;
}

/** A posterior draw through the flow: z_0 ~ q0, z_K = f_K ∘ … ∘ f_1(z_0), and log q_K(z_K | x). */
export interface FlowDraw extends FlowResult {
  readonly z0: tf.Tensor;
  readonly logQ: tf.Tensor1D;
}

/**
 * A VAE with a normalizing-flow posterior (Rezende and Mohamed 2015). The encoder emits a diagonal
 * Gaussian base q0(z_0|x) plus `flowInputUnits` more numbers per example (the subclass's amortized flow
 * parameters or context); K invertible steps map z_0 to z_K, and
 *   log q_K(z_K | x) = log q0(z_0 | x) − Σ_k log|det ∂f_k/∂z_{k-1}|.
 * q_K has no closed-form KL, so the KL is core's Monte-Carlo estimate log q_K(z_K|x) − log p(z_K) on the
 * same draw the reconstruction uses; `logWeights` uses the same density. Loss terms add `logDet`, the
 * batch-mean total log-determinant.
 *
 * `encode(x)` is the flow applied to the base mean, f(μ_0(x)): a deterministic code in the space the
 * decoder reads (q_K's mean has no closed form). With free bits, the whole KL is floored at
 * freeBits × latentDim per example (batch mean): a flow's KL does not split per dimension.
 *
 * Deliberately not a `GaussianLatentModel` (no `posterior`/`klPerDimension`): the posterior is not Gaussian.
 */
export abstract class FlowVae<C extends FlowVaeConfig> extends SingleLatentModel<C> implements ModelWithExport {
  /** Numbers per example the encoder emits for the flow, after the base mean and log-variance. */
  protected readonly flowInputUnits: number;

  protected constructor(config: C, flowInputUnits: number) {
    super(config, flowEncoderUnits(config, flowInputUnits));
    this.flowInputUnits = flowInputUnits;
  }

  /** Applies the K flow steps to rows z0 [n, D] given the per-row flow input [n, flowInputUnits]. */
  abstract flow(z0: tf.Tensor, flowInput: tf.Tensor): FlowResult;
  /** The flow's own weights (beyond the encoder and decoder), under stable names. */
  protected abstract override extraVariables(): NamedVariable[];

  /**
   * The base Gaussian q0(z_0 | x) and the flow input; the caller disposes them. `training` is for batch
   * normalization: true only inside a training step.
   */
  encoderOutputs(x: tf.Tensor, training = false): { base: DiagonalGaussian; flowInput: tf.Tensor } {
    const D = this.config.latentDim;
    const [mean, logVar, flowInput] = tf.tidy(() => tf.split(this.encoderOutput(x, training), [D, D, this.flowInputUnits], 1));
    return { base: new DiagonalGaussian(mean!, logVar!), flowInput: flowInput! };
  }

  /** k reparameterized draws per example through the flow, rows ordered draw-major ([k · batch]). */
  draw(x: tf.Tensor, k: number, rng: SeededRandom, training = false): FlowDraw {
    return tf.tidy(() => {
      const { base, flowInput } = this.encoderOutputs(x, training);
      const { z: z0, logQ: logQ0 } = drawGaussian(base, k, rng);
      const { z, logDet } = this.flow(z0, tileDraws(flowInput, k));
      return { z0, z, logDet, logQ: tf.sub(logQ0, logDet) as tf.Tensor1D };
    });
  }

  /**
   * E_q(z_K|x)[z_K] per example, estimated from POSTERIOR_MEAN_DRAWS draws: q_K's mean has no closed form.
   * `evaluate` counts active units from its variance over the data.
   */
  posteriorMean(x: tf.Tensor, rng: SeededRandom): tf.Tensor2D {
    return tf.tidy(() => {
      const { z } = this.draw(x, POSTERIOR_MEAN_DRAWS, rng);
      return tf.mean(tf.reshape(z, [POSTERIOR_MEAN_DRAWS, x.shape[0]!, this.config.latentDim]), 0) as tf.Tensor2D;
    });
  }

  /**
   * The encoder's base Gaussian q0 (its mean, and log-variance) and the decoder: the flow itself is not a
   * plain network, so the exported encoder stops before it.
   */
  exportableNetworks(): ExportableNetworks {
    return {
      encoder: this.nets.encoder,
      decoder: this.nets.decoder,
      encoderOutput: { kind: 'gaussian', latentDim: this.config.latentDim },
      notes: [
        `${this.className}: the exported encoder gives the flow's base Gaussian q0(z_0 | x) (mean μ_0, and log-variance), ` +
          `before the ${this.config.latentDim}-dimensional flow; vaekit's encode applies the flow to μ_0, which the export does not include. ` +
          'The decoder is complete: it maps any code to the likelihood mean.',
      ],
    };
  }

  encode(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { base, flowInput } = this.encoderOutputs(x);
      return this.flow(base.mean, flowInput).z;
    });
  }

  loss(x: tf.Tensor, context: LossContext): LossTerms {
    return tf.tidy(() => {
      const { z, logQ, logDet } = this.draw(x, 1, context.rng, context.training);
      const logLikelihood = this.logLikelihood(x, z);
      const kl = klMonteCarlo(logQ, this.prior.logProb(z));
      const klForLoss =
        context.freeBits > 0 ? applyFreeBits(tf.reshape(kl, [-1, 1]), context.freeBits * this.config.latentDim) : kl;
      const terms = elbo(logLikelihood, kl, { beta: this.config.beta, klWeight: context.klWeight, klForLoss });
      return { total: terms.loss, reconstruction: terms.reconstruction, kl: terms.kl, logDet: tf.mean(logDet) as tf.Scalar };
    });
  }

  protected drawLogWeights(x: tf.Tensor, k: number, rng: SeededRandom): tf.Tensor1D {
    const { z, logQ } = this.draw(x, k, rng);
    return tf.sub(tf.add(this.logLikelihood(tileDraws(x, k), z), this.prior.logProb(z)), logQ) as tf.Tensor1D;
  }
}
