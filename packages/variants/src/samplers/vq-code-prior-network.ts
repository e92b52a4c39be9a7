import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { NamedVariable } from '@vaekit/core';
import { buildMadeMasks, madeOrdering } from '../made-masks.js';

export interface CodePriorNetworkOptions {
  /** L, the length of a code sequence. */
  readonly numLatents: number;
  /** K, the number of values each position takes. */
  readonly codebookSize: number;
  /** Units of each masked hidden layer. */
  readonly hidden: readonly number[];
  /** Seed of the hidden layers' Glorot-uniform kernels; without one they start at zero too (a file's weights are assigned after). */
  readonly seed?: number;
}

/**
 * MADE's position-level masks widened to one-hot codes: position i's K input units share its degree, so
 * the input mask repeats each position's row K times and the output mask each position's column K times.
 * Output position i then reads only the inputs of positions before i in the order 1..L.
 */
function codeMasks(options: CodePriorNetworkOptions): { hidden: Float32Array[]; output: Float32Array } {
  const { numLatents: positions, codebookSize: k, hidden } = options;
  const masks = buildMadeMasks(madeOrdering(positions, false), hidden);
  const firstUnits = hidden[0]!;
  const lastUnits = hidden[hidden.length - 1]!;
  const input = new Float32Array(positions * k * firstUnits);
  for (let p = 0; p < positions; p++) {
    const row = masks.hidden[0]!.subarray(p * firstUnits, (p + 1) * firstUnits);
    for (let c = 0; c < k; c++) input.set(row, (p * k + c) * firstUnits);
  }
  const output = new Float32Array(lastUnits * positions * k);
  for (let u = 0; u < lastUnits; u++) {
    for (let p = 0; p < positions; p++) output.fill(masks.output[u * positions + p]!, (u * positions + p) * k, (u * positions + p + 1) * k);
  }
  return { hidden: [input, ...masks.hidden.slice(1)], output };
}

/**
 * An autoregressive model of code sequences, p(c_1..c_L) = Π p(c_i | c_<i): a MADE network (Germain et
 * al. 2015) over the one-hot codes [L·K] whose masked dense layers give logits [L, K] in which position
 * i sees only the codes at positions < i. One pass scores a whole sequence; drawing takes L passes.
 * The fixed 0/1 masks are plain arrays uploaded inside each call's tidy, so the network owns no tensors
 * besides its variables (a loader's scope disposes every other tensor made while building it).
 */
export class CodePriorNetwork {
  readonly numLatents: number;
  readonly codebookSize: number;
  private readonly layers: { kernel: tf.Variable; bias: tf.Variable; mask: Float32Array }[];
  private readonly outKernel: tf.Variable;
  private readonly outBias: tf.Variable;
  private readonly outMask: Float32Array;

  constructor(options: CodePriorNetworkOptions) {
    const { numLatents, codebookSize, hidden } = options;
    if (hidden.length === 0) throw new RangeError('the code prior needs at least one hidden layer');
    this.numLatents = numLatents;
    this.codebookSize = codebookSize;
    const masks = codeMasks(options);
    let seed = options.seed;
    const kernel = (shape: [number, number]): tf.Variable =>
      tf.tidy(() => tf.variable(seed === undefined ? tf.zeros(shape) : tfl.initializers.glorotUniform({ seed: seed++ }).apply(shape)));
    const zeros = (shape: number[]): tf.Variable => tf.tidy(() => tf.variable(tf.zeros(shape)));
    const widths = [numLatents * codebookSize, ...hidden];
    this.layers = hidden.map((units, l) => ({
      kernel: kernel([widths[l]!, units]),
      bias: zeros([units]),
      mask: masks.hidden[l]!,
    }));
    const outputs = numLatents * codebookSize;
    // Zero output weights: a fresh prior is the uniform one, which fitting can only improve on held out.
    this.outKernel = zeros([hidden[hidden.length - 1]!, outputs]);
    this.outBias = zeros([outputs]);
    this.outMask = masks.output;
  }

  /** Logits [n, L, K] of p(c_i | c_<i) for code sequences int32 [n, L]; row i ignores the codes at i and after. */
  logits(codes: tf.Tensor): tf.Tensor3D {
    this.checkCodes(codes);
    return tf.tidy(() => {
      const n = codes.shape[0]!;
      let h: tf.Tensor = tf.reshape(tf.oneHot(codes, this.codebookSize, 1, 0, 'float32'), [n, this.numLatents * this.codebookSize]);
      const masked = (kernel: tf.Variable, mask: Float32Array): tf.Tensor => tf.mul(kernel, tf.tensor(mask, kernel.shape));
      for (const { kernel, bias, mask } of this.layers) h = tf.relu(tf.add(tf.matMul(h, masked(kernel, mask)), bias));
      const flat = tf.add(tf.matMul(h, masked(this.outKernel, this.outMask)), this.outBias);
      return tf.reshape(flat, [n, this.numLatents, this.codebookSize]) as tf.Tensor3D;
    });
  }

  /** log p(c) in nats for code sequences int32 [n, L], [n]. */
  logProb(codes: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      const logP = tf.logSoftmax(this.logits(codes));
      const picked = tf.mul(logP, tf.oneHot(codes, this.codebookSize, 1, 0, 'float32'));
      return tf.sum(picked, [1, 2]) as tf.Tensor1D;
    });
  }

  /** Weights under stable names `${prefix}/…`: per hidden layer its kernel and bias, then the output's. */
  variables(prefix: string): NamedVariable[] {
    return [
      ...this.layers.flatMap(({ kernel, bias }, l) => [
        { name: `${prefix}/hidden${l}/kernel`, variable: kernel, trainable: true },
        { name: `${prefix}/hidden${l}/bias`, variable: bias, trainable: true },
      ]),
      { name: `${prefix}/logits/kernel`, variable: this.outKernel, trainable: true },
      { name: `${prefix}/logits/bias`, variable: this.outBias, trainable: true },
    ];
  }

  dispose(): void {
    for (const { kernel, bias } of this.layers) tf.dispose([kernel, bias]);
    tf.dispose([this.outKernel, this.outBias]);
  }

  private checkCodes(codes: tf.Tensor): void {
    if (codes.rank !== 2 || codes.shape[1] !== this.numLatents) {
      throw new RangeError(`the code prior scores code sequences of shape [n, ${this.numLatents}], got [${codes.shape}]`);
    }
    if (codes.dtype !== 'int32') throw new TypeError(`code indices must be int32, got ${codes.dtype}`);
  }
}
