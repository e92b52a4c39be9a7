import type * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable, SeededRandom } from '@vaekit/core';
import { EncoderDecoder, encoderDecoderPlans, encoderDecoderWeights } from './encoder-decoder.js';
import type { PlannedWeight } from './layer-plan.js';
import { standardNormalPrior, type LatentPrior } from './latent-prior.js';
import { ModelBase } from './model-base.js';
import type { VaeConfig } from './vae-config.js';

/**
 * The weights of a `SingleLatentModel` of this config, in `variables()`'s order, without building it: the
 * encoder's, then `extra` (the prior's and the subclass's own, as `variables()` lists them), then the decoder's.
 */
export function singleLatentWeights(config: VaeConfig, encoderUnits: number, extra: readonly PlannedWeight[] = []): PlannedWeight[] {
  const { encoder, decoder } = encoderDecoderWeights(encoderDecoderPlans(config, encoderUnits, config.latentDim, config.batchNorm));
  return [...encoder, ...extra, ...decoder];
}

/**
 * What the single-layer continuous-latent models share: an encoder network from x, a prior over
 * `latentDim` units (N(0, I) unless the subclass passes another), and a decoder p(x | z) mirroring the
 * encoder's architecture. Subclasses say what the encoder's outputs mean (a Gaussian posterior, or a
 * flow's base and parameters) and how the loss uses them.
 */
export abstract class SingleLatentModel<C extends VaeConfig> extends ModelBase<C> {
  protected readonly nets: EncoderDecoder;
  protected readonly prior: LatentPrior;

  /** `encoderUnits`: numbers the encoder emits per example. */
  protected constructor(config: C, encoderUnits: number, prior: LatentPrior = standardNormalPrior(config.latentDim)) {
    super(config, [config.latentDim]);
    this.nets = new EncoderDecoder(encoderDecoderPlans(config, encoderUnits, config.latentDim, config.batchNorm));
    this.prior = prior;
  }

  decode(z: tf.Tensor): tf.Tensor {
    return this.nets.decode(z);
  }

  /** Encoder weights, then the prior's, then the subclass's own (`extraVariables`), then the decoder's. */
  protected modelVariables(): NamedVariable[] {
    return [...this.nets.encoderVariables(), ...this.prior.variables(), ...this.extraVariables(), ...this.nets.decoderVariables()];
  }

  /** Variables of the encoder alone. */
  encoderVariables(): tf.Variable[] {
    return this.nets.encoderVariables().map((v) => v.variable);
  }

  protected disposeModel(): void {
    this.nets.dispose();
    this.prior.dispose();
    this.disposeExtra();
  }

  protected priorCodes(n: number, rng: SeededRandom): tf.Tensor {
    return this.prior.sample(n, rng);
  }

  /** Weights beyond the encoder, prior and decoder (a flow's), under stable names. */
  protected extraVariables(): NamedVariable[] {
    return [];
  }

  protected disposeExtra(): void {}

  /**
   * The encoder's outputs for a checked batch. `training` matters only with `batchNorm`: batch statistics
   * (and moving the averages) in a training step, the averages otherwise.
   */
  protected encoderOutput(x: tf.Tensor, training: boolean): tf.Tensor {
    this.checkInput(x);
    return this.nets.encode(x, training);
  }
}
