import type * as tfl from '@tensorflow/tfjs-layers';
import type { NamedVariable } from '@vaekit/core';
import { buildNetwork, planWeights, type LayerPlan, type NetworkPlan, type PlannedWeight } from './layer-plan.js';
import { decoderPlan, encoderPlan, namedLayerVariables, normalizedRelu, rectifiedDense } from './networks.js';
import type { LadderVaeConfig } from './ladder-config.js';

/** The ladder VAE's networks, indexed by stochastic layer (0 = bottom). */
export interface LadderNetworks {
  /** Deterministic bottom-up blocks: block 0 maps x to d_1, block i maps d_i to d_{i+1}. */
  readonly bottomUp: tfl.Sequential[];
  /** Heads mapping d_i to layer i's bottom-up estimate [μ̂ | log σ̂²], then its flow context if any. */
  readonly bottomUpHeads: tfl.Sequential[];
  /** Top-down blocks for layers 0..L-2: z_{i+1} to the prior p(z_i | z_{i+1}) as [μ_p | log σ_p²]. */
  readonly topDown: tfl.Sequential[];
  /** p(x | z_1). */
  readonly decoder: tfl.Sequential;
}

/** The ladder's networks as layer plans (`LadderNetworks`, before building). */
export interface LadderPlans {
  readonly bottomUp: NetworkPlan[];
  readonly bottomUpHeads: NetworkPlan[];
  readonly topDown: NetworkPlan[];
  readonly decoder: NetworkPlan;
}

/**
 * Every ladder network's layers, with seeded initialization. Block 0 is the configured encoder body
 * (MLP or convolutional, from `architecture`) projected to `deterministicUnits[0]` and rectified; the decoder
 * mirrors `architecture` from z_1. `contextUnits` more outputs per bottom-up head carry each layer's
 * flow context (for a flow posterior; 0 for the plain ladder).
 */
export function ladderPlans(config: LadderVaeConfig, outputShape: readonly number[], contextUnits = 0): LadderPlans {
  const { latentDims, deterministicUnits: widths, batchNorm } = config;
  const base = config.seed * 1000;
  const dense = (units: number, seed: number): LayerPlan => ({ kind: 'dense', units, relu: false, useBias: true, seed });
  // The encoder's last layer is linear: its ReLU (after normalization, if any) comes here.
  const encoder = encoderPlan(config.architecture, config.inputShape, widths[0]!, base + 1, { batchNorm });
  const first: NetworkPlan = { ...encoder, layers: [...encoder.layers, ...(batchNorm ? normalizedRelu(true) : [{ kind: 'relu' } as const])] };
  const bottomUp = [first];
  for (let i = 1; i < latentDims.length; i++) {
    bottomUp.push({ inputShape: [widths[i - 1]!], layers: rectifiedDense(widths[i]!, base + 100 + i, batchNorm) });
  }
  const bottomUpHeads = latentDims.map((dims, i) => ({ inputShape: [widths[i]!], layers: [dense(2 * dims + contextUnits, base + 200 + i)] }));
  const topDown = latentDims.slice(0, -1).map((dims, i) => ({
    inputShape: [latentDims[i + 1]!],
    layers: [...rectifiedDense(widths[i]!, base + 300 + 2 * i, batchNorm), dense(2 * dims, base + 301 + 2 * i)],
  }));
  const decoder = decoderPlan(config.architecture, latentDims[0]!, outputShape, base + 500);
  return { bottomUp, bottomUpHeads, topDown, decoder };
}

/** Builds every ladder network (`ladderPlans`). */
export function buildLadderNetworks(config: LadderVaeConfig, outputShape: readonly number[], contextUnits = 0): LadderNetworks {
  const plans = ladderPlans(config, outputShape, contextUnits);
  return {
    bottomUp: plans.bottomUp.map(buildNetwork),
    bottomUpHeads: plans.bottomUpHeads.map(buildNetwork),
    topDown: plans.topDown.map(buildNetwork),
    decoder: buildNetwork(plans.decoder),
  };
}

/** The ladder networks' weights as `ladderVariables` lists them, without building them. */
export function ladderWeights(config: LadderVaeConfig, outputShape: readonly number[], contextUnits = 0): PlannedWeight[] {
  const plans = ladderPlans(config, outputShape, contextUnits);
  return [
    ...plans.bottomUp.flatMap((plan, i) => planWeights(`bottomUp${i}`, plan)),
    ...plans.bottomUpHeads.flatMap((plan, i) => planWeights(`bottomUpHead${i}`, plan)),
    ...plans.topDown.flatMap((plan, i) => planWeights(`topDown${i}`, plan)),
    ...planWeights('decoder', plans.decoder),
  ];
}

/** Every ladder weight under a stable name, in a fixed order. */
export function ladderVariables(nets: LadderNetworks): NamedVariable[] {
  return [
    ...nets.bottomUp.flatMap((net, i) => namedLayerVariables(`bottomUp${i}`, net)),
    ...nets.bottomUpHeads.flatMap((net, i) => namedLayerVariables(`bottomUpHead${i}`, net)),
    ...nets.topDown.flatMap((net, i) => namedLayerVariables(`topDown${i}`, net)),
    ...namedLayerVariables('decoder', nets.decoder),
  ];
}

export function disposeLadderNetworks(nets: LadderNetworks): void {
  for (const net of [...nets.bottomUp, ...nets.bottomUpHeads, ...nets.topDown, nets.decoder]) net.dispose();
}
