import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describeLikelihood, type NamedVariable } from '@vaekit/core';
import { buildNetwork, planWeights, type NetworkPlan, type PlannedWeight } from './layer-plan.js';
import type { NetworkConfig } from './network-config.js';
import { decoderOutputShape, decoderPlan, encoderPlan, namedLayerVariables, run } from './networks.js';

export interface EncoderDecoderPlans {
  readonly encoder: NetworkPlan;
  readonly decoder: NetworkPlan;
}

/**
 * An encoder from x to `encoderUnits` numbers per example (hidden layers batch-normalized with
 * `batchNorm`) and a decoder from `codeUnits` numbers back to the likelihood's parameters, both of the
 * config's architecture and seeded from its seed.
 */
export function encoderDecoderPlans(config: NetworkConfig, encoderUnits: number, codeUnits: number, batchNorm = false): EncoderDecoderPlans {
  const outputShape = decoderOutputShape(config.inputShape, describeLikelihood(config.likelihood));
  return {
    encoder: encoderPlan(config.architecture, config.inputShape, encoderUnits, config.seed * 1000 + 1, { batchNorm }),
    decoder: decoderPlan(config.architecture, codeUnits, outputShape, config.seed * 1000 + 500),
  };
}

/** The pair's weights as `EncoderDecoder` names them: `encoder/…` and `decoder/…`. */
export function encoderDecoderWeights(plans: EncoderDecoderPlans): { encoder: PlannedWeight[]; decoder: PlannedWeight[] } {
  return { encoder: planWeights('encoder', plans.encoder), decoder: planWeights('decoder', plans.decoder) };
}

/** A built encoder and decoder. */
export class EncoderDecoder {
  readonly encoder: tfl.Sequential;
  readonly decoder: tfl.Sequential;

  constructor(plans: EncoderDecoderPlans) {
    this.encoder = buildNetwork(plans.encoder);
    this.decoder = buildNetwork(plans.decoder);
  }

  /** The encoder's outputs; `training` matters only with batch normalization (see `run`). */
  encode(x: tf.Tensor, training = false): tf.Tensor {
    return run(this.encoder, x, training);
  }

  decode(code: tf.Tensor): tf.Tensor {
    return run(this.decoder, code);
  }

  encoderVariables(): NamedVariable[] {
    return namedLayerVariables('encoder', this.encoder);
  }

  decoderVariables(): NamedVariable[] {
    return namedLayerVariables('decoder', this.decoder);
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
