import * as tf from '@tensorflow/tfjs-core';
import { PLANAR_FLOW_VAE_SCHEMA, type PlanarFlowVaeConfig } from './flow-config.js';
import { FlowVae, flowVaeWeights, type FlowResult } from './flow-vae.js';
import type { PlannedWeight } from './layer-plan.js';
import { planarFlowStep } from './planar-flow.js';
import { defineVariant, TINY_NETWORK } from './variant-definition.js';

/**
 * VAE with a planar-flow posterior (Rezende and Mohamed 2015). The flow is amortized: the encoder emits,
 * per example and per step k, the step's parameters [u_k (D) | w_k (D) | b_k (1)] after the base mean and
 * log-variance — so the flow adapts to each x, as in the paper's experiments — and u is reparameterized
 * so that every step is invertible (`planarConstrainedU`). The flow owns no weights of its own.
 */
export class PlanarFlowVae extends FlowVae<PlanarFlowVaeConfig> {
  constructor(config: PlanarFlowVaeConfig) {
    super(config, planarFlowInputUnits(config));
  }

  /** Splits the flow input [n, K(2D+1)] into each step's u [n, D], w [n, D], b [n, 1]. */
  stepParameters(flowInput: tf.Tensor): { u: tf.Tensor; w: tf.Tensor; b: tf.Tensor }[] {
    const D = this.config.latentDim;
    return tf.split(flowInput, this.config.flowSteps, 1).map((step) => {
      const [u, w, b] = tf.split(step, [D, D, 1], 1);
      return { u: u!, w: w!, b: b! };
    });
  }

  flow(z0: tf.Tensor, flowInput: tf.Tensor): FlowResult {
    return tf.tidy(() => {
      let z = z0;
      const logDets: tf.Tensor[] = [];
      for (const { u, w, b } of this.stepParameters(flowInput)) {
        const step = planarFlowStep(z, u, w, b);
        z = step.z;
        logDets.push(step.logDet);
      }
      return { z, logDet: tf.addN(logDets) as tf.Tensor1D };
    });
  }

  protected override extraVariables(): [] {
    return [];
  }
}

/** Per example and step, the encoder emits u (D), w (D) and b (1). */
function planarFlowInputUnits(config: PlanarFlowVaeConfig): number {
  return config.flowSteps * (2 * config.latentDim + 1);
}

/** The weights of a `PlanarFlowVae` of a resolved config, in `variables()`'s order, without building it (the flow has none of its own). */
export function planarFlowVaeWeights(config: PlanarFlowVaeConfig): PlannedWeight[] {
  return flowVaeWeights(config, planarFlowInputUnits(config), []);
}

export const planarFlowVaeVariant = defineVariant(PLANAR_FLOW_VAE_SCHEMA, PlanarFlowVae, {
  description: 'VAE with an amortized planar-flow posterior; Monte-Carlo KL with the log-det-Jacobian',
  weights: planarFlowVaeWeights,
  testConfig: { ...TINY_NETWORK, latentDim: 3, flowSteps: 2 },
});

export const createPlanarFlowVae = planarFlowVaeVariant.create;
