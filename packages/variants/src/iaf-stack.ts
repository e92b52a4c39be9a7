import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable } from '@vaekit/core';
import type { FlowResult } from './flow-vae.js';
import { iafGatedUpdate } from './iaf-step.js';
import { madeOrdering } from './made-masks.js';
import type { PlannedWeight } from './layer-plan.js';
import { madeWeights, MadeNetwork, type MadeOptions } from './made-network.js';

export interface IafStackOptions {
  /** Width of the variable the flow transforms. */
  readonly dims: number;
  readonly steps: number;
  readonly madeHiddenUnits: readonly number[];
  readonly contextUnits: number;
  /** Step k's MADE is seeded from seed + 20k. */
  readonly seed: number;
}

/** Step k's MADE: alternating orderings, seeds 20 apart. */
function stepOptions(options: IafStackOptions, k: number): MadeOptions {
  return {
    dims: options.dims,
    contextUnits: options.contextUnits,
    hiddenUnits: options.madeHiddenUnits,
    inputDegrees: madeOrdering(options.dims, k % 2 === 1),
    seed: options.seed + 20 * k,
  };
}

/** The weights of an `IafStack` with these options, as its `variables(prefix)` lists them, without building it. */
export function iafStackWeights(prefix: string, options: IafStackOptions): PlannedWeight[] {
  return Array.from({ length: options.steps }, (_, k) => madeWeights(`${prefix}${k}`, stepOptions(options, k))).flat();
}

/**
 * K inverse-autoregressive-flow steps (Kingma et al. 2016) over one variable: each step runs its own
 * MADE network [m, s] = MADE_k(z, h) and applies the gated update z ← σ ⊙ z + (1 − σ) ⊙ m (log-det
 * Σ log σ). The ordering is reversed from one step to the next (natural for even k, reversed for odd k),
 * through the MADE degrees rather than by permuting z. The weights are global; the flow is conditioned
 * on x through the context h.
 */
export class IafStack {
  readonly steps: readonly MadeNetwork[];

  constructor(options: IafStackOptions) {
    this.steps = Array.from({ length: options.steps }, (_, k) => new MadeNetwork(stepOptions(options, k)));
  }

  /** z_K and Σ_k log|det| per row, for rows z0 [n, dims] and contexts [n, contextUnits]. */
  apply(z0: tf.Tensor, context: tf.Tensor): FlowResult {
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

  /** Step k's weights under `${prefix}${k}/…`. */
  variables(prefix: string): NamedVariable[] {
    return this.steps.flatMap((made, k) => made.variables(`${prefix}${k}`));
  }

  dispose(): void {
    for (const made of this.steps) made.dispose();
  }
}
