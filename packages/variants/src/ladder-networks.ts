import * as tfl from '@tensorflow/tfjs-layers';
import type { NamedVariable } from '@vaekit/core';
import { addNormalizedRelu, buildDecoder, buildEncoder, finishRectified, namedLayerVariables, rectifiedArgs } from './networks.js';
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

const seeded = (seed: number) => tfl.initializers.glorotUniform({ seed });

/**
 * Builds every ladder network with seeded initialization. Block 0 is the configured encoder body
 * (MLP or convolutional, from `architecture`) projected to `hiddenUnits[0]` and rectified; the decoder
 * mirrors `architecture` from z_1. `contextUnits` more outputs per bottom-up head carry each layer's
 * flow context (for a flow posterior; 0 for the plain ladder).
 */
export function buildLadderNetworks(config: LadderVaeConfig, outputShape: readonly number[], contextUnits = 0): LadderNetworks {
  const { latentDims, hiddenUnits, batchNorm } = config;
  const base = config.seed * 1000;
  const hidden = (net: tfl.Sequential, units: number, inputUnits: number, seed: number): void => {
    net.add(tfl.layers.dense({ units, inputShape: [inputUnits], kernelInitializer: seeded(seed), ...rectifiedArgs(batchNorm) }));
    finishRectified(net, batchNorm);
  };
  // buildEncoder's last layer is linear: its ReLU (after normalization, if any) comes here.
  const first = buildEncoder(config.architecture, config.inputShape, hiddenUnits[0]!, base + 1, { batchNorm });
  if (batchNorm) addNormalizedRelu(first);
  else first.add(tfl.layers.activation({ activation: 'relu' }));
  const bottomUp = [first];
  for (let i = 1; i < latentDims.length; i++) {
    const block = tfl.sequential();
    hidden(block, hiddenUnits[i]!, hiddenUnits[i - 1]!, base + 100 + i);
    bottomUp.push(block);
  }
  const bottomUpHeads = latentDims.map((dims, i) => {
    const head = tfl.sequential();
    head.add(tfl.layers.dense({ units: 2 * dims + contextUnits, inputShape: [hiddenUnits[i]!], kernelInitializer: seeded(base + 200 + i) }));
    return head;
  });
  const topDown = latentDims.slice(0, -1).map((dims, i) => {
    const block = tfl.sequential();
    hidden(block, hiddenUnits[i]!, latentDims[i + 1]!, base + 300 + 2 * i);
    block.add(tfl.layers.dense({ units: 2 * dims, kernelInitializer: seeded(base + 301 + 2 * i) }));
    return block;
  });
  const decoder = buildDecoder(config.architecture, latentDims[0]!, outputShape, base + 500);
  return { bottomUp, bottomUpHeads, topDown, decoder };
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
