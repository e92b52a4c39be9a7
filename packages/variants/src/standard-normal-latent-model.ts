import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  createLikelihood,
  type Likelihood,
  type LossContext,
  type LossTerms,
  type NamedVariable,
  type SeededRandom,
  type VaeModel,
} from '@vaekit/core';
import { buildNetwork, planWeights, type NetworkPlan, type PlannedWeight } from './layer-plan.js';
import { decoderOutputShape, decoderPlan, encoderPlan, namedLayerVariables, run } from './networks.js';
import type { VaeConfig } from './vae-config.js';

/** The encoder and decoder of a single-layer continuous-latent model whose encoder emits `encoderUnits` per example. */
export function latentModelPlans(
  config: VaeConfig,
  encoderUnits: number,
  likelihood: Pick<Likelihood, 'paramsPerValue'> = createLikelihood(config.likelihood),
): { encoder: NetworkPlan; decoder: NetworkPlan } {
  return {
    encoder: encoderPlan(config.architecture, config.inputShape, encoderUnits, config.seed * 1000 + 1, { batchNorm: config.batchNorm }),
    decoder: decoderPlan(config.architecture, config.latentDim, decoderOutputShape(config.inputShape, likelihood), config.seed * 1000 + 500),
  };
}

/**
 * The weights of a `StandardNormalLatentModel` of this config, in `variables()`'s order, without building
 * it: the encoder's, then `extra` (the subclass's own, as its `extraVariables` lists them), then the decoder's.
 */
export function latentModelWeights(config: VaeConfig, encoderUnits: number, extra: readonly PlannedWeight[] = []): PlannedWeight[] {
  const plans = latentModelPlans(config, encoderUnits);
  return [...planWeights('encoder', plans.encoder), ...extra, ...planWeights('decoder', plans.decoder)];
}

/**
 * What the single-layer continuous-latent models share: an encoder network from x, a prior N(0, I) over
 * `latentDim` units, and a decoder p(x | z) mirroring the encoder's architecture. Subclasses say what the
 * encoder's outputs mean (a Gaussian posterior, or a flow's base and parameters) and how the loss uses them.
 */
export abstract class StandardNormalLatentModel<C extends VaeConfig> implements VaeModel<C> {
  readonly className: string;
  readonly inputShape: readonly number[];
  readonly latentShape: readonly number[];
  protected readonly config: C;
  protected readonly likelihood: Likelihood;
  protected readonly encoderNet: tfl.Sequential;
  protected readonly decoderNet: tfl.Sequential;

  /** `encoderUnits`: numbers the encoder emits per example. */
  protected constructor(config: C, encoderUnits: number) {
    this.config = config;
    this.className = config.className;
    this.inputShape = [...config.inputShape];
    this.latentShape = [config.latentDim];
    this.likelihood = createLikelihood(config.likelihood);
    const plans = latentModelPlans(config, encoderUnits, this.likelihood);
    this.encoderNet = buildNetwork(plans.encoder);
    this.decoderNet = buildNetwork(plans.decoder);
  }

  abstract encode(x: tf.Tensor): tf.Tensor;
  abstract loss(x: tf.Tensor, context: LossContext): LossTerms;
  abstract logWeights(x: tf.Tensor, k: number, rng: SeededRandom): tf.Tensor2D;

  getConfig(): C {
    return structuredClone(this.config);
  }

  decode(z: tf.Tensor): tf.Tensor {
    return run(this.decoderNet, z);
  }

  reconstruct(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.likelihood.mean(this.decode(this.encode(x))));
  }

  sample(n: number, rng: SeededRandom): tf.Tensor {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`sample count must be a whole number >= 1, got ${n}`);
    return tf.tidy(() => this.likelihood.mean(this.decode(rng.normal([n, ...this.latentShape]))));
  }

  /** log p(x | z) per example. */
  logLikelihood(x: tf.Tensor, z: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => this.likelihood.logProb(this.decode(z), x));
  }

  /** Encoder weights, then the subclass's own (`extraVariables`), then the decoder's. */
  variables(): NamedVariable[] {
    return [...namedLayerVariables('encoder', this.encoderNet), ...this.extraVariables(), ...namedLayerVariables('decoder', this.decoderNet)];
  }

  dispose(): void {
    this.encoderNet.dispose();
    this.decoderNet.dispose();
  }

  /** Weights beyond the encoder and decoder (a flow's), under stable names. */
  protected extraVariables(): NamedVariable[] {
    return [];
  }

  /**
   * The encoder's outputs for a checked batch. `training` matters only with `batchNorm`: batch statistics
   * (and moving the averages) in a training step, the averages otherwise.
   */
  protected encoderOutput(x: tf.Tensor, training: boolean): tf.Tensor {
    this.checkInput(x);
    return run(this.encoderNet, x, training);
  }

  protected checkInput(x: tf.Tensor): void {
    if (!tf.util.arraysEqual(x.shape.slice(1), [...this.inputShape])) {
      throw new RangeError(`${this.className} expects inputs of shape [batch, ${this.inputShape}], got [${x.shape}]`);
    }
  }
}
