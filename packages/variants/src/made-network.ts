import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { NamedVariable } from '@vaekit/core';
import type { PlannedWeight } from './layer-plan.js';
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

/** One MADE weight: its name under the network's prefix, its shape, and how it starts. */
interface MadeWeightPlan {
  readonly name: string;
  readonly shape: readonly number[];
  /** A Glorot-uniform kernel with this seed, or a constant. */
  readonly init: { readonly glorotSeed: number } | { readonly constant: number };
}

/**
 * A MADE network's weights in `variables()`'s (and creation) order: per hidden layer a masked kernel
 * and a bias, the unmasked context kernel into the first hidden layer, and the mean and gate heads.
 * Kernels are seeded `seed`, `seed + 1`, … in this order.
 */
function madeWeightPlan(options: Omit<MadeOptions, 'inputDegrees'>): MadeWeightPlan[] {
  const { dims, contextUnits, hiddenUnits } = options;
  if (hiddenUnits.length === 0) throw new RangeError('MADE needs at least one hidden layer');
  let seed = options.seed;
  const glorot = (name: string, shape: readonly number[]): MadeWeightPlan => ({ name, shape, init: { glorotSeed: seed++ } });
  const constant = (name: string, units: number, value: number): MadeWeightPlan => ({ name, shape: [units], init: { constant: value } });
  const widths = [dims, ...hiddenUnits];
  const last = hiddenUnits[hiddenUnits.length - 1]!;
  return [
    ...hiddenUnits.flatMap((units, l) => [glorot(`hidden${l}/kernel`, [widths[l]!, units]), constant(`hidden${l}/bias`, units, 0)]),
    glorot('context/kernel', [contextUnits, hiddenUnits[0]!]),
    glorot('mean/kernel', [last, dims]),
    constant('mean/bias', dims, 0),
    glorot('gate/kernel', [last, dims]),
    constant('gate/bias', dims, MADE_GATE_BIAS_INIT),
  ];
}

/** The weights of a `MadeNetwork` with these options under `${prefix}/…`, as its `variables(prefix)` lists them, without building it. */
export function madeWeights(prefix: string, options: Omit<MadeOptions, 'inputDegrees'>): PlannedWeight[] {
  return madeWeightPlan(options).map(({ name, shape }) => ({ name: `${prefix}/${name}`, shape: [...shape], dtype: 'float32', trainable: true }));
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
  /** Every weight, by its name in `madeWeightPlan`, in that order. */
  private readonly weights: ReadonlyMap<string, tf.Variable>;
  private readonly layers: { kernel: tf.Variable; bias: tf.Variable }[];
  private readonly contextKernel: tf.Variable;
  private readonly meanKernel: tf.Variable;
  private readonly meanBias: tf.Variable;
  private readonly gateKernel: tf.Variable;
  private readonly gateBias: tf.Variable;

  constructor(options: MadeOptions) {
    this.masks = buildMadeMasks(options.inputDegrees, options.hiddenUnits);
    const weights = new Map<string, tf.Variable>();
    for (const { name, shape, init } of madeWeightPlan(options)) {
      const value = (): tf.Tensor =>
        'glorotSeed' in init ? tfl.initializers.glorotUniform({ seed: init.glorotSeed }).apply([...shape]) : tf.fill([...shape], init.constant);
      weights.set(name, tf.tidy(() => tf.variable(value())));
    }
    this.weights = weights;
    const weight = (name: string): tf.Variable => weights.get(name)!;
    this.layers = options.hiddenUnits.map((_, l) => ({ kernel: weight(`hidden${l}/kernel`), bias: weight(`hidden${l}/bias`) }));
    this.contextKernel = weight('context/kernel');
    this.meanKernel = weight('mean/kernel');
    this.meanBias = weight('mean/bias');
    this.gateKernel = weight('gate/kernel');
    this.gateBias = weight('gate/bias');
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

  /** Weights under stable names `${prefix}/…`, in a fixed order (`madeWeights` lists them without building). */
  variables(prefix: string): NamedVariable[] {
    return [...this.weights].map(([name, variable]) => ({ name: `${prefix}/${name}`, variable, trainable: true }));
  }

  dispose(): void {
    for (const { variable } of this.variables('')) variable.dispose();
  }
}
