import * as tf from '@tensorflow/tfjs-core';
import type { LadderVaeConfig } from '../src/ladder-config.js';
import { createLadderVae, type LadderVae } from '../src/ladder-vae.js';

/** Latent widths of the three-layer test ladder, bottom to top (9 units in all). */
export const SMALL_LADDER_DIMS = [4, 3, 2] as const;

/** A three-layer ladder small enough to check by hand, on 10 binary inputs. */
export function smallLadder(extra: Partial<LadderVaeConfig> = {}): LadderVae {
  return createLadderVae({
    inputShape: [10],
    latentDims: [...SMALL_LADDER_DIMS],
    deterministicUnits: [12, 8, 6],
    architecture: { type: 'mlp', hiddenUnits: [16] },
    seed: 3,
    ...extra,
  });
}

/** `rows` seeded binary examples for `smallLadder`. */
export function binaryBatch(rows: number, seed: number): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([rows, 10], 0, 1, 'float32', seed), 0.5), 'float32'));
}
