import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable, SeededRandom } from '@vaekit/core';
import type { PlannedWeight } from './layer-plan.js';
import { codeCounts, deadCodeRestarts, emaStep, nearestCodes } from './vq-codebook.js';
import type { VqVaeConfig } from './vq-vae-config.js';

type VqStateName = 'codebook' | 'emaCounts' | 'emaSums' | 'idleSteps';
const VQ_PREFIX = 'vq/';

/**
 * The codebook and its bookkeeping, in `variables()`'s order: the codebook [K, D] (trained by its loss,
 * or moved by EMA), the EMA counts [K] and sums [K, D] in `ema` mode, and the per-code idle counters [K].
 */
export function vqStateWeights(config: VqVaeConfig): PlannedWeight[] {
  const k = config.codebookSize;
  const d = config.embeddingDim;
  const ema = config.codebook === 'ema';
  const state = (name: VqStateName, shape: number[], trainable: boolean): PlannedWeight => ({
    name: `${VQ_PREFIX}${name}`,
    shape,
    dtype: 'float32',
    trainable,
  });
  return [
    state('codebook', [k, d], !ema),
    ...(ema ? [state('emaCounts', [k], false), state('emaSums', [k, d], false)] : []),
    state('idleSteps', [k], false),
  ];
}

/** A VQ-VAE's codebook and the state training moves outside the optimizer. */
export class CodebookState {
  readonly codebook: tf.Variable<tf.Rank.R2>;
  private readonly emaCounts: tf.Variable<tf.Rank.R1> | null;
  private readonly emaSums: tf.Variable<tf.Rank.R2> | null;
  private readonly idleSteps: tf.Variable<tf.Rank.R1>;

  constructor(private readonly config: VqVaeConfig) {
    const k = config.codebookSize;
    const scale = config.codebookInitScale;
    // tfjs draws seeded random numbers in JavaScript: the same codebook on every backend.
    const initial = tf.randomUniform([k, config.embeddingDim], -scale, scale, 'float32', config.seed * 1000 + 900);
    const ema = config.codebook === 'ema';
    // Variables escape tf.tidy; the initial values made here do not.
    this.codebook = tf.tidy(() => tf.variable(initial, !ema)) as tf.Variable<tf.Rank.R2>;
    // EMA statistics start consistent with the initial codebook: one pseudo-count per code, sum = code.
    this.emaCounts = ema ? (tf.tidy(() => tf.variable(tf.ones([k]), false)) as tf.Variable<tf.Rank.R1>) : null;
    this.emaSums = ema ? (tf.tidy(() => tf.variable(initial, false)) as tf.Variable<tf.Rank.R2>) : null;
    this.idleSteps = tf.tidy(() => tf.variable(tf.zeros([k]), false)) as tf.Variable<tf.Rank.R1>;
    initial.dispose();
  }

  /** The state's weights, named and ordered as `vqStateWeights` lists them. */
  variables(): NamedVariable[] {
    const state: Record<VqStateName, tf.Variable | null> = {
      codebook: this.codebook,
      emaCounts: this.emaCounts,
      emaSums: this.emaSums,
      idleSteps: this.idleSteps,
    };
    return vqStateWeights(this.config).map(({ name, trainable }) => ({
      name,
      variable: state[name.slice(VQ_PREFIX.length) as VqStateName]!,
      trainable,
    }));
  }

  /**
   * One training step's bookkeeping, from the batch's encoder outputs [n, D] under the current codebook:
   * the EMA step (in `ema` mode), idle counters, and restarts of codes idle for `deadCodeRestartSteps`.
   * Nothing here is differentiated: the new values are assigned to the state variables.
   */
  step(vectors: tf.Tensor2D, rng: SeededRandom): void {
    const { codebookSize: k, deadCodeRestartSteps: restartAfter } = this.config;
    tf.tidy(() => {
      const indices = nearestCodes(vectors, this.codebook);
      const counts = codeCounts(indices, k);
      let codebook: tf.Tensor2D = this.codebook;
      let emaCounts: tf.Tensor1D | null = null;
      let emaSums: tf.Tensor2D | null = null;
      if (this.emaCounts && this.emaSums) {
        const step = emaStep({ counts: this.emaCounts, sums: this.emaSums }, vectors, indices, this.config.emaDecay, this.config.emaEpsilon);
        ({ codebook, counts: emaCounts, sums: emaSums } = step);
      }
      if (restartAfter > 0) {
        const restarts = deadCodeRestarts(this.idleSteps, counts, vectors, rng.uniform([k]) as tf.Tensor1D, restartAfter);
        const rows = tf.expandDims(restarts.restart, 1);
        codebook = tf.where(rows, restarts.candidates, codebook) as tf.Tensor2D;
        if (emaCounts && emaSums) {
          // A restarted code's statistics start over like a fresh code's: one pseudo-count at its new value.
          emaCounts = tf.where(restarts.restart, tf.onesLike(emaCounts), emaCounts) as tf.Tensor1D;
          emaSums = tf.where(rows, restarts.candidates, emaSums) as tf.Tensor2D;
        }
        this.idleSteps.assign(restarts.idleSteps);
      } else {
        this.idleSteps.assign(tf.where(tf.greater(counts, 0), tf.zerosLike(this.idleSteps), tf.add(this.idleSteps, 1)) as tf.Tensor1D);
      }
      if (codebook !== this.codebook) this.codebook.assign(codebook);
      if (emaCounts) this.emaCounts?.assign(emaCounts);
      if (emaSums) this.emaSums?.assign(emaSums);
    });
  }

  dispose(): void {
    tf.dispose([this.codebook, this.idleSteps, ...(this.emaCounts ? [this.emaCounts] : []), ...(this.emaSums ? [this.emaSums] : [])]);
  }
}
