import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { NamedVariable } from '@vaekit/core';
import { buildMadeMasks, type MadeMasks } from './made-masks.js';

/** Initial bias of the gate pre-activation s: σ(2) ≈ 0.88 keeps a fresh IAF step close to the identity. */
export const MADE_GATE_BIAS_INIT = 2;

export interface MadeOptions {
  readonly dims: number;
  readonly contextUnits: number;
  readonly hiddenUnits: readonly number[];
  /** The ordering: input degrees, a permutation of 1..dims. */
  readonly inputDegrees: readonly number[];
  readonly seed: number;
}

/**
 * A MADE network with a context input, for IAF: [m, s] = MADE(z, h). Masked dense layers are written
 * with tfjs-core ops (tfjs-layers has no masked dense): weights are multiplied by fixed 0/1 masks, so
 * output d depends on z only through the entries before d in the ordering. The context h enters the
 * first hidden layer through an unmasked weight. Masks are kept as plain arrays and uploaded inside
 * each call's tidy, so the model owns no tensors besides its variables.
 */
export class MadeNetwork {
  readonly masks: MadeMasks;
  private readonly layers: { kernel: tf.Variable; bias: tf.Variable }[];
  private readonly contextKernel: tf.Variable;
  private readonly meanKernel: tf.Variable;
  private readonly meanBias: tf.Variable;
  private readonly gateKernel: tf.Variable;
  private readonly gateBias: tf.Variable;

  constructor(private readonly options: MadeOptions) {
    this.masks = buildMadeMasks(options.inputDegrees, options.hiddenUnits);
    let seed = options.seed;
    const glorot = (shape: [number, number]): tf.Variable =>
      tf.tidy(() => tf.variable(tfl.initializers.glorotUniform({ seed: seed++ }).apply(shape) as tf.Tensor));
    const constant = (shape: [number], value: number): tf.Variable => tf.tidy(() => tf.variable(tf.fill(shape, value)));
    const widths = [options.dims, ...options.hiddenUnits];
    this.layers = options.hiddenUnits.map((units, l) => ({
      kernel: glorot([widths[l]!, units]),
      bias: constant([units], 0),
    }));
    this.contextKernel = glorot([options.contextUnits, options.hiddenUnits[0]!]);
    const last = options.hiddenUnits[options.hiddenUnits.length - 1]!;
    this.meanKernel = glorot([last, options.dims]);
    this.meanBias = constant([options.dims], 0);
    this.gateKernel = glorot([last, options.dims]);
    this.gateBias = constant([options.dims], MADE_GATE_BIAS_INIT);
  }

  /** m and the gate pre-activation s, each [n, dims], for inputs z [n, dims] and context h [n, contextUnits]. */
  apply(z: tf.Tensor, context: tf.Tensor): { m: tf.Tensor; s: tf.Tensor } {
    return tf.tidy(() => {
      const masked = (kernel: tf.Variable, mask: Float32Array): tf.Tensor => tf.mul(kernel, tf.tensor(mask, kernel.shape));
      let hidden = tf.add(tf.matMul(context, this.contextKernel), tf.matMul(z, masked(this.layers[0]!.kernel, this.masks.hidden[0]!)));
      hidden = tf.relu(tf.add(hidden, this.layers[0]!.bias));
      for (let l = 1; l < this.layers.length; l++) {
        const { kernel, bias } = this.layers[l]!;
        hidden = tf.relu(tf.add(tf.matMul(hidden, masked(kernel, this.masks.hidden[l]!)), bias));
      }
      return {
        m: tf.add(tf.matMul(hidden, masked(this.meanKernel, this.masks.output)), this.meanBias),
        s: tf.add(tf.matMul(hidden, masked(this.gateKernel, this.masks.output)), this.gateBias),
      };
    });
  }

  /** Weights under stable names `${prefix}/…`, in a fixed order. */
  variables(prefix: string): NamedVariable[] {
    const named = (name: string, variable: tf.Variable): NamedVariable => ({ name: `${prefix}/${name}`, variable, trainable: true });
    return [
      ...this.layers.flatMap(({ kernel, bias }, l) => [named(`hidden${l}/kernel`, kernel), named(`hidden${l}/bias`, bias)]),
      named('context/kernel', this.contextKernel),
      named('mean/kernel', this.meanKernel),
      named('mean/bias', this.meanBias),
      named('gate/kernel', this.gateKernel),
      named('gate/bias', this.gateBias),
    ];
  }

  dispose(): void {
    for (const { variable } of this.variables('')) variable.dispose();
  }
}
